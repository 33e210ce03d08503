"""A server error in production reaches a person: an email to ADMINS and a line in the log."""

import io
import logging
import runpy
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import path

from staysite.urls import handler500  # noqa: F401  (the error page of the real site)
from staysite.urls import urlpatterns as site_urlpatterns

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture
def console():
    """What the console handler (the service's log: stderr) writes."""
    handler = next(
        h for h in logging.getLogger("django").handlers if type(h) is logging.StreamHandler
    )
    buffer = io.StringIO()
    old = handler.setStream(buffer)
    yield buffer
    handler.setStream(old)


def broken(request):
    raise RuntimeError("the database said no")


# The site with one page that fails (pytest.mark.urls below).
urlpatterns = [path("broken/", broken, name="broken"), *site_urlpatterns]


@pytest.mark.urls(__name__)
@override_settings(DEBUG=False, ADMINS=["ops@example.com", "oncall@example.com"])
def test_a_server_error_emails_the_admins_and_logs_it(client, hr, mailoutbox, console):
    client.force_login(hr)
    client.raise_request_exception = False

    response = client.get("/broken/")

    assert response.status_code == 500
    assert "<html" in response.content.decode()
    assert len(mailoutbox) == 1
    assert sorted(mailoutbox[0].to) == ["oncall@example.com", "ops@example.com"]
    assert "Internal Server Error: /broken/" in mailoutbox[0].subject
    assert "the database said no" in mailoutbox[0].body
    assert "Internal Server Error: /broken/" in console.getvalue()


@pytest.mark.urls(__name__)
@override_settings(DEBUG=False, ADMINS=[])
def test_without_admins_the_error_still_reaches_the_log(hr, mailoutbox, console):
    client = Client(raise_request_exception=False)
    client.force_login(hr)

    assert client.get("/broken/").status_code == 500
    assert mailoutbox == []
    assert "RuntimeError: the database said no" in console.getvalue()


def test_admins_and_the_log_level_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_ADMINS", "ops@example.com, oncall@example.com")
    monkeypatch.setenv("LOG_LEVEL", "ERROR")

    values = runpy.run_path(str(BASE_DIR / "staysite" / "settings.py"))

    assert values["ADMINS"] == ["ops@example.com", "oncall@example.com"]
    assert values["LOGGING"]["loggers"]["django"]["level"] == "ERROR"
    assert values["LOGGING"]["loggers"]["django"]["handlers"] == ["console", "mail_admins"]
