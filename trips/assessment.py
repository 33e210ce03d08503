"""The only bridge between the database and `rules`: models in, verdicts and findings out.

`evaluate()` turns one traveller's trips, visas and notifications into `rules` input, asks the
engine, and lists the findings (what needs attention, by when, and why). The status snapshot
that lists show and the alerts the compliance queue works are both made from these findings,
so a light on the dashboard and an alert in the queue never disagree.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

import rules

from .models import (
    STATUS_URGENCY,
    AddressChange,
    Alert,
    AlertEvent,
    AlertKind,
    Notification,
    Organisation,
    Status,
    StatusSnapshot,
    Traveller,
    Trip,
    Visa,
)

logger = logging.getLogger(__name__)

# Notification duties older than this are history, not a to-do.
EQONAQ_LOOKBACK_DAYS = 60


@dataclass(frozen=True)
class Finding:
    """One thing about a traveller that someone must know or do, and by when.

    `subject` tells apart findings of one kind (which trip, visa or address change), so that
    an alert about one stay is not mistaken for an alert about another. `params` holds only
    JSON-ready values: alerts store them and describe the finding in the reader's language.
    """

    kind: AlertKind
    severity: Status
    subject: str
    due_on: date | None
    params: dict = field(default_factory=dict)
    rule_key: str = ""

    @property
    def message(self) -> str:
        return describe(self.kind, self.params)

    @property
    def source(self) -> str:
        return legal_source(self.rule_key)


@dataclass(frozen=True)
class RegimeStatus:
    regime: rules.Regime
    report: rules.Assessment
    stays: tuple[rules.Stay, ...]


@dataclass(frozen=True)
class TravellerStatus:
    traveller: Traveller
    on: date
    kz: RegimeStatus | None
    schengen: RegimeStatus | None
    current_trip: Trip | None
    findings: tuple[Finding, ...]
    montage_days: int | None = None

    @property
    def status(self) -> Status:
        if not self.findings:
            return Status.OK
        return max((f.severity for f in self.findings), key=STATUS_URGENCY.__getitem__)

    @property
    def worst(self) -> Finding | None:
        if not self.findings:
            return None
        return min(
            self.findings,
            key=lambda f: (-STATUS_URGENCY[f.severity], f.due_on or date.max, f.kind),
        )

    @property
    def reason(self) -> str:
        worst = self.worst
        return worst.message if worst else _("Within every limit.")

    @property
    def next_deadline(self) -> Finding | None:
        upcoming = [f for f in self.findings if f.due_on is not None and f.due_on >= self.on]
        return min(upcoming, key=lambda f: f.due_on) if upcoming else None


# --- From models to rules input ---------------------------------------------------------


def parameters(organisation: Organisation) -> rules.Parameters:
    """The organisation's choices among the rule parameters RULES.md §15 leaves open."""
    return rules.Parameters(
        eqonaq_counts_arrival_day=organisation.eqonaq_counts_arrival_day,
        tax_window=organisation.tax_window,
        montage_year_mode=organisation.montage_year,
    )


def rules_visa(visa: Visa) -> rules.Visa:
    return rules.Visa(
        kind=rules.VisaKind(visa.kind),
        valid_from=visa.valid_from,
        valid_until=visa.valid_until,
        entries_allowed=visa.entries_allowed,
        days_of_stay_allowed=visa.days_allowed,
        country=visa.country,
    )


def rules_stay(trip: Trip) -> rules.Stay:
    return rules.Stay(
        entry=trip.entry,
        exit=trip.exit,
        label=str(trip.pk or ""),
        visa=rules_visa(trip.visa) if trip.visa_id else None,
    )


def stays_by_regime(traveller: Traveller, trips: Iterable[Trip]) -> dict[rules.Regime, list]:
    """The traveller's trips as `rules` stays, grouped by the rule set that counts them."""
    grouped: dict[rules.Regime, list[Trip]] = {}
    for trip in trips:
        regime = rules.regime_for_trip(
            trip.country, citizenship=traveller.citizenship, entry=trip.entry
        )
        if regime is not None:
            grouped.setdefault(regime, []).append(trip)
    return grouped


def with_related(travellers):
    """A traveller queryset with everything `evaluate()` reads, in a constant number of queries."""
    trips = Trip.objects.select_related("visa").prefetch_related(
        Prefetch("notifications", queryset=Notification.objects.order_by("filed_on")),
        Prefetch(
            "address_changes",
            queryset=AddressChange.objects.prefetch_related("notifications"),
        ),
    )
    return travellers.select_related("organisation").prefetch_related(
        Prefetch("trips", queryset=trips.order_by("entry"))
    )


# --- Evaluation ----------------------------------------------------------------------------


