"""Two people (or a person and the daily run) changing one traveller at the same moment.

Each request runs in a thread with its own database connection. To make "the same moment"
certain rather than likely, the test itself first holds the traveller's row lock (the one
trips/evaluation/services.py and the daily refresh take); the requests validate their forms, queue
behind that lock, and go on only when the test lets go. So both have passed every check
against the data as it was before either saved; the lock and the second validation under it
are what keep the outcome right. Row locks and concurrent writers need PostgreSQL: SQLite
runs one write transaction at a time.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories
from trips.choices import AlertKind
from trips.evaluation import alert_queue, findings, snapshots
from trips.models import Alert, StatusSnapshot, Traveller, Trip
from trips.upkeep import daily

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs row locks and concurrent writers: PostgreSQL only",
    ),
]

OVERLAP = "Overlaps the trip"
CHANGED_MEANWHILE = "changed this trip meanwhile"


def waiting_for_locks() -> int:
    """How many other connections to this database are waiting for a lock right now."""
    with connection.cursor() as cursor:
        # Inside a transaction the statistics are a snapshot: take a fresh one.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def wait_until(condition, *, seconds: float = 20, running: Concurrent | None = None) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            found = running and (running.results, running.errors)
            raise AssertionError(f"the concurrent requests never reached the lock: {found}")
        time.sleep(0.02)


class Concurrent:
    """Runs callables in threads, each with its own connection; collects results and errors."""

    def __init__(self):
        self.threads: list[threading.Thread] = []
        self.results: dict[str, object] = {}
        self.errors: list[BaseException] = []

    def start(self, name: str, work) -> None:
        def run():
            try:
                self.results[name] = work()
            except BaseException as error:  # reported by join()
                self.errors.append(error)
            finally:
                connections.close_all()

        thread = threading.Thread(target=run, name=name)
        self.threads.append(thread)
        thread.start()

    def join(self) -> dict[str, object]:
        for thread in self.threads:
            thread.join(timeout=60)
        assert not any(t.is_alive() for t in self.threads), "a request hung"
        assert self.errors == []
        return self.results


@contextmanager
def traveller_locked(traveller: Traveller, *, waiters: int):
    """Hold `traveller`'s row lock until `waiters` other connections queue behind it."""
    running = Concurrent()
    with transaction.atomic():
        Traveller.objects.filter(pk=traveller.pk).lock()
        yield running
        wait_until(lambda: waiting_for_locks() >= waiters, running=running)
    running.join()


def logged_in(user) -> Client:
    """A client with a committed session: call it before taking the lock."""
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, data: dict):
    def work():
        response = client.post(url, data)
        return response.status_code, response.content.decode()

    return work


def assert_figures_match_the_data(traveller: Traveller) -> None:
    """The snapshot and the alerts say what the saved trips say: recomputing changes nothing."""
    today = timezone.localdate()
    snapshot = StatusSnapshot.objects.get(traveller=traveller)
    expected = snapshots.snapshot_fields(findings.evaluate(traveller, on=today))
    assert {name: getattr(snapshot, name) for name in expected} == expected
    again = alert_queue.refresh_alerts(
        on=today, travellers=Traveller.objects.filter(pk=traveller.pk)
    )
    assert (again.opened, again.updated, again.closed, again.cleared) == (0, 0, 0, 0)


@pytest.fixture
def colleague(organisation):
    return factories.make_user(organisation=organisation, username="hugo.hr")


def trip_data(entry, days: int, **fields) -> dict:
    exit = entry + timedelta(days=days - 1)
    return {"country": "KZ", "entry": entry, "exit": exit, "purpose": "conference", **fields}


def test_two_hr_users_saving_overlapping_trips_at_once_save_exactly_one(hr, colleague, traveller):
    start = timezone.localdate() - timedelta(days=60)
    url = reverse("trips:trip_create", args=[traveller.pk])
    first, second = logged_in(hr), logged_in(colleague)

    with traveller_locked(traveller, waiters=2) as running:
        running.start("hr", post(first, url, trip_data(start, 20, host="Hanna's")))
        running.start("colleague", post(second, url, trip_data(start + timedelta(10), 20)))
    results = running.results

    assert Trip.objects.filter(traveller=traveller).count() == 1
    statuses = sorted(status for status, _page in results.values())
    assert statuses == [200, 302], "one saved (redirect), one refused on the page, no 500"
    refused = next(page for status, page in results.values() if status == 200)
    assert OVERLAP in refused
    assert "conflicting change" not in refused, "the form's own words, not a database error"
    assert_figures_match_the_data(traveller)


