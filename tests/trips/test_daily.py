"""The day rolls over by itself: the first request after midnight in TIME_ZONE brings the
snapshots and alerts up to date for the new day, once, and no page passes yesterday's
figures off as today's."""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests import factories
from trips import dates
from trips.choices import AlertKind, Status
from trips.models import Alert, DailyRun, StatusSnapshot
from trips.upkeep import daily

ALMATY = ZoneInfo("Asia/Almaty")
# Tom entered Kazakhstan visa-free on 6 March 2026: 4 April is day 30, his last legal day;
# from 5 April on he overstays.
ENTRY = date(2026, 3, 6)
LAST_DAY, NEXT_DAY = date(2026, 4, 4), date(2026, 4, 5)
LATE_EVENING = datetime(2026, 4, 4, 23, 58, tzinfo=ALMATY)
AFTER_MIDNIGHT = datetime(2026, 4, 5, 0, 2, tzinfo=ALMATY)


@pytest.fixture(autouse=True)
def rollover(settings):
    settings.STAYSITE_DAILY_RUN_IN_REQUESTS = True
    settings.TIME_ZONE = "Asia/Almaty"


@pytest.fixture
def staying(traveller):
    """Tom in Kazakhstan since 6 March, arrival notified, and the evening run of 4 April done."""
    trip = factories.make_trip(traveller=traveller, entry=ENTRY, days=None)
    factories.make_notification(trip=trip)
    with time_machine.travel(LATE_EVENING, tick=False):
        daily.ensure(LAST_DAY)
    return traveller


def as_of(day: date) -> str:
    with translation.override("en"):
        return f"As of {dates.day(day)}."


def get(client, user, url: str, at: datetime) -> str:
    client.force_login(user)
    with time_machine.travel(at, tick=False):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_before_midnight_the_dashboard_shows_the_evenings_figures(client, hr, staying):
    page = get(client, hr, reverse("trips:home"), LATE_EVENING)

    assert as_of(LAST_DAY) in page
    assert StatusSnapshot.objects.get(traveller=staying).status != Status.OVERSTAY


def test_after_midnight_the_dashboard_shows_todays_verdict_with_no_command_run(client, hr, staying):
    page = get(client, hr, reverse("trips:home"), AFTER_MIDNIGHT)

    snapshot = StatusSnapshot.objects.get(traveller=staying)
    assert (snapshot.evaluated_on, snapshot.status) == (NEXT_DAY, Status.OVERSTAY)
    assert as_of(NEXT_DAY) in page
    assert "Not today's figures yet" not in page
    assert DailyRun.objects.get(on=NEXT_DAY).finished_at is not None


def test_after_midnight_the_traveller_page_shows_todays_verdict(client, hr, staying):
    page = get(client, hr, staying.get_absolute_url(), AFTER_MIDNIGHT)

    assert as_of(NEXT_DAY) in page
    assert "Overstay" in page
    assert DailyRun.objects.filter(on=NEXT_DAY, finished_at__isnull=False).exists()


def test_after_midnight_the_queue_shows_the_overstay_that_began_today(client, compliance, staying):
    before = get(client, compliance, reverse("trips:alert_list"), LATE_EVENING)
    assert not Alert.objects.filter(kind=AlertKind.OVERSTAY_WARNING).exists()

    page = get(client, compliance, reverse("trips:alert_list"), AFTER_MIDNIGHT)

    alert = Alert.objects.get(kind=AlertKind.OVERSTAY_WARNING)
    assert alert.opened_on == NEXT_DAY
    assert f'id="alert-{alert.pk}"' in page
    assert as_of(NEXT_DAY) in page and as_of(LAST_DAY) in before


def test_a_process_that_saw_today_run_asks_no_more_that_day(client, hr, staying):
    get(client, hr, reverse("trips:home"), AFTER_MIDNIGHT)

    with CaptureQueriesContext(connection) as queries:
        get(client, hr, reverse("trips:home"), AFTER_MIDNIGHT + timedelta(hours=3))

    assert not [q for q in queries if "trips_dailyrun" in q["sql"]]


def test_while_another_process_runs_today_pages_show_yesterdays_figures_marked_so(
    client, hr, staying
):
    DailyRun.objects.create(on=NEXT_DAY, claimed_at=AFTER_MIDNIGHT)

    page = get(client, hr, reverse("trips:home"), AFTER_MIDNIGHT + timedelta(minutes=1))

    assert as_of(LAST_DAY) in page
    assert "Not today's figures yet: being updated now" in page
    assert StatusSnapshot.objects.get(traveller=staying).evaluated_on == LAST_DAY


def test_without_runs_in_requests_old_figures_are_marked_and_left(client, hr, staying, settings):
    settings.STAYSITE_DAILY_RUN_IN_REQUESTS = False

    page = get(client, hr, reverse("trips:home"), AFTER_MIDNIGHT)

    assert as_of(LAST_DAY) in page
    assert "Not today's figures yet." in page
    assert not DailyRun.objects.filter(on=NEXT_DAY).exists()


def test_a_run_cut_off_is_taken_over_after_the_lease(client, hr, staying):
    cut_off = AFTER_MIDNIGHT - daily.LEASE - timedelta(minutes=1)
    DailyRun.objects.create(on=NEXT_DAY, claimed_at=cut_off)

    get(client, hr, reverse("trips:home"), AFTER_MIDNIGHT)

    run = DailyRun.objects.get(on=NEXT_DAY)
    assert (run.attempts, run.finished_at is not None) == (2, True)
    assert StatusSnapshot.objects.get(traveller=staying).evaluated_on == NEXT_DAY


def test_healthz_does_not_start_the_run(client, staying):
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        response = client.get(reverse("trips:healthz"))

    assert response.json()["last_daily_run"] == LAST_DAY.isoformat()
    assert not DailyRun.objects.filter(on=NEXT_DAY).exists()


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_after_midnight_run_the_day_exactly_once(organisation, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL.")
    hr = factories.make_user(organisation=organisation, role="hr")
    people = [
        factories.make_traveller(organisation=organisation, citizenship="DE") for _ in range(20)
    ]
    for person in people:
        factories.make_notification(
            trip=factories.make_trip(traveller=person, entry=ENTRY, days=None)
        )
    with time_machine.travel(LATE_EVENING, tick=False):
        daily.ensure(LAST_DAY)
    runs = []
    real_run_daily = daily.run_daily

    def counted_run_daily(*, on):
        runs.append(on)
        return real_run_daily(on=on)

    monkeypatch.setattr(daily, "run_daily", counted_run_daily)
    barrier = threading.Barrier(2)
    pages, errors = [], []

    def ask():
        try:
            client = Client()
            client.force_login(hr)
            barrier.wait()
            pages.append(client.get(reverse("trips:home")))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    with time_machine.travel(AFTER_MIDNIGHT):
        threads = [threading.Thread(target=ask) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    assert runs == [NEXT_DAY]
    run = DailyRun.objects.get(on=NEXT_DAY)
    assert (run.attempts, run.finished_at is not None) == (1, True)
    assert [page.status_code for page in pages] == [200, 200]
    for page in pages:
        text = page.content.decode()
        assert as_of(NEXT_DAY) in text or "being updated now" in text
    statuses = set(StatusSnapshot.objects.values_list("evaluated_on", "status"))
    assert statuses == {(NEXT_DAY, Status.OVERSTAY)}
    assert Alert.objects.filter(kind=AlertKind.OVERSTAY_WARNING).count() == len(people)