def evaluate(traveller: Traveller, *, on: date) -> TravellerStatus:
    """Everything the law says about `traveller` on `on`, with the findings that follow."""
    organisation = traveller.organisation
    params = parameters(organisation)
    trips = sorted(traveller.trips.all(), key=lambda t: (t.entry, t.pk or 0))
    grouped = stays_by_regime(traveller, trips)
    current_trip = next(
        (t for t in reversed(trips) if t.entry <= on and (t.exit is None or t.exit >= on)), None
    )

    regimes: dict[rules.Regime, RegimeStatus] = {}
    for regime, regime_trips in grouped.items():
        stays = tuple(rules_stay(t) for t in regime_trips)
        report = rules.assess(stays, regime=regime, on=on, options=params)
        regimes[regime] = RegimeStatus(regime, report, stays)

    findings: list[Finding] = []
    kz = regimes.get(rules.Regime.KZ_VISA_FREE)
    schengen = regimes.get(rules.Regime.SCHENGEN)
    kz_trips = grouped.get(rules.Regime.KZ_VISA_FREE, [])
    if kz is not None:
        findings += allowance_findings(kz, organisation, on=on)
        findings += stay_findings(kz, organisation, on=on)
        findings += overstay_findings(kz, on=on)
        findings += registration_findings(kz_trips, on=on)
        findings += eqonaq_findings(kz_trips, params, on=on)
        findings += tax_findings(kz.report, organisation, on=on)
    if schengen is not None:
        findings += allowance_findings(schengen, organisation, on=on)
        findings += stay_findings(schengen, organisation, on=on)
        findings += overstay_findings(schengen, on=on)
    findings += visa_findings(trips, organisation, on=on)
    montage = montage_days(kz_trips, params, on=on)
    if montage is not None:
        findings += montage_findings(montage, organisation, on=on)

    return TravellerStatus(
        traveller=traveller,
        on=on,
        kz=kz,
        schengen=schengen,
        current_trip=current_trip,
        findings=tuple(findings),
        montage_days=montage,
    )


def _regime_key(regime: rules.Regime) -> str:
    return "kz" if regime is rules.Regime.KZ_VISA_FREE else "schengen"


def _area_name(regime: rules.Regime) -> str:
    return _("Kazakhstan") if regime is rules.Regime.KZ_VISA_FREE else _("the Schengen area")


def allowance_findings(status: RegimeStatus, organisation: Organisation, *, on: date):
    report = status.report
    key = _regime_key(status.regime)
    rule_key = "kz_90_180" if key == "kz" else "schengen_90_180"
    if report.first_violation_date is not None and report.first_violation_date > on:
        yield Finding(
            AlertKind.PLAN_BREAKS_ALLOWANCE,
            Status.ACTION,
            f"{key}:plan",
            report.first_violation_date,
            {"area": key, "date": report.first_violation_date.isoformat()},
            rule_key,
        )
    recently_present = report.days_used > 0
    if recently_present and 0 < report.remaining <= organisation.allowance_warning_days:
        yield Finding(
            AlertKind.ALLOWANCE_LOW,
            Status.ATTENTION,
            f"{key}:allowance",
            None,
            {"area": key, "left": report.remaining, "used": report.days_used},
            rule_key,
        )


def stay_findings(status: RegimeStatus, organisation: Organisation, *, on: date):
    """Day 25 of a 30-day visa-free stay, and a latest legal exit close ahead (RULES.md §1-2, §11).

    Stays on a visa that replaces the visa-free rules are not in the report (rules.assess leaves
    them out); their limits are the visa's (`visa_findings`).
    """
    report = status.report
    if not report.present_on_query_date or report.latest_legal_exit is None:
        return
    if report.latest_legal_exit < on:
        return  # already over: an overstay finding says so
    key = _regime_key(status.regime)
    subject = f"{key}:stay:{report.current_stay_entry.isoformat()}"
    days_to_exit = (report.latest_legal_exit - on).days
    params = {
        "area": key,
        "day": report.current_stay_length,
        "exit": report.latest_legal_exit.isoformat(),
        "days_to_exit": days_to_exit,
    }
    kz = status.regime is rules.Regime.KZ_VISA_FREE
    if kz and report.current_stay_length >= organisation.stay_day_warning:
        yield Finding(
            AlertKind.STAY_DAY,
            Status.ATTENTION,
            subject,
            report.latest_legal_exit,
            params,
            "kz_per_stay_cap",
        )
    if days_to_exit <= organisation.exit_warning_days:
        yield Finding(
            AlertKind.EXIT_SOON,
            Status.ACTION,
            subject,
            report.latest_legal_exit,
            params,
            "kz_per_stay_cap" if kz else "schengen_90_180",
        )


def overstay_findings(status: RegimeStatus, *, on: date):
    """Days present after the last legal day (RULES.md §5, §11)."""
    report = status.report
    if not report.overstay_days:
        return
    entry = report.overstay_stay_entry
    params = {"days": report.overstay_days, "entry": entry.isoformat()}
    if status.regime is rules.Regime.SCHENGEN:
        yield Finding(
            AlertKind.SCHENGEN_OVERSTAY,
            Status.OVERSTAY,
            f"schengen:overstay:{entry}",
            None,
            params,
            "schengen_90_180",
        )
        return
    consequence = rules.overstay_consequence(report.overstay_days, on=on)
    params |= {"band": report.overstay_band, "consequence": consequence.text}
    kind = (
        AlertKind.OVERSTAY_WARNING
        if report.overstay_tier == "warning"
        else AlertKind.OVERSTAY_SANCTION
    )
    yield Finding(kind, Status.OVERSTAY, f"kz:overstay:{entry}", None, params, "kz_overstay")


