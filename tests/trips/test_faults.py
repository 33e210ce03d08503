"""Faults: the database gone or too slow, the mail server down, the daily run dying half-way.

Each fault is real where it can be: a connection pointed at a place where no database is, a
PostgreSQL statement timeout behind a lock held by another connection, an SMTP server on a
local port that is first closed and then listening. Only the crash in the daily run is
injected, into one traveller's evaluation.
"""

from __future__ import annotations

import wsgiref.util
from contextlib import contextmanager
from datetime import date, timedelta

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories, net
from tests.net import free_port
from trips.choices import AlertKind
from trips.delivery import notify
from trips.evaluation import alert_queue, findings, snapshots
from trips.models import Alert, StatusSnapshot, Traveller, Trip
from trips.upkeep import chunks, daily

UNAVAILABLE = "Temporarily unavailable"
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement timeouts and row locks: PostgreSQL only"
)


@contextmanager
def database_unreachable():
    """Point the default connection where no database is, then back at the real one.

    The open connection is kept aside rather than closed: SQLite's test database lives in
    memory and would vanish with its last connection.
    """
    kept, settings_dict = connection.connection, connection.settings_dict
    original = dict(settings_dict)
    connection.connection = None
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = "/nonexistent-directory/staysite.sqlite3"
    else:
        settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
    try:
        yield
    finally:
        if connection.connection is not None:
            connection.connection.close()
        settings_dict.clear()
        settings_dict.update(original)
        connection.connection = kept
        connection.errors_occurred = False


def other_connection() -> psycopg.Connection:
    """A second, plain connection to the test database."""
    params = connection.get_connection_params()
    return psycopg.connect(
        host=params["host"], port=params["port"], user=params["user"], dbname=params["dbname"]
    )


@pytest.fixture
def browser(hr) -> Client:
    """A logged-in client that gets the error page, as a person would, not the exception."""
    client = Client(raise_request_exception=False)
    client.force_login(hr)
    return client


def trip_fields(entry: date, days: int) -> dict:
    exit = entry + timedelta(days=days - 1)
    return {"country": "KZ", "entry": entry, "exit": exit, "purpose": "conference"}


# The database unreachable or too slow


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_gives_a_friendly_503_and_the_next_request_recovers(
    browser, traveller
):
    url = reverse("trips:trip_create", args=[traveller.pk])
    entry = timezone.localdate() - timedelta(days=30)

    with database_unreachable():
        page = browser.get(reverse("trips:home"))
        save = browser.post(url, trip_fields(entry, 5))

    for response in (page, save):
        text = response.content.decode()
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert UNAVAILABLE in text
        assert "was not saved" in text
        assert "Traceback" not in text and "OperationalError" not in text
    assert browser.get(reverse("trips:home")).status_code == 200
    assert browser.post(url, trip_fields(entry, 5)).status_code == 302
    assert Trip.objects.filter(traveller=traveller).count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_statement_timeout_in_the_middle_of_a_save_leaves_nothing_behind(browser, traveller):
    """The trip is written, then refreshing the snapshot waits for a lock past the timeout:
    the whole save rolls back, the page says so with a 503, and the next try succeeds."""
    today = timezone.localdate()
    snapshots.refresh_snapshot(traveller, on=today)
    url = reverse("trips:trip_create", args=[traveller.pk])
    entry = today - timedelta(days=30)
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '300ms'")
    try:
        with other_connection() as other, other.transaction():
            other.execute(
                "SELECT 1 FROM trips_statussnapshot WHERE traveller_id = %s FOR UPDATE",
                [traveller.pk],
            )
            timed_out = browser.post(url, trip_fields(entry, 5))
        assert timed_out.status_code == 503
        assert UNAVAILABLE in timed_out.content.decode()
        assert not Trip.objects.filter(traveller=traveller).exists()
        assert not Trip.history.filter(traveller_id=traveller.pk).exists()
        assert StatusSnapshot.objects.get(traveller=traveller).kz_days_used == 0

        retried = browser.post(url, trip_fields(entry, 5))

        assert retried.status_code == 302
        assert StatusSnapshot.objects.get(traveller=traveller).kz_days_used == 5
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_killed_database_connection_is_replaced_on_the_next_request(hr):
    """A server restart or failover ends every connection; staysite reconnects by itself.

    Served through Django's own WSGI handler, which checks a kept connection at the start of
    each request (the test client skips that step).
    """
    client = Client()
    client.force_login(hr)
    environ = {
        "PATH_INFO": reverse("trips:home"),
        "HTTP_COOKIE": f"sessionid={client.cookies['sessionid'].value}",
    }
    wsgiref.util.setup_testing_defaults(environ)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with other_connection() as other:
        killed = other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
    statuses = []

    body = WSGIHandler()(environ, lambda status, headers: statuses.append(status))

    assert killed is True
    assert statuses == ["200 OK"]
    assert b"<html" in b"".join(body)


