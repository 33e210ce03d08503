"""A traveller's `stable_until` never leaves a status stale: on every day up to it, the same
data gives the same figures, findings and reports.

A property test over random travellers (Kazakh and Schengen trips, visas, Montage, planned and
open trips, eQonaq filings and address changes, the organisation's thresholds and choices, a
calendar of its own): every day of two years is evaluated, and each day's `stable_until` must
come before the first later day on which anything the traveller's snapshot, alerts or reports
say differs. STAYSITE_STABILITY_EXAMPLES sets the number of travellers (`make soak`).
"""

import json
import os
from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import counts, factories
from trips.choices import Purpose
from trips.evaluation.findings import evaluate
from trips.evaluation.snapshots import snapshot_fields
from trips.evaluation.stays import with_related
from trips.models import CalendarYear, Traveller, Visa

EXAMPLES = int(os.environ.get("STAYSITE_STABILITY_EXAMPLES", "25")) // 5 or 1
START = date(2025, 1, 1)
DAYS = 731
MARGIN = 120

pytestmark = pytest.mark.django_db


@st.composite
def organisations(draw):
    return {
        "allowance_warning_days": draw(st.integers(1, 30)),
        "stay_day_warning": draw(st.integers(1, 30)),
        "exit_warning_days": draw(st.integers(0, 15)),
        "visa_expiry_warning_days": draw(st.integers(0, 60)),
        "montage_warning_days": draw(st.integers(1, 120)),
        "tax_warning_days": draw(st.integers(20, 183)),
        "tax_window": draw(st.sampled_from(["12_months", "365_days"])),
        "montage_year": draw(st.sampled_from(["calendar", "rolling_365", "visa_year"])),
        "merge_same_day_reentry": draw(st.booleans()),
        "registration_lead_days": draw(st.integers(0, 14)),
        "kz_annual_cap": draw(st.booleans()),
    }


@st.composite
def trips(draw):
    """Trips one after another (a day apart or more), some planned, the last maybe open."""
    drawn = []
    day = START + timedelta(days=draw(st.integers(-400, 300)))
    for _ in range(draw(st.integers(0, 10))):
        entry = day + timedelta(days=draw(st.one_of(st.integers(1, 3), st.integers(4, 150))))
        length = draw(st.one_of(st.integers(1, 35), st.integers(36, 120)))
        exit_ = entry + timedelta(days=length - 1)
        country = draw(st.sampled_from(["KZ", "KZ", "DE", "FR"]))
        # A visa of the country entered, as the trip form asks.
        visas = [None, None, "b2", "c3"] if country == "KZ" else [None, "schengen"]
        drawn.append(
            {
                "entry": entry,
                "exit": exit_,
                "country": country,
                "purpose": draw(
                    st.sampled_from([Purpose.BUSINESS_MEETING, Purpose.MONTAGE, Purpose.TOURISM])
                ),
                "visa": draw(st.sampled_from(visas)),
                "valid_days": draw(st.one_of(st.integers(0, 40), st.integers(41, 200))),
                "filed": draw(st.booleans()),
                "moved": draw(st.one_of(st.none(), st.integers(0, length - 1))),
            }
        )
        day = exit_
    if drawn and draw(st.booleans()):
        drawn[-1]["exit"] = None
    return drawn


VISAS = {
    "b2": {"kind": Visa.Kind.B2_MULTIPLE, "country": "KZ", "days_allowed": 90},
    "c3": {"kind": Visa.Kind.C3, "country": "KZ", "days_allowed": None},
    "schengen": {"kind": Visa.Kind.SCHENGEN_C, "country": "DE", "days_allowed": 90},
}


def make_traveller(setting, drawn, citizenship, calendar):
    organisation = factories.make_organisation(**setting)
    if calendar:
        CalendarYear.objects.create(
            organisation=organisation,
            year=2025,
            holidays=["2025-03-21", "2025-03-24", "2025-05-09"],
            transferred_working_days=["2025-05-03"],
        )
    traveller = factories.make_traveller(organisation=organisation, citizenship=citizenship)
    for fields in drawn:
        visa = None
        if fields["visa"] is not None:
            visa = factories.make_visa(
                traveller=traveller,
                valid_from=fields["entry"] - timedelta(days=20),
                valid_until=max(fields["exit"] or fields["entry"], fields["entry"])
                + timedelta(days=fields["valid_days"]),
                **VISAS[fields["visa"]],
            )
        days = None if fields["exit"] is None else (fields["exit"] - fields["entry"]).days + 1
        trip = factories.make_trip(
            traveller=traveller,
            entry=fields["entry"],
            days=days,
            country=fields["country"],
            purpose=fields["purpose"],
            visa=visa,
        )
        if fields["filed"]:
            factories.make_notification(trip=trip)
        if fields["moved"] is not None:
            factories.make_address_change(
                trip=trip, changed_on=fields["entry"] + timedelta(days=fields["moved"])
            )
    return with_related(Traveller.objects.filter(pk=traveller.pk)).get()


def observed(status) -> str:
    """Everything the day's evaluation says, but the day itself and how long it holds."""
    fields = snapshot_fields(status)
    del fields["evaluated_on"], fields["stable_until"]
    findings = sorted(
        (f.kind, f.subject, f.severity, str(f.due_on), json.dumps(f.params, sort_keys=True))
        for f in status.findings
    )
    reports = []
    for regime in (status.kz, status.schengen):
        if regime is not None:
            report = regime.report.to_dict()
            del report["stable_until"]
            reports.append(report)
    return json.dumps([fields, findings, reports], sort_keys=True, default=str)


@settings(
    deadline=None,
    max_examples=EXAMPLES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    setting=organisations(),
    drawn=trips(),
    citizenship=st.sampled_from(["DE", "US"]),
    calendar=st.booleans(),
)
def test_everything_a_traveller_is_told_holds_up_to_stable_until(
    setting, drawn, citizenship, calendar
):
    with transaction.atomic():
        traveller = make_traveller(setting, drawn, citizenship, calendar)
        first = START
        if drawn and drawn[-1]["exit"] is None:
            first = max(first, drawn[-1]["entry"])
        days = [first + timedelta(days=i) for i in range(DAYS + MARGIN)]
        said, until = [], []
        for day in days:
            status = evaluate(traveller, on=day)
            said.append(observed(status))
            until.append(status.stable_until)
        transaction.set_rollback(True)
    change = None
    for i in range(len(days) - 2, -1, -1):
        if said[i + 1] != said[i]:
            change = i + 1
        if i < DAYS:
            assert until[i] >= days[i]
            if change is not None:
                assert until[i] < days[change], (days[i], until[i], days[change])
    counts.add("stable_until, app", histories=1, days=DAYS)