def registration_findings(trips: Sequence[Trip], *, on: date):
    """A stay over 30 days needs a temporary registration by its 30th day (RULES.md §4).

    Counted on physical presence, visa stays included: the duty follows the length of the stay,
    not the rule that allows it.
    """
    current = next((t for t in trips if t.entry <= on and (t.exit is None or t.exit >= on)), None)
    trip = current or next((t for t in trips if t.entry > on), None)
    if trip is None:
        return
    length = ((trip.exit or on) - trip.entry).days + 1
    verdict = rules.registration(trip.entry, length)
    if not verdict.required:
        return
    yield Finding(
        AlertKind.REGISTRATION_NEEDED,
        Status.ACTION,
        f"kz:registration:{trip.entry.isoformat()}",
        verdict.deadline,
        {"entry": trip.entry.isoformat(), "deadline": verdict.deadline.isoformat()},
        "kz_registration",
    )


def eqonaq_findings(trips: Sequence[Trip], params: rules.Parameters, *, on: date):
    """The host's eQonaq duty after each entry and each address change (RULES.md §3)."""
    duties: list[tuple[str, date, bool]] = []
    for trip in trips:
        if trip.entry > on:
            continue
        arrival_filed = any(
            n.reason == Notification.Reason.ARRIVAL for n in trip.notifications.all()
        )
        duties.append((f"trip:{trip.pk}", trip.entry, arrival_filed))
        for change in trip.address_changes.all():
            if change.changed_on <= on:
                duties.append(
                    (f"change:{change.pk}", change.changed_on, bool(change.notifications.all()))
                )
    for subject, event_day, filed in duties:
        if filed or (on - event_day).days > EQONAQ_LOOKBACK_DAYS:
            continue
        deadline = rules.eqonaq_deadline(
            event_day, counts_arrival_day=params.eqonaq_counts_arrival_day
        )
        event = {
            "subject": subject.split(":")[0],
            "event_day": event_day.isoformat(),
            "deadline": deadline.isoformat(),
        }
        if deadline < on:
            yield Finding(
                AlertKind.EQONAQ_OVERDUE,
                Status.ACTION,
                f"eqonaq:{subject}",
                deadline,
                event,
                "eqonaq_notification",
            )
        else:
            yield Finding(
                AlertKind.EQONAQ_DUE,
                Status.ACTION if deadline <= on + timedelta(days=1) else Status.ATTENTION,
                f"eqonaq:{subject}",
                deadline,
                event,
                "eqonaq_notification",
            )


def tax_findings(report: rules.Assessment, organisation: Organisation, *, on: date):
    """DTA Germany-Kazakhstan art. 15: more than 183 days in 12 months (RULES.md §9)."""
    if report.tax_183_exceeded:
        yield Finding(
            AlertKind.TAX_CROSSED,
            Status.ACTION,
            "tax:183",
            report.tax_183_crossing_date,
            {"days": report.tax_days, "date": report.tax_183_crossing_date.isoformat()},
            "dta_183",
        )
    elif report.tax_days >= organisation.tax_warning_days:
        crossing = report.tax_183_crossing_date
        yield Finding(
            AlertKind.TAX_APPROACHING,
            Status.ATTENTION,
            "tax:183",
            crossing,
            {"days": report.tax_days, "date": crossing.isoformat() if crossing else None},
            "dta_183",
        )


def visa_findings(trips: Sequence[Trip], organisation: Organisation, *, on: date):
    """Stays that depend on a visa: its validity, its allowed days, its expiry (RULES.md §6-8)."""
    by_visa: dict[int, list[Trip]] = {}
    visas: dict[int, Visa] = {}
    for trip in trips:
        if trip.visa_id is not None:
            by_visa.setdefault(trip.visa_id, []).append(trip)
            visas[trip.visa_id] = trip.visa
    for visa_id, visa_trips in by_visa.items():
        visa = visas[visa_id]
        verdict = rules.visa_assessment(
            rules_visa(visa), [rules_stay(t) for t in visa_trips], on=on
        )
        subject = f"visa:{visa_id}"
        rule_key = verdict.rule.key
        base = {"visa": str(visa), "until": verdict.expires_on.isoformat()}
        outside = verdict.first_day_outside_validity
        if outside is not None:
            yield Finding(
                AlertKind.VISA_OUTSIDE_VALIDITY,
                Status.OVERSTAY if outside <= on else Status.ACTION,
                subject,
                outside,
                base | {"date": outside.isoformat()},
                rule_key,
            )
        elif verdict.first_violation_date is not None:
            # Over the allowed days or entries (or, for a C visa, its 90/180).
            day = verdict.first_violation_date
            yield Finding(
                AlertKind.VISA_DAYS_EXCEEDED,
                Status.OVERSTAY if day <= on else Status.ACTION,
                subject,
                day,
                base | {"date": day.isoformat(), "allowed": verdict.days_allowed},
                rule_key,
            )
        depends = any(t.exit is None or t.exit >= on for t in visa_trips)
        to_expiry = verdict.days_to_expiry
        if depends and 0 <= to_expiry <= organisation.visa_expiry_warning_days:
            yield Finding(
                AlertKind.VISA_EXPIRING,
                Status.ATTENTION,
                subject,
                verdict.expires_on,
                base | {"days": to_expiry},
                rule_key,
            )