# The mail server down


class Inbox:
    """What a real SMTP server on a local port received."""

    def __init__(self):
        self.messages: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.content.decode(), list(envelope.rcpt_tos)))
        return "250 OK"


def smtp_server(port: int):
    return net.smtp_server(Inbox(), port)


def overstaying(traveller: Traveller, hr) -> date:
    """Tom, visa-free since 2 March 2026 and still there: 3 days over on 3 April."""
    hr.email = "hanna@example.com"
    hr.save()
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=None)
    factories.make_notification(trip=trip)
    return date(2026, 4, 3)


def deliver(day: date | None = None) -> str:
    """What the worker does with a queued delivery: the urgent emails, and the day's digest."""
    return notify.deliver_emails.call(on=day and day.isoformat())


def test_with_the_mail_server_down_the_alert_stays_unsent_and_goes_out_once_when_it_is_back(
    smtp, hr, traveller
):
    day = overstaying(traveller, hr)
    daily.run_daily(on=day)

    deliver(day)

    alert = Alert.objects.get(traveller=traveller, kind=AlertKind.OVERSTAY_WARNING)
    assert alert.emailed_at is None, "not marked as sent when it was not"
    with smtp_server(smtp) as inbox:
        deliver(day)
        deliver(day)

    overstay_mails = [(body, to) for body, to in inbox.messages if "Overstay" in body]
    assert sorted(to[0] for _body, to in overstay_mails) == sorted([hr.email, traveller.email])
    alert.refresh_from_db()
    assert alert.emailed_at is not None


def test_a_save_while_the_mail_server_is_down_is_kept_and_its_email_sent_once_later(
    smtp, hr, traveller, django_capture_on_commit_callbacks
):
    overstaying(traveller, hr)
    Trip.objects.filter(traveller=traveller).delete()
    client = Client(raise_request_exception=False)
    client.force_login(hr)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("trips:trip_create", args=[traveller.pk]),
            {"country": "KZ", "entry": "2026-03-02", "purpose": "conference"},
        )
    deliver()

    assert response.status_code == 302, "the trip is saved although no email could go out"
    assert Trip.objects.filter(traveller=traveller).count() == 1
    with smtp_server(smtp) as inbox:
        deliver()
        deliver()
    overstay_mails = [to for body, to in inbox.messages if "Overstay" in body]
    assert len(overstay_mails) == 2, "one each for HR and the traveller, not repeated"


# The daily run dying half-way


@pytest.fixture
def five_travellers(organisation) -> list[Traveller]:
    travellers = []
    for number in range(5):
        person = factories.make_traveller(organisation=organisation, name=f"Person {number}")
        factories.make_trip(traveller=person, entry=date(2026, 3, 2), days=None)
        travellers.append(person)
    return travellers


def assert_in_step(traveller: Traveller, day: date) -> None:
    """The traveller's snapshot and alerts are those of `day`, both of them."""
    snapshot = StatusSnapshot.objects.get(traveller=traveller)
    assert snapshot.evaluated_on == day
    expected = snapshots.snapshot_fields(findings.evaluate(traveller, on=day))
    assert {name: getattr(snapshot, name) for name in expected} == expected
    again = alert_queue.refresh_alerts(on=day, travellers=Traveller.objects.filter(pk=traveller.pk))
    assert (again.opened, again.updated, again.closed, again.cleared) == (0, 0, 0, 0)


def test_a_crash_in_the_daily_run_leaves_each_traveller_refreshed_or_untouched(
    five_travellers, monkeypatch
):
    before, after = date(2026, 3, 20), date(2026, 4, 3)
    daily.run_daily(on=before)
    broken = five_travellers[2]
    evaluate = findings.evaluate

    def evaluate_failing_for_one(traveller, *, on):
        if traveller.pk == broken.pk and on == after:
            raise RuntimeError("injected: the process dies here")
        return evaluate(traveller, on=on)

    for module in (snapshots, alert_queue):
        monkeypatch.setattr(module, "evaluate", evaluate_failing_for_one)
    # Chunks of two travellers' ids, so that some are done before the broken one's.
    run = chunks.plan(on=after, size=2)
    with pytest.raises(RuntimeError, match="injected"):
        chunks.complete(run)
    monkeypatch.undo()

    days = [StatusSnapshot.objects.get(traveller=t).evaluated_on for t in five_travellers]
    assert days == [after if t.pk // 2 < broken.pk // 2 else before for t in five_travellers]
    assert after in days and days[2] == before
    for traveller, day in zip(five_travellers, days, strict=True):
        assert_in_step(traveller, day)

    daily.run_daily(on=after)

    for traveller in five_travellers:
        assert_in_step(traveller, after)
