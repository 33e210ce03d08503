"""Alert emails leave through the worker: never in a web request, retried until sent, once."""

import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests import factories
from trips.choices import AlertKind
from trips.delivery import notify
from trips.evaluation import alert_queue
from trips.models import Alert, AlertEvent


@pytest.fixture
def hanna(hr):
    hr.email = "hanna@example.com"
    hr.save()
    return hr


def record_overstay(client, traveller) -> None:
    """HR records Tom's entry 33 days ago, still there: an overstay, an urgent alert."""
    entry = timezone.localdate() - timedelta(days=33)
    response = client.post(
        reverse("trips:trip_create", args=[traveller.pk]),
        {"country": "KZ", "purpose": "business_meeting", "entry": entry.isoformat()},
    )
    assert response.status_code == 302


def closed_port() -> int:
    """A local port nothing listens on: an SMTP server that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_save_queues_the_emails_and_the_request_sends_none(
    client, hanna, traveller, django_capture_on_commit_callbacks
):
    client.force_login(hanna)

    with django_capture_on_commit_callbacks(execute=True):
        record_overstay(client, traveller)

    assert Alert.objects.filter(kind=AlertKind.OVERSTAY_SANCTION, emailed_at=None).exists()
    assert mail.outbox == []
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "trips.delivery.notify.deliver_emails"


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after a task
def test_the_worker_sends_the_queued_emails(
    client, hanna, traveller, django_capture_on_commit_callbacks
):
    client.force_login(hanna)
    with django_capture_on_commit_callbacks(execute=True):
        record_overstay(client, traveller)

    call_command("db_worker", "--batch", "--verbosity", "0")

    overstay = [m.to[0] for m in mail.outbox if "Overstay (sanction tier)" in m.subject]
    assert sorted(overstay) == sorted([hanna.email, traveller.email])
    assert not Alert.objects.filter(severity__in=notify.URGENT, emailed_at=None).exists()


def test_a_failed_send_leaves_the_alert_unsent_and_the_next_delivery_sends_it_once(
    hanna, traveller, settings
):
    trip = factories.make_trip(traveller=traveller, entry=timezone.localdate(), days=None)
    factories.make_notification(trip=trip)
    factories.make_trip(
        traveller=traveller, entry=timezone.localdate() - timedelta(days=60), days=31
    )
    alert_queue.refresh_alerts(on=timezone.localdate())
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    locmem = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": smtp,
            "OPTIONS": {"host": "127.0.0.1", "port": closed_port(), "timeout": 2},
        }
    }

    assert notify.send_alert_emails() == 0
    alert = Alert.objects.get(severity__in=notify.URGENT)
    assert alert.emailed_at is None
    assert not alert.events.filter(action=AlertEvent.Action.EMAILED).exists()

    settings.MAILERS = locmem
    sent = notify.send_alert_emails()
    assert sent == len(mail.outbox) > 0
    assert notify.send_alert_emails() == 0
    assert len(mail.outbox) == sent


def test_smtp_gives_up_after_email_timeout_seconds():
    env = {**os.environ, "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"}
    read = "from staysite import settings; print(settings.MAILERS['default']['OPTIONS']['timeout'])"

    default = subprocess.run([sys.executable, "-c", read], env=env, capture_output=True, text=True)
    chosen = subprocess.run(
        [sys.executable, "-c", read],
        env={**env, "EMAIL_TIMEOUT": "7"},
        capture_output=True,
        text=True,
    )

    assert (default.stdout, chosen.stdout) == ("10\n", "7\n")
