"""Visas and permits: a stay under a visa is checked against the visa, not the visa-free rules.

B2 business visa (docs/rules.md §6), C3 work visa (§7), digital-nomad visas B12-1 and B9-1 (§8),
Kazakh temporary residence (§4), Schengen C visa (§11, §13), German D visa and residence
permit (§12). `days_of_stay_allowed` counts presence days under the visa, entry and exit days
included, across all its entries; a Schengen C visa is also held to 90/180 (§13).
"""

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from rules.overstay import overstay_band, overstay_tier
from rules.sources import Rule, rule
from rules.types import DEFAULTS, Parameters, Stay, Visa, VisaKind
from rules.window import Presence, first_violation, latest_legal_day, merge


@dataclass(frozen=True, slots=True)
class VisaTerms:
    """What a kind of visa allows at most, as the sources state it (None: no such limit)."""

    max_validity_days: int | None
    days_of_stay: int | None
    entries: int | None
    rule_key: str


VISA_TERMS: dict[VisaKind, VisaTerms] = {
    # docs/rules.md §6: single entry, validity up to 90 days, stay 30 days.
    VisaKind.B2_SINGLE: VisaTerms(90, 30, 1, "kz_visas"),
    # docs/rules.md §6: multiple entry, validity up to 180 days, stay up to 90 days.
    VisaKind.B2_MULTIPLE: VisaTerms(180, 90, None, "kz_visas"),
    # docs/rules.md §7: the stay is the whole validity.
    VisaKind.C3: VisaTerms(None, None, None, "kz_visas"),
    # docs/rules.md §8: up to 1 year, multiple entry; extensions below.
    VisaKind.B12_1: VisaTerms(None, None, None, "kz_visas"),
    # docs/rules.md §8: "Single-entry e-visa up to 1 year, convertible to multiple entry" (a
    # converted visa is recorded as a new visa).
    VisaKind.B9_1: VisaTerms(None, None, 1, "kz_visas"),
    VisaKind.KZ_TEMPORARY_RESIDENCE: VisaTerms(None, None, None, "kz_registration"),
    # docs/rules.md §11: the sticker's "duration of stay", at most 90 days, within 90/180.
    VisaKind.SCHENGEN_C: VisaTerms(None, 90, None, "schengen_visa"),
    VisaKind.DE_NATIONAL_D: VisaTerms(None, None, None, "de_national_visa"),
    VisaKind.DE_RESIDENCE_PERMIT: VisaTerms(None, None, None, "de_national_visa"),
}

# Kazakh visas and permits: overstaying them is an offence under KoAP art. 517 (docs/rules.md §5).
KZ_VISA_KINDS = frozenset(
    {
        VisaKind.B2_SINGLE,
        VisaKind.B2_MULTIPLE,
        VisaKind.C3,
        VisaKind.B12_1,
        VisaKind.B9_1,
        VisaKind.KZ_TEMPORARY_RESIDENCE,
    }
)
# Kinds whose days of stay and entries the visa type fixes (docs/rules.md §6): a record without
# them takes them from `VISA_TERMS` rather than "no limit".
TERMS_BY_TYPE = frozenset({VisaKind.B2_SINGLE, VisaKind.B2_MULTIPLE, VisaKind.B9_1})


def days_allowed(visa: Visa) -> int | None:
    """The days of stay a visa allows in total, None when only its validity limits the stay.

    A Schengen multiple-entry C visa valid for more than six months has no total: its
    "duration of stay" is 90 days in any 180-day period (Regulation (EC) No 810/2009, Visa
    Code, Annex VII point 4), which 90/180 checks. B2 visas take their term from the type.
    """
    if visa.kind is VisaKind.SCHENGEN_C and long_multiple_entry(visa):
        return None
    if visa.days_of_stay_allowed is None and visa.kind in TERMS_BY_TYPE:
        return VISA_TERMS[visa.kind].days_of_stay
    return visa.days_of_stay_allowed