def test_a_double_submitted_trip_form_creates_one_trip(hr, traveller):
    start = timezone.localdate() - timedelta(days=30)
    url = reverse("trips:trip_create", args=[traveller.pk])
    client = logged_in(hr)
    data = trip_data(start, 5)

    with traveller_locked(traveller, waiters=2) as running:
        running.start("click", post(client, url, data))
        running.start("second click", post(client, url, data))

    assert Trip.objects.filter(traveller=traveller).count() == 1
    assert sorted(status for status, _page in running.results.values()) == [200, 302]
    assert_figures_match_the_data(traveller)


def test_two_people_editing_one_trip_at_once_the_second_is_told_to_reload(hr, colleague, traveller):
    trip = factories.make_trip(traveller=traveller, entry=timezone.localdate() - timedelta(20))
    url = reverse("trips:trip_update", args=[traveller.pk, trip.pk])
    # Both opened the form while the trip was at version 0.
    loaded = trip_data(trip.entry, 10, version=trip.version)
    first, second = logged_in(hr), logged_in(colleague)

    with traveller_locked(traveller, waiters=2) as running:
        running.start("hr", post(first, url, {**loaded, "host": "Hanna's host"}))
        running.start("colleague", post(second, url, {**loaded, "host": "Hugo's"}))

    results = running.results
    assert sorted(status for status, _page in results.values()) == [200, 302]
    refused = next(page for status, page in results.values() if status == 200)
    saved_by = next(name for name, (status, _page) in results.items() if status == 302)
    assert CHANGED_MEANWHILE in refused
    trip.refresh_from_db()
    assert trip.host == {"hr": "Hanna's host", "colleague": "Hugo's"}[saved_by]
    assert trip.version == 1
    assert trip.history.count() == 2, "created and changed once: no silent second overwrite"


def test_edits_during_the_daily_refresh_end_with_figures_of_the_last_committed_data(hr, traveller):
    today = timezone.localdate()
    # Day 25 of a 30-day visa-free stay: an alert is due; the edit below ends the stay early.
    trip = factories.make_trip(traveller=traveller, entry=today - timedelta(24), days=None)
    daily.run_daily(on=today)
    assert Alert.objects.filter(traveller=traveller, kind=AlertKind.STAY_DAY).active().exists()
    url = reverse("trips:trip_update", args=[traveller.pk, trip.pk])
    edit = trip_data(trip.entry, 10, version=trip.version)
    client = logged_in(hr)  # outside the lock's transaction: the session must be committed

    with traveller_locked(traveller, waiters=2) as running:
        running.start("daily run", lambda: daily.run_daily(on=today, full=True))
        wait_until(lambda: waiting_for_locks() >= 1)
        running.start("edit", post(client, url, edit))

    assert running.results["edit"][0] == 302
    trip.refresh_from_db()
    assert trip.exit == trip.entry + timedelta(days=9)
    assert_figures_match_the_data(traveller)


def test_the_daily_refresh_waits_for_an_edit_in_progress_and_sees_its_result(hr, traveller):
    """The other order: the edit holds the lock first; the refresh must not read around it."""
    today = timezone.localdate()
    trip = factories.make_trip(traveller=traveller, entry=today - timedelta(24), days=None)
    daily.run_daily(on=today)
    running = Concurrent()

    with transaction.atomic():
        Traveller.objects.filter(pk=traveller.pk).lock()
        Trip.objects.filter(pk=trip.pk).update(exit=trip.entry + timedelta(days=9))
        running.start("daily run", lambda: daily.run_daily(on=today, full=True))
        wait_until(lambda: waiting_for_locks() >= 1)
        snapshots.refresh_snapshot(traveller, on=today)
    running.join()

    assert_figures_match_the_data(traveller)
    stay_alerts = Alert.objects.filter(traveller=traveller, kind=AlertKind.STAY_DAY)
    assert not stay_alerts.active().exists(), "the stay ended after 10 days"