def montage_days(trips: Sequence[Trip], params: rules.Parameters, *, on: date) -> int | None:
    """Presence days on Montage trips in the year (RULES.md §6), None without any."""
    montage = [rules_stay(t) for t in trips if t.purpose == Trip.Purpose.MONTAGE]
    if not montage:
        return None
    return rules.montage_days(montage, on=on, year_mode=params.montage_year_mode)


def montage_findings(days: int, organisation: Organisation, *, on: date):
    cap = rules.DEFAULTS.montage_cap_days
    if days > cap:
        yield Finding(
            AlertKind.MONTAGE_EXCEEDED,
            Status.ACTION,
            f"montage:{on.year}",
            None,
            {"days": days, "cap": cap},
            "kz_montage",
        )
    elif days >= organisation.montage_warning_days:
        yield Finding(
            AlertKind.MONTAGE_APPROACHING,
            Status.ATTENTION,
            f"montage:{on.year}",
            None,
            {"days": days, "cap": cap},
            "kz_montage",
        )


# --- Words -------------------------------------------------------------------------------


def _day(value: str | None) -> str:
    if not value:
        return "–"
    return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")


def describe(kind: str, params: dict) -> str:
    """A finding in words, in the active language (alerts and emails call it too)."""
    area = _("Kazakhstan") if params.get("area") == "kz" else _("the Schengen area")
    match kind:
        case AlertKind.ALLOWANCE_LOW:
            return ngettext(
                "Only %(left)d day left of 90 in 180 in %(area)s.",
                "Only %(left)d days left of 90 in 180 in %(area)s.",
                params["left"],
            ) % {"left": params["left"], "area": area}
        case AlertKind.PLAN_BREAKS_ALLOWANCE:
            return _("The planned trips break the 90/180 rule in %(area)s on %(date)s.") % {
                "area": area,
                "date": _day(params["date"]),
            }
        case AlertKind.STAY_DAY:
            return _("Day %(day)d of a 30-day visa-free stay; leave by %(exit)s.") % {
                "day": params["day"],
                "exit": _day(params["exit"]),
            }
        case AlertKind.EXIT_SOON:
            return ngettext(
                "Latest legal exit %(exit)s, in %(n)d day.",
                "Latest legal exit %(exit)s, in %(n)d days.",
                params["days_to_exit"],
            ) % {"exit": _day(params["exit"]), "n": params["days_to_exit"]}
        case AlertKind.EQONAQ_DUE | AlertKind.EQONAQ_OVERDUE:
            event = _("arrival") if params["subject"] == "trip" else _("address change")
            text = (
                _("eQonaq notification for the %(event)s on %(day)s is overdue since %(deadline)s.")
                if kind == AlertKind.EQONAQ_OVERDUE
                else _("eQonaq notification for the %(event)s on %(day)s is due by %(deadline)s.")
            )
            return text % {
                "event": event,
                "day": _day(params["event_day"]),
                "deadline": _day(params["deadline"]),
            }
        case AlertKind.REGISTRATION_NEEDED:
            return _(
                "The stay from %(entry)s exceeds 30 days: temporary registration by %(deadline)s."
            ) % {"entry": _day(params["entry"]), "deadline": _day(params["deadline"])}
        case AlertKind.OVERSTAY_WARNING | AlertKind.OVERSTAY_SANCTION:
            return ngettext(
                "Overstay of %(days)d day after the stay from %(entry)s: %(consequence)s",
                "Overstay of %(days)d days after the stay from %(entry)s: %(consequence)s",
                params["days"],
            ) % {
                "days": params["days"],
                "entry": _day(params["entry"]),
                "consequence": consequence_text(params.get("band"), params["consequence"]),
            }
        case AlertKind.SCHENGEN_OVERSTAY:
            return ngettext(
                "Overstay of %(days)d day in the Schengen area (stay from %(entry)s).",
                "Overstay of %(days)d days in the Schengen area (stay from %(entry)s).",
                params["days"],
            ) % {"days": params["days"], "entry": _day(params["entry"])}
        case AlertKind.VISA_EXPIRING:
            return ngettext(
                "%(visa)s expires on %(until)s, in %(days)d day, while a stay depends on it.",
                "%(visa)s expires on %(until)s, in %(days)d days, while a stay depends on it.",
                params["days"],
            ) % {"visa": params["visa"], "until": _day(params["until"]), "days": params["days"]}
        case AlertKind.VISA_OUTSIDE_VALIDITY:
            return _("A stay on %(visa)s runs outside its validity from %(date)s.") % {
                "visa": params["visa"],
                "date": _day(params["date"]),
            }
        case AlertKind.VISA_DAYS_EXCEEDED:
            return _("Stays on %(visa)s exceed its %(allowed)s allowed days from %(date)s.") % {
                "visa": params["visa"],
                "allowed": params["allowed"],
                "date": _day(params["date"]),
            }
        case AlertKind.MONTAGE_APPROACHING | AlertKind.MONTAGE_EXCEEDED:
            return _("%(days)d Montage days this year (at most %(cap)d).") % params
        case AlertKind.TAX_APPROACHING:
            if params.get("date"):
                return _("%(days)d days in Kazakhstan in 12 months; day 184 would be %(date)s.") % {
                    "days": params["days"],
                    "date": _day(params["date"]),
                }
            return (
                _("%(days)d days in Kazakhstan in 12 months (salary tax moves after 183).") % params
            )
        case AlertKind.TAX_CROSSED:
            return _(
                "More than 183 days in Kazakhstan in 12 months since %(date)s: "
                "salary is taxable there."
            ) % {"date": _day(params["date"])}
    return str(kind)


