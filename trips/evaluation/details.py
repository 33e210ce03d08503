"""The traveller page's details behind the numbers: per rule set the window, its trips, the
days coming back and the usage day by day, with the visas' and the Montage verdicts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import rules
from trips.evaluation.finding import Finding
from trips.evaluation.findings import TravellerStatus
from trips.evaluation.stays import area_key, montage_basis, rules_stay, rules_visa
from trips.models import Trip, Visa

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


def status_details(status: TravellerStatus) -> StatusDetails:
    """Everything the traveller page explains: per rule set the window, the trips in it, the
    days coming back, the usage day by day over 180 days back and ahead, and the findings.

    Built on an evaluation the caller already has, so a page evaluates a traveller once.
    """
    on, given = status.on, status.inputs
    regimes = []
    for regime_status in (status.kz, status.schengen):
        if regime_status is None:
            continue
        key = area_key(regime_status.regime)
        series = rules.usage_series(
            regime_status.stays,
            start=on - timedelta(days=TIMELINE_DAYS),
            end=on + timedelta(days=TIMELINE_DAYS),
            on=on,
            options=given.params,
        )
        overstay = regime_status.report.overstay_days
        regimes.append(
            RegimeDetails(
                regime=regime_status.regime,
                key=key,
                report=regime_status.report,
                explanation=rules.explain(
                    regime_status.stays,
                    regime=regime_status.regime,
                    on=on,
                    options=given.limits(regime_status.regime),
                ),
                series=tuple(series),
                trips=given.trips_of(regime_status.regime),
                findings=tuple(f for f in status.findings if _finding_regime(f) == key),
                consequence=(
                    rules.overstay_consequence(overstay, on=on)
                    if overstay and key == "kz"
                    else None
                ),
            )
        )
    visas: dict[int, tuple[Visa, list[rules.Stay]]] = {}
    for trip in given.trips:
        if trip.visa is not None:
            visas.setdefault(trip.visa.pk, (trip.visa, []))[1].append(rules_stay(trip))
    kz_trips = given.trips_of(rules.Regime.KZ_VISA_FREE)
    montage_stays, year = montage_basis(kz_trips, given.params)
    return StatusDetails(
        status=status,
        regimes=tuple(regimes),
        visas=tuple(
            (visa, rules.visa_assessment(rules_visa(visa), stays, on=on))
            for visa, stays in visas.values()
        ),
        montage=(rules.montage_usage(montage_stays, on=on, **year) if montage_stays else None),
        other_findings=tuple(f for f in status.findings if _finding_regime(f) is None),
    )
