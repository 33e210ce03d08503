"""Visas in the JSON contract: the request's `visas` and the report's `visas` figures.

A request may list the visas and permits its stays were made under (docs/rules.md §6-8,
§11-13); a stay names its visa by index (`"visa": 0`). Stays under a visa that replaces the
visa-free rules leave the 90/180 counting, as in `assess`, and each visa gets the figures of
`visa_assessment`.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from rules.errors import RequestError
from rules.types import EARLIEST_DAY, LATEST_DAY, Parameters, Stay, Visa, VisaKind
from rules.visas import VisaAssessment, expiry, new_visa, visa_assessment

Span = tuple[int, int | None]

# Visas whose periods replace the visa-free counting (docs/rules.md §7, §11, §12). A Schengen C
# visa does not: its days still count toward 90/180.
VISA_KINDS_EXEMPT_FROM_90_180 = frozenset(VisaKind) - {VisaKind.SCHENGEN_C}
# The largest number of days, entries or extensions a visa may state (a typing error beyond).
MOST_DAYS = 3660
MOST_ENTRIES = 1000


def _bad(message: str) -> RequestError:
    return RequestError("bad_request", message)


def _day(value: object, field: str) -> date:
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        parsed = date.fromisoformat(value)
    except ValueError:
        raise _bad(f"{field}: expected a valid date as YYYY-MM-DD, got {value!r}") from None
    if not EARLIEST_DAY <= parsed <= LATEST_DAY:
        raise _bad(f"{field}: {value} is outside the dates this engine counts")
    return parsed


def _count(value: object, field: str, least: int, most: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        raise _bad(f"{field}: expected a whole number from {least} to {most}, or null")
    return value


def _visa(raw: object, field: str, params: Parameters) -> Visa:
    if not isinstance(raw, dict):
        raise _bad(f"{field}: expected an object with kind, valid_from and valid_until")
    kind = raw.get("kind")
    if kind not in tuple(VisaKind):
        raise _bad(f"{field}.kind: unknown kind {kind!r}")
    kind = VisaKind(kind)
    valid_from = _day(raw.get("valid_from"), f"{field}.valid_from")
    until = raw.get("valid_until")
    if until is None:
        try:
            # The usual validity of the kind (B2, B12-1, B9-1, D visa; docs/rules.md §6-8, §12).
            valid_until = new_visa(kind, valid_from, params=params).valid_until
        except ValueError:
            raise _bad(f"{field}.valid_until: a {kind} visa needs its last valid day") from None
    else:
        valid_until = _day(until, f"{field}.valid_until")
    if valid_until < valid_from:
        raise _bad(f"{field}.valid_until: {valid_until} is before valid_from {valid_from}")
    country = raw.get("country", "")
    if not isinstance(country, str) or not (country == "" or len(country) == 2):
        raise _bad(f"{field}.country: expected a two-letter code such as DE")
    visa = Visa(
        kind=kind,
        valid_from=valid_from,
        valid_until=valid_until,
        entries_allowed=_count(
            raw.get("entries_allowed"), f"{field}.entries_allowed", 1, MOST_ENTRIES
        ),
        days_of_stay_allowed=_count(
            raw.get("days_of_stay_allowed"), f"{field}.days_of_stay_allowed", 1, MOST_DAYS
        ),
        country=country,
        extensions_granted=_count(
            raw.get("extensions_granted"), f"{field}.extensions_granted", 0, 10
        )
        or 0,
    )
    try:
        expiry(visa, params)
    except ValueError as error:
        raise _bad(f"{field}.extensions_granted: {error}") from None
    return visa


def parse_visas(
    value: object, raw_stays: Sequence[Any], params: Parameters
) -> tuple[list[Visa], list[int | None]]:
    """The request's visas and, for each stay, the index of the visa it was made under."""
    if not isinstance(value, list):
        raise _bad("visas: expected a list of visas")
    visas = [_visa(raw, f"visas[{i}]", params) for i, raw in enumerate(value)]
    links: list[int | None] = []
    for i, stay in enumerate(raw_stays):
        link = stay.get("visa") if isinstance(stay, dict) else None
        if link is not None and (
            isinstance(link, bool) or not isinstance(link, int) or not 0 <= link < len(visas)
        ):
            raise _bad(f"stays[{i}].visa: expected the index of one of the {len(visas)} visas")
        links.append(link)
    return visas, links


def counted_spans(
    stays: Sequence[Span], visas: Sequence[Visa], links: Sequence[int | None]
) -> list[Span] | None:
    """The stays that count toward 90/180; None when every stay does."""
    counted = [
        span
        for span, link in zip(stays, links, strict=True)
        if link is None or visas[link].kind not in VISA_KINDS_EXEMPT_FROM_90_180
    ]
    return None if len(counted) == len(stays) else counted


def visa_figures(
    stays: Sequence[Span],
    visas: Sequence[Visa],
    links: Sequence[int | None],
    *,
    on: date,
    params: Parameters,
) -> tuple[VisaAssessment, ...]:
    """Each visa's figures on `on` for the stays made under it (docs/rules.md §6-8, §11-12)."""
    under: list[list[Stay]] = [[] for _ in visas]
    for (entry, exit_), link in zip(stays, links, strict=True):
        if link is not None:
            end = None if exit_ is None else date.fromordinal(exit_)
            under[link].append(Stay(date.fromordinal(entry), end))
    return tuple(
        visa_assessment(visa, stays_under, on=on, params=params)
        for visa, stays_under in zip(visas, under, strict=True)
    )


def visa_json(found: VisaAssessment) -> dict[str, Any]:
    """One visa's figures as JSON-ready values: the visa as given, then its figures."""
    report: dict[str, Any] = {"kind": str(found.visa.kind)}
    for name in VisaAssessment.__slots__:
        if name in ("visa", "on", "rule"):
            continue
        value = getattr(found, name)
        report[name] = value.isoformat() if isinstance(value, date) else value
    report["rule"] = found.rule.key
    return report