def legal_source(rule_key: str) -> str:
    if not rule_key:
        return ""
    found = rules.rule(rule_key)
    return f"{found.legal_basis} ({found.section})"


# --- Snapshots ---------------------------------------------------------------------------


def snapshot_fields(status: TravellerStatus) -> dict:
    kz, schengen, trip = status.kz, status.schengen, status.current_trip
    present = next((r for r in (kz, schengen) if r and r.report.present_on_query_date), None)
    next_deadline = status.next_deadline
    stay_cap = None
    if present is not None and present is kz and trip is not None:
        stay_cap = trip.visa.days_allowed if trip.visa_id else rules.DEFAULTS.per_stay_cap_days
    return {
        "evaluated_on": status.on,
        "status": status.status,
        "urgency": STATUS_URGENCY[status.status],
        "reason": status.reason[:300],
        "location": trip.country if trip else "",
        "location_since": trip.entry if trip else None,
        "stay_day": present.report.current_stay_length if present else None,
        "stay_cap": stay_cap,
        "kz_days_used": kz.report.days_used if kz else 0,
        "kz_days_left": kz.report.remaining if kz else rules.DEFAULTS.max_days,
        "schengen_days_used": schengen.report.days_used if schengen else None,
        "schengen_days_left": schengen.report.remaining if schengen else None,
        "latest_legal_exit": present.report.latest_legal_exit if present else None,
        "next_deadline": next_deadline.due_on if next_deadline else None,
        "next_deadline_label": next_deadline.message[:200] if next_deadline else "",
        "reason_kind": status.worst.kind if status.worst else "",
        "reason_params": status.worst.params if status.worst else {},
        "next_deadline_kind": next_deadline.kind if next_deadline else "",
        "next_deadline_params": next_deadline.params if next_deadline else {},
        "tax_days": kz.report.tax_days if kz else 0,
        "overstay_days": max(
            (r.report.overstay_days for r in (kz, schengen) if r is not None), default=0
        ),
    }


def refresh_snapshot(traveller: Traveller, *, on: date) -> StatusSnapshot:
    """Recompute one traveller's snapshot; call it inside the transaction that changed them."""
    status = evaluate(traveller, on=on)
    snapshot, _created = StatusSnapshot.objects.update_or_create(
        traveller=traveller, defaults=snapshot_fields(status)
    )
    return snapshot


def refresh_snapshots(travellers, *, on: date, batch_size: int = 500) -> int:
    """Recompute the snapshots of many travellers (the daily run: dates move, data may not)."""
    count = 0
    queryset = with_related(travellers.order_by("pk"))
    for start in range(0, queryset.count(), batch_size):
        batch = list(queryset[start : start + batch_size])
        with transaction.atomic():
            for traveller in batch:
                refresh_snapshot(traveller, on=on)
                count += 1
    return count


def traveller_changed(traveller: Traveller, *, on: date) -> StatusSnapshot:
    """Everything that follows a change to a traveller's trips, visas or notifications.

    Call it inside the transaction that made the change (trips/services.py does): the snapshot
    is refreshed in that same transaction, so lists never show figures the data no longer
    supports. Work that must wait for the commit (refreshing the traveller's alerts, issue 6)
    belongs here too, scheduled with `transaction.on_commit`, so that every caller gets it.
    The alerts (and their emails) wait for the commit, so that a rolled-back change raises no
    alert and sends no email; `robust` keeps a failing mail server from failing the request.
    """
    snapshot = refresh_snapshot(traveller, on=on)
    transaction.on_commit(partial(refresh_alerts_for_traveller, traveller.pk, on=on), robust=True)
    return snapshot


# --- Alerts (issue 6) --------------------------------------------------------------------


@dataclass
class RefreshResult:
    """What one run of `refresh_alerts()` did."""

    travellers: int = 0
    opened: int = 0
    updated: int = 0
    closed: int = 0
    cleared: int = 0
    unchanged: int = 0
    failed: int = 0

    def __str__(self) -> str:
        text = (
            f"{self.travellers} travellers: {self.opened} alerts opened, "
            f"{self.updated} updated, {self.closed} closed, {self.cleared} cleared, "
            f"{self.unchanged} unchanged"
        )
        return text + (f", {self.failed} travellers failed" if self.failed else "")