def entries_allowed(visa: Visa) -> int | None:
    """Entries a visa allows, None for multiple entry; single-entry types say 1 (§6, §8)."""
    if visa.entries_allowed is None and visa.kind in TERMS_BY_TYPE:
        return VISA_TERMS[visa.kind].entries
    return visa.entries_allowed


def long_multiple_entry(visa: Visa) -> bool:
    """A multiple-entry visa whose validity is longer than six months (Visa Code Annex VII)."""
    return visa.entries_allowed is None and visa.valid_until >= visa.valid_from + relativedelta(
        months=6
    )


def new_visa(
    kind: VisaKind,
    valid_from: date,
    *,
    valid_until: date | None = None,
    country: str = "",
    params: Parameters = DEFAULTS,
) -> Visa:
    """A visa with the usual terms of its kind; validity defaults to the longest allowed.

    B12-1 and B9-1 run `12` months; the D visa 90 days (docs/rules.md §8, §12).
    """
    terms = VISA_TERMS[kind]
    if valid_until is None:
        if terms.max_validity_days is not None:
            valid_until = valid_from + timedelta(days=terms.max_validity_days - 1)
        elif kind in (VisaKind.B12_1, VisaKind.B9_1):
            # The day before the first anniversary: from 29 Feb 2024 to 28 Feb 2025.
            valid_until = valid_from - timedelta(days=1) + relativedelta(months=12)
        elif kind is VisaKind.DE_NATIONAL_D:
            valid_until = valid_from + timedelta(days=89)
        else:
            raise ValueError(f"{kind}: valid_until is needed")
    return Visa(
        kind=kind,
        valid_from=valid_from,
        valid_until=valid_until,
        entries_allowed=terms.entries,
        days_of_stay_allowed=terms.days_of_stay,
        country=country,
    )


def expiry(visa: Visa, params: Parameters = DEFAULTS) -> date:
    """Last valid day, with granted extensions (B12-1: `b12_1_max_extensions` of 12 months).

    The sources conflict on how many B12-1 extensions exist (one vs three, docs/rules.md §8), so the
    number is a parameter; more extensions than allowed is impossible input.
    """
    if visa.extensions_granted == 0:
        return visa.valid_until
    if visa.kind is not VisaKind.B12_1:
        # B9-1 has no extension of its own (docs/rules.md §8); B12-1's does not carry over.
        raise ValueError(f"{visa.kind} visas are not extended by the engine")
    if visa.extensions_granted > params.b12_1_max_extensions:
        raise ValueError(
            f"{visa.extensions_granted} extensions granted, at most "
            f"{params.b12_1_max_extensions} allowed"
        )
    months = params.b12_1_extension_months * visa.extensions_granted
    # Each extension runs to the day before the next anniversary: to 29 Feb 2028 from 1 Mar 2027.
    return visa.valid_until + timedelta(days=1) + relativedelta(months=months) - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class VisaAssessment:
    """A visa's figures on `on` for the stays made under it."""

    visa: Visa
    on: date
    valid_on_query_date: bool
    expires_on: date
    days_to_expiry: int
    first_day_outside_validity: date | None
    days_used: int
    days_allowed: int | None
    days_remaining: int | None
    entries_used: int
    entries_allowed: int | None
    latest_legal_exit: date | None
    insurance_cover_until: date | None
    compliant: bool
    first_violation_date: date | None
    rule: Rule
    # Kazakh visas only (KoAP art. 517, docs/rules.md §5): days of the stay containing `on`, else
    # of the last stay before it, spent after the visa's permitted period; None otherwise.
    overstay_days: int | None = None
    overstay_band: str | None = None
    overstay_tier: str | None = None
    overstay_from: date | None = None


