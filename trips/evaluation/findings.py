"""What the law says about one traveller on one day: the findings, each with a kind, a
severity, a due date and the rule behind it.

`evaluate()` asks the engine (through `trips.evaluation.stays`) and lists the findings: what needs
attention, by when, and why. The status snapshot, the alerts, the traveller page and the emails
are all made from these findings, so a light on the dashboard and an alert in the queue never
disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from django.utils.translation import gettext as _

import rules
from trips.choices import STATUS_URGENCY, AlertKind, Status
from trips.evaluation import entry_findings, horizon
from trips.evaluation.finding import Finding
from trips.evaluation.inputs import Inputs, inputs
from trips.evaluation.stays import (
    EQONAQ_LOOKBACK_DAYS,
    area_key,
    filings_may_matter,
    montage_basis,
    own_limits,
)
from trips.evaluation.visa_findings import visa_findings
from trips.models import Notification, Organisation, Traveller, Trip

__all__ = ["RegimeStatus", "TravellerStatus", "evaluate"]


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
    inputs: Inputs  # what the engine was asked: the details reuse it
    montage_days: int | None = None
    # The last day on which the same data gives these same findings (trips/evaluation/horizon.py).
    stable_until: date | None = None

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
        # Only findings with a due day are left in `upcoming`.
        return min(upcoming, key=lambda f: cast(date, f.due_on)) if upcoming else None


def evaluate(traveller: Traveller, *, on: date) -> TravellerStatus:
    """Everything the law says about `traveller` on `on`, with the findings that follow."""
    given = inputs(traveller)
    organisation, params = traveller.organisation, given.params
    current_trip = next(
        (t for t in reversed(given.trips) if t.entry <= on and (t.exit is None or t.exit >= on)),
        None,
    )

    regimes: dict[rules.Regime, RegimeStatus] = {}
    for regime, stays in given.stays_per_regime.items():
        report = rules.assess(
            stays,
            regime=regime,
            on=on,
            options=params,
            citizenship=traveller.citizenship or None,
            **given.calendar,
        )
        regimes[regime] = RegimeStatus(regime, report, stays)

    findings: list[Finding] = []
    kz = regimes.get(rules.Regime.KZ_VISA_FREE)
    schengen = regimes.get(rules.Regime.SCHENGEN)
    kz_trips = given.trips_of(rules.Regime.KZ_VISA_FREE)
    if kz is not None:
        findings += allowance_findings(kz, organisation, on=on)
        findings += stay_findings(kz, organisation, on=on)
        findings += overstay_findings(kz, on=on)
        findings += registration_findings(kz_trips, params, traveller, on=on)
        findings += eqonaq_findings(kz_trips, params, given.working_days(), on=on)
        findings += tax_findings(kz.report, organisation, on=on)
    if schengen is not None:
        findings += allowance_findings(schengen, organisation, on=on)
        findings += stay_findings(schengen, organisation, on=on)
        findings += overstay_findings(schengen, on=on)
    for status in (kz, schengen):
        if status is not None:
            key = area_key(status.regime)
            findings += entry_findings.same_day_findings(status.report, key, params)
            findings += entry_findings.citizenship_findings(status.report, traveller)
    findings += entry_findings.visa_needed_findings(given.trips, traveller, on=on)
    findings += visa_findings(given.trips, organisation, on=on)
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
        inputs=given,
        stable_until=horizon.stable_until(
            on=on,
            reports=[status.report for status in regimes.values()],
            trips=given.trips,
            kz_trips=kz_trips,
            findings=findings,
            organisation=organisation,
            params=params,
        ),
    )


def allowance_findings(status: RegimeStatus, organisation: Organisation, *, on: date):
    report = status.report
    key = area_key(status.regime)
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
    """Day 25 of a 30-day visa-free stay, and a latest legal exit close ahead (§1-2, §11).

    Stays on a visa that replaces the visa-free rules are not in the report (rules.assess leaves
    them out); their limits are the visa's (`visa_findings`).
    """
    report = status.report
    if (
        not report.present_on_query_date
        or report.latest_legal_exit is None
        # Set whenever the traveller is present on the query date (rules/engine.py).
        or report.current_stay_entry is None
        or report.current_stay_length is None
    ):
        return
    if report.latest_legal_exit < on:
        return  # already over: an overstay finding says so
    key = area_key(status.regime)
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
    """Days present after the last legal day (docs/rules.md §5, §11)."""
    report = status.report
    entry = report.overstay_stay_entry
    if not report.overstay_days or entry is None:  # an overstay always names its stay's entry
        return
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
    # The fine is counted in the MCI in force when proceedings start (KoAP art. 44(1), §15a):
    # the exit's year, or `on`'s while still present. A past stay ends on the last exit of
    # the visa-free stays merged into it.
    exit_on = None
    if not report.present_on_query_date:
        exit_on = max(
            s.exit for s in status.stays if s.exit and not s.visa and entry <= s.exit < on
        )
    consequence = rules.overstay_consequence(report.overstay_days, on=on, exit_on=exit_on)
    params |= {"band": report.overstay_band, "consequence": consequence.text}
    params |= {"fine_kzt": consequence.fine_kzt, "mci_year": consequence.mci_year}
    params |= {"mci_basis": consequence.mci_basis}
    kind = (
        AlertKind.OVERSTAY_WARNING
        if report.overstay_tier == "warning"
        else AlertKind.OVERSTAY_SANCTION
    )
    yield Finding(kind, Status.OVERSTAY, f"kz:overstay:{entry}", None, params, "kz_overstay")


def registration_findings(
    trips: Sequence[Trip], params: rules.Parameters, traveller: Traveller, *, on: date
):
    """A stay over 30 days needs a temporary registration by its 30th day (docs/rules.md §4).

    Counted on physical presence, visa stays included: the duty follows the length of the stay,
    not the rule that allows it. An open stay that may lawfully pass 30 days (on a visa, or
    visa-free with a longer per-stay limit) is warned the lead days before the deadline.
    """
    current = next((t for t in trips if t.entry <= on and (t.exit is None or t.exit >= on)), None)
    trip = current or next((t for t in trips if t.entry > on), None)
    if trip is None:
        return
    length = ((trip.exit or on) - trip.entry).days + 1
    verdict = rules.registration(trip.entry, length)
    cap = own_limits(traveller, params).per_stay_cap_days
    may_pass = trip.visa_id is not None or cap > params.registration_threshold_days
    upcoming = rules.registration_upcoming(trip.entry, on=on, params=params)
    if trip.exit is None and may_pass and upcoming is not None:
        yield Finding(
            AlertKind.REGISTRATION_AHEAD,
            Status.ATTENTION,
            f"kz:registration:{trip.entry.isoformat()}",
            upcoming,
            {"entry": trip.entry.isoformat(), "deadline": upcoming.isoformat()},
            "kz_registration",
        )
    if not verdict.required or verdict.deadline is None:  # a required one has its deadline
        return
    yield Finding(
        AlertKind.REGISTRATION_NEEDED,
        Status.ACTION,
        f"kz:registration:{trip.entry.isoformat()}",
        verdict.deadline,
        {"entry": trip.entry.isoformat(), "deadline": verdict.deadline.isoformat()},
        "kz_registration",
    )


def eqonaq_findings(
    trips: Sequence[Trip], params: rules.Parameters, days: rules.WorkingDays, *, on: date
):
    """The host's eQonaq duty after each entry and each address change (docs/rules.md §3).

    A deadline in a year whose calendar nobody confirmed says so (`unconfirmed_year`).
    Duties older than EQONAQ_LOOKBACK_DAYS are history, so the filings of a trip that ended
    before then are not read (an address change lies within its trip): the daily run loads
    only the recent ones (`histories.for_evaluation`).
    """
    since = on - timedelta(days=EQONAQ_LOOKBACK_DAYS)
    duties: list[tuple[str, date, bool]] = []
    for trip in trips:
        if trip.entry > on or not filings_may_matter(trip, on=on):
            continue
        if trip.entry >= since:
            arrival_filed = any(
                n.reason == Notification.Reason.ARRIVAL for n in trip.notifications.all()
            )
            duties.append((f"trip:{trip.pk}", trip.entry, arrival_filed))
        for change in trip.address_changes.all():
            if since <= change.changed_on <= on:
                duties.append(
                    (f"change:{change.pk}", change.changed_on, bool(change.notifications.all()))
                )
    for subject, event_day, filed in duties:
        if filed:
            continue
        deadline = rules.eqonaq_deadline(
            event_day, counts_arrival_day=params.eqonaq_counts_arrival_day, calendar=days
        )
        event: dict[str, Any] = {
            "subject": subject.split(":")[0],
            "event_day": event_day.isoformat(),
            "deadline": deadline.isoformat(),
        }
        if not days.confirmed(event_day, deadline):
            event["unconfirmed_year"] = deadline.year
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
    """DTA Germany-Kazakhstan art. 15: more than 183 days in 12 months (docs/rules.md §9)."""
    if report.tax_183_exceeded:
        crossed = cast(date, report.tax_183_crossing_date)  # the engine sets it when exceeded
        yield Finding(
            AlertKind.TAX_CROSSED,
            Status.ACTION,
            "tax:183",
            report.tax_183_crossing_date,
            {"days": report.tax_days, "date": crossed.isoformat()} | _planned_crossing(report),
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


def _planned_crossing(report: rules.Assessment) -> dict:
    """A later, fresh crossing (planned trips) while the current one still holds (§9)."""
    after = report.tax_183_next_crossing_date
    return {} if after is None else {"next": after.isoformat()}


def montage_days(trips: Sequence[Trip], params: rules.Parameters, *, on: date) -> int | None:
    """Presence days on Montage trips in the year (docs/rules.md §6), None without any."""
    montage, year = montage_basis(trips, params)
    if not montage:
        return None
    return rules.montage_days(montage, on=on, **year)


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