def refresh_alerts(*, on: date, travellers=None, batch_size: int = 200) -> RefreshResult:
    """Make the alerts agree with the findings on `on`: the only place alerts come from.

    For each traveller, a finding without a live alert opens one; a live alert whose finding
    is gone closes with the reason (or, if someone resolved it, records that the situation
    ended, so that it may arise again); the others take the finding's severity, due date and
    details. Running it twice changes nothing; two runs at once are kept from opening the
    same alert twice by the database (`trips_alert_one_live_alert_per_subject`).
    """
    if travellers is None:
        travellers = Traveller.objects.all()
    result = RefreshResult()
    pks = list(travellers.order_by("pk").values_list("pk", flat=True))
    live = Prefetch("alerts", queryset=Alert.objects.live().order_by("pk"), to_attr="live_alerts")
    for start in range(0, len(pks), batch_size):
        batch = with_related(Traveller.objects.filter(pk__in=pks[start : start + batch_size]))
        for traveller in batch.prefetch_related(live).order_by("pk"):
            try:
                findings = _current_findings(traveller, on=on)
            except rules.RequestError:
                # Data the engine refuses (an open trip starting after `on`): keep this
                # traveller's alerts as they are rather than close them, and go on.
                logger.exception("Alerts of traveller %s not refreshed", traveller.pk)
                result.failed += 1
                continue
            result.travellers += 1
            if _in_step(traveller.live_alerts, findings):
                result.unchanged += len(findings)
                continue  # the common case in a daily run: no transaction, no query
            with transaction.atomic():
                _refresh_traveller_alerts(traveller, findings, on=on, result=result)
    return result


def refresh_alerts_for_traveller(traveller_pk: int, *, on: date) -> RefreshResult:
    """One traveller's alerts, then the emails for any new urgent one (run after commit)."""
    from . import notify  # notify reads assessment's words: import here, not at the top

    travellers = Traveller.objects.filter(pk=traveller_pk)
    result = refresh_alerts(on=on, travellers=travellers)
    notify.send_alert_emails(travellers=travellers)
    return result


def _current_findings(traveller: Traveller, *, on: date) -> dict[tuple[str, str], Finding]:
    if not traveller.active or traveller.erased_at is not None:
        return {}
    return {(f.kind, f.subject): f for f in evaluate(traveller, on=on).findings}


def _in_step(alerts: Sequence[Alert], findings: dict[tuple[str, str], Finding]) -> bool:
    """Whether the live alerts say exactly what the findings say."""
    if len(alerts) != len(findings):
        return False
    for alert in alerts:
        finding = findings.get((alert.kind, alert.subject))
        if finding is None or _changes(alert, finding):
            return False
    return True


def _changes(alert: Alert, finding: Finding) -> dict:
    fields = {
        "severity": finding.severity,
        "due_on": finding.due_on,
        "params": finding.params,
        "rule_key": finding.rule_key,
    }
    changes = {name: value for name, value in fields.items() if getattr(alert, name) != value}
    worse = STATUS_URGENCY[finding.severity] > STATUS_URGENCY[Status(alert.severity)]
    if alert.state == Alert.State.RESOLVED and worse:
        # Resolved while it was milder (a planned stay outside a visa, now a real one).
        changes |= {"state": Alert.State.OPEN, "resolved_at": None}
    return changes


def _refresh_traveller_alerts(
    traveller: Traveller, findings: dict, *, on: date, result: RefreshResult
) -> None:
    now = timezone.now()
    for alert in traveller.live_alerts:
        finding = findings.pop((alert.kind, alert.subject), None)
        if finding is not None:
            _update_alert(alert, finding, result=result)
        elif alert.state == Alert.State.RESOLVED:
            cleared = Alert.objects.filter(
                pk=alert.pk, state=Alert.State.RESOLVED, cleared_at__isnull=True
            ).update(cleared_at=now)
            if cleared:
                alert.record(AlertEvent.Action.CLEARED, note=_closing_reason(traveller, alert, on))
                result.cleared += 1
        else:
            reason = _closing_reason(traveller, alert, on)
            closed = Alert.objects.filter(pk=alert.pk, state__in=Alert.ACTIVE_STATES).update(
                state=Alert.State.CLOSED, closed_at=now, closed_reason=reason[:300]
            )
            if closed:
                alert.record(AlertEvent.Action.CLOSED, note=reason)
                result.closed += 1
    # A fixed order, so that two overlapping runs take the same locks in the same order.
    for kind, subject in sorted(findings):
        finding = findings[(kind, subject)]
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    traveller=traveller,
                    kind=finding.kind,
                    subject=finding.subject,
                    severity=finding.severity,
                    due_on=finding.due_on,
                    params=finding.params,
                    rule_key=finding.rule_key,
                    opened_on=on,
                )
                alert.record(AlertEvent.Action.OPENED)
        except IntegrityError:
            # Another run opened it a moment ago: the constraint did its job.
            result.unchanged += 1
        else:
            result.opened += 1


def _update_alert(alert: Alert, finding: Finding, *, result: RefreshResult) -> None:
    changes = _changes(alert, finding)
    if not changes:
        result.unchanged += 1
        return
    Alert.objects.filter(pk=alert.pk).update(**changes)
    if changes.get("state") == Alert.State.OPEN:
        alert.record(AlertEvent.Action.REOPENED, note=str(Status(finding.severity).label))
    result.updated += 1


def _closing_reason(traveller: Traveller, alert: Alert, on: date) -> str:
    """Why an alert's situation ended, in the site's language (it is stored, not shown live)."""
    with translation.override(settings.LANGUAGE_CODE):
        if not traveller.active or traveller.erased_at is not None:
            return _("The traveller is no longer active.")
        if alert.kind in {AlertKind.EQONAQ_DUE, AlertKind.EQONAQ_OVERDUE}:
            filed = _eqonaq_filed_on(traveller, alert.subject)
            if filed is not None:
                return _("Notification filed on %(date)s.") % {
                    "date": formats.date_format(filed, "DATE_FORMAT")
                }
        if alert.kind == AlertKind.EQONAQ_DUE:
            # Not filed by the deadline: the overdue alert takes over.
            return _("The deadline passed: now overdue.")
        return _("No longer the case on %(date)s.") % {
            "date": formats.date_format(on, "DATE_FORMAT")
        }