def visa_assessment(
    visa: Visa, stays_under_visa: Sequence[Stay], *, on: date, params: Parameters = DEFAULTS
) -> VisaAssessment:
    """Checks stays under `visa` against its validity, days and entries (§6-8, §11-12).

    `latest_legal_exit` is for the stay containing `on`: the earliest of the expiry, the day the
    allowed days run out (all presence under the visa counted) and, for a Schengen C visa, L(E)
    of 90/180. `insurance_cover_until` (D visa) is the first entry + 89: the first 90 days.
    """
    today = on.toordinal()
    until = expiry(visa, params)
    valid_from = visa.valid_from.toordinal()
    valid_until = until.toordinal()
    spans = merge(
        (s.entry.toordinal(), today if s.exit is None else s.exit.toordinal())
        for s in stays_under_visa
    )
    presence = Presence(spans)
    entries = sorted(s.entry for s in stays_under_visa)

    violations: list[int] = []
    outside = None
    for start, end in spans:
        if start < valid_from:
            outside = start
        elif end > valid_until:
            outside = max(start, valid_until + 1)
        if outside is not None:
            break
    if outside is not None:
        violations.append(outside)
    allowed = days_allowed(visa)
    if allowed is not None and presence.total > allowed:
        violations.append(presence.nth_day(allowed + 1))
    entries_limit = entries_allowed(visa)
    if entries_limit is not None and len(entries) > entries_limit:
        violations.append(entries[entries_limit].toordinal())
    schengen = visa.kind is VisaKind.SCHENGEN_C
    if schengen:
        over = first_violation(presence, window=params.window_days, limit=params.max_days, cap=None)
        if over is not None:
            violations.append(over)

    used = presence.upto(today)
    latest = None
    i = presence.span_at(today)
    if i is not None:
        start = presence.starts[i]
        latest = valid_until
        if allowed is not None:
            latest = min(latest, today + (allowed - used))
        if schengen:
            legal = latest_legal_day(
                presence, start, window=params.window_days, limit=params.max_days, cap=None
            )
            latest = start - 1 if legal is None else min(latest, legal)
        if latest < start:
            latest = None

    insurance = None
    if visa.kind is VisaKind.DE_NATIONAL_D:
        first = entries[0] if entries else visa.valid_from
        insurance = first + timedelta(days=params.d_visa_insurance_days - 1)

    overstay = band = tier = overstay_from = None
    if visa.kind in KZ_VISA_KINDS:
        overstay, first_over = _overstay(presence, today, valid_until, allowed)
        band, tier = overstay_band(overstay), overstay_tier(overstay)
        overstay_from = None if first_over is None else date.fromordinal(first_over)

    first_violation_day = min(violations) if violations else None
    return VisaAssessment(
        visa=replace(visa),
        on=on,
        valid_on_query_date=valid_from <= today <= valid_until,
        expires_on=until,
        days_to_expiry=valid_until - today,
        first_day_outside_validity=None if outside is None else date.fromordinal(outside),
        days_used=used,
        days_allowed=allowed,
        days_remaining=None if allowed is None else max(0, allowed - used),
        entries_used=sum(1 for e in entries if e <= on),
        entries_allowed=entries_limit,
        latest_legal_exit=None if latest is None else date.fromordinal(latest),
        insurance_cover_until=insurance,
        compliant=first_violation_day is None,
        first_violation_date=(
            None if first_violation_day is None else date.fromordinal(first_violation_day)
        ),
        rule=rule(VISA_TERMS[visa.kind].rule_key, on),
        overstay_days=overstay,
        overstay_band=band,
        overstay_tier=tier,
        overstay_from=overstay_from,
    )


def _overstay(
    presence: Presence, today: int, valid_until: int, allowed: int | None
) -> tuple[int, int | None]:
    """Days of the stay containing `today` (else the last one before) after the permitted
    period (the visa's last valid day, or the day its allowed days run out), and the first."""
    i = presence.span_at(today)
    if i is None:
        i = bisect_right(presence.ends, today) - 1
    if i < 0:
        return 0, None
    start, end = presence.starts[i], min(presence.ends[i], today)
    legal_end = valid_until
    if allowed is not None and presence.total > allowed:
        legal_end = min(legal_end, presence.nth_day(allowed))
    first_over = max(legal_end + 1, start)
    if first_over > end:
        return 0, None
    return end - first_over + 1, first_over
