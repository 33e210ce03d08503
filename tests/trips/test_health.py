"""/healthz: for a load balancer or a monitor; no login, nothing revealed beyond two facts."""

import socket
import threading
from datetime import date, timedelta

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from trips.models import DailyRun


def ran(on: date, hours_ago: float) -> DailyRun:
    at = timezone.now() - timedelta(hours=hours_ago)
    return DailyRun.objects.create(on=on, claimed_at=at, finished_at=at, summary="...")


@pytest.mark.django_db
def test_healthy_says_the_database_answers_and_the_day_of_the_last_run(client):
    ran(date(2026, 4, 2), hours_ago=30)
    ran(date(2026, 4, 3), hours_ago=6)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "last_daily_run": "2026-04-03"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_daily_run_over_36_hours_old_is_unhealthy(client):
    ran(date(2026, 4, 3), hours_ago=37)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "last_daily_run": "2026-04-03"}


@pytest.mark.django_db
def test_a_run_still_going_does_not_count_as_done(client):
    ran(date(2026, 4, 2), hours_ago=40)
    DailyRun.objects.create(on=date(2026, 4, 3), claimed_at=timezone.now())

    response = client.get("/healthz")

    assert (response.status_code, response.json()["last_daily_run"]) == (503, "2026-04-02")


@pytest.mark.django_db
def test_no_daily_run_yet_is_unhealthy(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "last_daily_run": None}


def unreachable(settings_dict: dict) -> dict:
    """The same database settings, pointing where no database answers."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return {**settings_dict, "NAME": "/nonexistent/staysite.sqlite3"}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return {**settings_dict, "HOST": "127.0.0.1", "PORT": str(port)}


@pytest.mark.django_db
def test_an_unreachable_database_is_unhealthy_and_says_only_that():
    # A thread opens connections of its own, from the settings as they are then.
    responses = []
    working = connections.settings["default"]
    connections.settings["default"] = unreachable(working)
    try:

        def ask():
            try:
                responses.append(Client().get("/healthz"))
            finally:
                connections.close_all()

        thread = threading.Thread(target=ask)
        thread.start()
        thread.join()
    finally:
        connections.settings["default"] = working

    (response,) = responses
    assert response.status_code == 503
    assert response.json() == {"database": "unreachable"}