def _eqonaq_filed_on(traveller: Traveller, subject: str) -> date | None:
    """The filing date of the notification that discharged an eQonaq duty, if any."""
    _prefix, what, pk = (subject.split(":") + ["", "", ""])[:3]
    for trip in traveller.trips.all():
        if what == "trip" and str(trip.pk) == pk:
            filed = [n.filed_on for n in trip.notifications.all() if n.reason == "arrival"]
            return min(filed, default=None)
        for change in trip.address_changes.all():
            if what == "change" and str(change.pk) == pk:
                return min((n.filed_on for n in change.notifications.all()), default=None)
    return None


# --- The traveller page: details behind the numbers, and the "what if" planner ----------

# The timeline shows this many days before and after the evaluation date.
TIMELINE_DAYS = 180


@dataclass(frozen=True)
class RegimeDetails:
    """One rule set's figures for the traveller page: the report, why, and day by day."""

    regime: rules.Regime
    key: str
    report: rules.Assessment
    explanation: rules.Explanation
    series: tuple[tuple[date, int], ...]
    trips: tuple[Trip, ...]
    findings: tuple[Finding, ...]
    consequence: rules.Consequence | None


@dataclass(frozen=True)
class StatusDetails:
    status: TravellerStatus
    regimes: tuple[RegimeDetails, ...]
    visas: tuple[tuple[Visa, rules.VisaAssessment], ...]
    montage: rules.MontageUsage | None
    other_findings: tuple[Finding, ...]


def _finding_regime(finding: Finding) -> str | None:
    if finding.subject.startswith(("kz:", "eqonaq:", "tax:", "montage:")):
        return "kz"
    if finding.subject.startswith("schengen:"):
        return "schengen"
    return None


def status_details(traveller: Traveller, *, on: date) -> StatusDetails:
    """Everything the traveller page explains: per rule set the window, the trips in it, the
    days coming back, the usage day by day over 180 days back and ahead, and the findings."""
    status = evaluate(traveller, on=on)
    params = parameters(traveller.organisation)
    trips = sorted(traveller.trips.all(), key=lambda t: (t.entry, t.pk or 0))
    grouped = stays_by_regime(traveller, trips)
    regimes = []
    for regime_status in (status.kz, status.schengen):
        if regime_status is None:
            continue
        key = _regime_key(regime_status.regime)
        series = rules.usage_series(
            regime_status.stays,
            start=on - timedelta(days=TIMELINE_DAYS),
            end=on + timedelta(days=TIMELINE_DAYS),
            on=on,
            options=params,
        )
        overstay = regime_status.report.overstay_days
        regimes.append(
            RegimeDetails(
                regime=regime_status.regime,
                key=key,
                report=regime_status.report,
                explanation=rules.explain(
                    regime_status.stays, regime=regime_status.regime, on=on, options=params
                ),
                series=tuple(series),
                trips=tuple(grouped.get(regime_status.regime, ())),
                findings=tuple(f for f in status.findings if _finding_regime(f) == key),
                consequence=(
                    rules.overstay_consequence(overstay, on=on)
                    if overstay and key == "kz"
                    else None
                ),
            )
        )
    visas = {}
    for trip in trips:
        if trip.visa_id is not None:
            visas.setdefault(trip.visa_id, (trip.visa, []))[1].append(rules_stay(trip))
    kz_trips = grouped.get(rules.Regime.KZ_VISA_FREE, [])
    montage_stays = [rules_stay(t) for t in kz_trips if t.purpose == Trip.Purpose.MONTAGE]
    return StatusDetails(
        status=status,
        regimes=tuple(regimes),
        visas=tuple(
            (visa, rules.visa_assessment(rules_visa(visa), stays, on=on))
            for visa, stays in visas.values()
        ),
        montage=(
            rules.montage_usage(montage_stays, on=on, year_mode=params.montage_year_mode)
            if montage_stays
            else None
        ),
        other_findings=tuple(f for f in status.findings if _finding_regime(f) is None),
    )


class PlanError(ValueError):
    """A plan the planner cannot answer: the message says what to change."""


@dataclass(frozen=True)
class PlanAnswer:
    """What the law says about one planned stay, with and without it (RULES.md §1-4, §9, §11)."""

    country: str
    entry: date
    exit: date | None
    regime: rules.Regime | None
    legal: bool | None = None
    deciding_rule: rules.Rule | None = None
    latest_legal_exit: date | None = None
    max_stay_days: int | None = None
    first_violation: date | None = None
    earliest_fit: date | None = None
    days_used_at_exit: int | None = None
    registration_required: bool | None = None
    registration_deadline: date | None = None
    eqonaq_deadline: date | None = None
    tax_days_without: int | None = None
    tax_days_with: int | None = None
    tax_crossing_without: date | None = None
    tax_crossing_with: date | None = None
    assumes_current_stay_ends: date | None = None

    @property
    def length(self) -> int | None:
        return None if self.exit is None else (self.exit - self.entry).days + 1


