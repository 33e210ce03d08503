"""How long a traveller's findings hold: the last day on which the same data gives the same
status, figures, findings and alerts, so that the daily run leaves them alone until then.

The engine says how long each of its reports holds (`Assessment.stable_until`, docs/rules.md
"How long a report holds"); this adds what the app reads on top of them: any trip that is
running or begins, the eQonaq duties and their lookback, a visa's expiry coming within the
organisation's warning days, the Montage year, and every finding's due date (a due date near,
reached or passed changes a severity or the next deadline). When in doubt it answers `on`:
the traveller is evaluated again tomorrow.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

import rules
from trips.choices import AlertKind
from trips.evaluation.finding import Finding
from trips.evaluation.stays import (
    EQONAQ_LOOKBACK_DAYS,
    filings_may_matter,
    montage_basis,
    rules_visa,
)
from trips.models import Organisation, Trip

DAY = timedelta(days=1)
LOOKBACK = timedelta(days=EQONAQ_LOOKBACK_DAYS)


def stable_until(
    *,
    on: date,
    reports: Iterable[rules.Assessment],
    trips: Sequence[Trip],
    kz_trips: Sequence[Trip],
    findings: Sequence[Finding],
    organisation: Organisation,
    params: rules.Parameters,
) -> date:
    """The last day on which `findings.evaluate()` says the same for the same data."""
    if any(t.entry <= on and (t.exit is None or t.exit >= on) for t in trips):
        return on  # a running stay grows every day
    if any(f.kind == AlertKind.VISA_EXPIRING for f in findings):
        return on  # it counts the days to the expiry
    events = [date(on.year + 1, 1, 1)]  # the Montage year and the findings' subjects
    events += [report.stable_until + DAY for report in reports]
    events += [t.entry for t in trips if t.entry > on][:1]
    events += list(_eqonaq_events(kz_trips, on=on))
    events += list(_visa_events(trips, organisation))
    montage, year = montage_basis(kz_trips, params)
    if montage:
        events.append(rules.montage_stable_until(montage, on=on, **year) + DAY)
    for finding in findings:
        if finding.due_on is not None:
            # The day before a due date (eQonaq's "due tomorrow"), the day itself and the day after.
            events += [finding.due_on - DAY, finding.due_on, finding.due_on + DAY]
    first = min(event for event in events if event > on)
    return first - DAY


def _eqonaq_events(trips: Sequence[Trip], *, on: date) -> Iterable[date]:
    """The days an eQonaq duty enters or leaves the lookback (findings.eqonaq_findings)."""
    for trip in trips:
        if trip.entry > on or not filings_may_matter(trip, on=on):
            continue
        if trip.exit is not None:
            yield trip.exit + LOOKBACK + DAY
        days = [trip.entry] + [change.changed_on for change in trip.address_changes.all()]
        for day in days:
            yield day
            yield day + LOOKBACK + DAY


def _visa_events(trips: Sequence[Trip], organisation: Organisation) -> Iterable[date]:
    """A visa's expiry coming within the warning days, and passing (visa_findings)."""
    warning = timedelta(days=organisation.visa_expiry_warning_days)
    for trip in trips:
        if trip.visa is not None:
            expires = rules.expiry(rules_visa(trip.visa))
            yield expires - warning
            yield expires + DAY
