"""Reading many histories as rows gives the law exactly what the ORM's prefetches give it."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from trips.evaluation.bulk import for_evaluation
from trips.evaluation.findings import evaluate
from trips.evaluation.snapshots import snapshot_fields
from trips.evaluation.stays import with_related
from trips.models import CalendarYear, Notification, Traveller

ON = date(2026, 4, 15)


def verdict(traveller: Traveller, on: date) -> tuple:
    status = evaluate(traveller, on=on)
    findings = [(f.kind, f.subject, f.severity, f.due_on, f.params) for f in status.findings]
    return snapshot_fields(status), findings


@pytest.mark.django_db
@pytest.mark.parametrize(
    "on",
    [
        pytest.param(ON, id="the-demo-day"),
        pytest.param(date(2026, 4, 29), id="two-weeks-on"),
        pytest.param(date(2027, 2, 1), id="months-on"),
    ],
)
def test_every_demo_traveller_gets_the_same_verdict_as_through_prefetches(on):
    call_command("load_demo", "--on", ON.isoformat())
    travellers = Traveller.objects.order_by("pk")

    read = for_evaluation(travellers, on=on)
    prefetched = list(with_related(travellers))

    assert len(read) == len(prefetched) > 10
    for mine, theirs in zip(read, prefetched, strict=True):
        assert verdict(mine, on) == verdict(theirs, on), mine.name


@pytest.mark.django_db
def test_filings_addresses_visas_and_a_corrected_calendar_arrive_in_memory(organisation):
    CalendarYear.objects.create(
        organisation=organisation, year=2026, holidays=["2026-04-13"], transferred_working_days=[]
    )
    person = factories.make_traveller(organisation=organisation)
    visa = factories.make_visa(traveller=person)
    trip = factories.make_trip(traveller=person, entry=date(2026, 4, 1), days=None, visa=visa)
    change = factories.make_address_change(trip=trip, changed_on=date(2026, 4, 10))
    factories.make_notification(trip=trip)
    factories.make_notification(
        trip=trip, reason=Notification.Reason.ADDRESS_CHANGE, address_change=change
    )
    factories.make_trip(traveller=person, entry=date(2025, 6, 1), days=20)

    [loaded] = for_evaluation(Traveller.objects.filter(pk=person.pk), on=ON)

    with CaptureQueriesContext(connection) as queries:
        verdict(loaded, ON)
        [recent, old] = sorted(loaded.trips.all(), key=lambda t: t.entry, reverse=True)
        assert recent.visa == visa
        assert [n.reason for n in recent.notifications.all()] == ["arrival", "address_change"]
        assert [len(c.notifications.all()) for c in recent.address_changes.all()] == [1]
        assert loaded.organisation.calendar_years.all()[0].year == 2026
    assert len(queries) == 0
    [theirs] = with_related(Traveller.objects.filter(pk=person.pk))
    assert verdict(loaded, ON) == verdict(theirs, ON)


@pytest.mark.django_db
def test_the_queries_do_not_grow_with_the_travellers(organisation):
    def queries_for(count: int) -> int:
        for _ in range(count):
            person = factories.make_traveller(organisation=organisation)
            trip = factories.make_trip(traveller=person, entry=date(2026, 4, 1), days=None)
            factories.make_notification(trip=trip)
            factories.make_address_change(trip=trip)
        with CaptureQueriesContext(connection) as queries:
            for_evaluation(Traveller.objects.all(), on=ON)
        return len(queries)

    assert queries_for(2) == queries_for(20)


@pytest.mark.django_db
def test_a_query_on_a_relation_read_into_memory_fails_loudly(organisation):
    person = factories.make_traveller(organisation=organisation)
    factories.make_trip(traveller=person)

    [loaded] = for_evaluation(Traveller.objects.filter(pk=person.pk), on=ON)

    with pytest.raises(AttributeError):
        loaded.trips.filter(country="KZ")