# Longer plans are typing mistakes, not plans; the engine would answer them slowly.
PLAN_MAX_DAYS = 1000


def plan(
    traveller: Traveller,
    *,
    country: str,
    entry: date,
    exit: date | None = None,
    length: int | None = None,
    on: date,
) -> PlanAnswer:
    """The "what if" planner: a stay in `country` from `entry` to `exit` (or for `length` days)
    checked against the traveller's trips, planned ones included. Raises `PlanError`."""
    if length is not None:
        if length < 1:
            raise PlanError(_("A stay lasts at least one day."))
        if exit is None:
            exit = entry + timedelta(days=length - 1)
    if exit is not None and exit < entry:
        raise PlanError(_("The exit date is before the entry date."))
    if entry < on:
        raise PlanError(
            _("The entry date is in the past: the planner looks ahead. Record past trips instead.")
        )
    if exit is not None and (exit - entry).days + 1 > PLAN_MAX_DAYS:
        raise PlanError(_("Plans are limited to %(n)d days.") % {"n": PLAN_MAX_DAYS})
    draft = Trip(traveller=traveller, country=country, entry=entry, exit=exit)
    conflicts = draft.conflicting_trips()
    if conflicts and conflicts[0].exit is None:
        raise PlanError(
            _("The trip %(trip)s has no exit date yet: record its (planned) exit first.")
            % {"trip": str(conflicts[0])}
        )
    if conflicts:
        raise PlanError(_("The plan overlaps the trip %(trip)s.") % {"trip": str(conflicts[0])})

    regime = rules.regime_for_trip(country, citizenship=traveller.citizenship, entry=entry)
    if regime is None:
        return PlanAnswer(country=country, entry=entry, exit=exit, regime=None, legal=True)
    params = parameters(traveller.organisation)
    trips = [
        t
        for t in traveller.trips.all()
        if rules.regime_for_trip(t.country, citizenship=traveller.citizenship, entry=t.entry)
        is regime
    ]
    stays = [rules_stay(t) for t in sorted(trips, key=lambda t: (t.entry, t.pk or 0))]
    lengths = [] if exit is None else [(exit - entry).days + 1]
    without = rules.assess(
        stays, regime=regime, on=on, planned_entry=entry, reentry_lengths=lengths, options=params
    )
    # With a later entry planned, the current stay must end first; count it up to today.
    closed = [s if s.exit is not None else rules.Stay(s.entry, on, s.label, s.visa) for s in stays]
    ends_today = on if len(closed) and any(s.exit is None for s in stays) else None
    answer = {
        "latest_legal_exit": without.planned_latest_legal_exit,
        "max_stay_days": without.planned_max_stay_days,
        "earliest_fit": without.earliest_reentry.get(lengths[0]) if lengths else None,
        "assumes_current_stay_ends": ends_today,
    }
    kz = regime is rules.Regime.KZ_VISA_FREE
    if exit is None:
        if kz:
            answer["eqonaq_deadline"] = rules.eqonaq_deadline(
                entry, counts_arrival_day=params.eqonaq_counts_arrival_day
            )
        return PlanAnswer(country=country, entry=entry, exit=None, regime=regime, **answer)

    planned = rules.Stay(entry, exit, "plan")
    with_plan = [*closed, planned]
    at_exit = rules.assess(with_plan, regime=regime, on=exit, options=params)
    at_entry = rules.assess(with_plan, regime=regime, on=entry, options=params)
    why = rules.explain(with_plan, regime=regime, on=entry, options=params)
    answer |= {
        "legal": at_exit.plan_compliant,
        "first_violation": at_exit.first_violation_date,
        "deciding_rule": why.deciding_rule,
        "days_used_at_exit": at_exit.days_used,
    }
    if kz:
        before = rules.assess(closed, regime=regime, on=exit, options=params)
        answer |= {
            "registration_required": at_entry.registration_required,
            "registration_deadline": at_entry.registration_deadline,
            "eqonaq_deadline": at_entry.eqonaq_deadline,
            "tax_days_without": before.tax_days,
            "tax_days_with": at_exit.tax_days,
            "tax_crossing_without": before.tax_183_crossing_date,
            "tax_crossing_with": at_exit.tax_183_crossing_date,
        }
    return PlanAnswer(country=country, entry=entry, exit=exit, regime=regime, **answer)


# The overstay bands' texts (rules.BANDS, KoAP art. 517), in the reader's language.
CONSEQUENCES = {
    "1-3": gettext_lazy("Warning (KoAP art. 517(3)(1))."),
    "4-5": gettext_lazy("Fine of 10 MCI (KoAP art. 517(3)(2))."),
    "6-10": gettext_lazy(
        "Fine; the amount for 6 to 10 days is not verified (KoAP art. 517(3)(3))."
    ),
    ">10": gettext_lazy(
        "Fine and/or administrative expulsion with a 5-year entry ban, by court decision "
        "(KoAP art. 517(4)); the amount is not verified."
    ),
}


def consequence_text(band: str | None, text: str) -> str:
    """The overstay band's consequence in the reader's language; the engine's English else."""
    return str(CONSEQUENCES.get(band, text))
