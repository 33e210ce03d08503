"""Erasure leaves nothing behind: a traveller who went through every path is erased, and then
every table of the database, and every cached value, is searched for their name, employee
number and email."""

from __future__ import annotations

import base64
import pickle
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories
from trips.delivery import notify
from trips.evaluation import alert_queue
from trips.models import IdempotencyKey, ImportPreview, Traveller, WebhookEndpoint, WebhookEvent
from trips.upkeep import daily

NAME = "Zhanar Quillfeather"
NUMBER = "Q-77345"
EMAIL = "zhanar.quillfeather@example.com"
PERSONAL = [NAME, NUMBER, EMAIL]


def every_table_row() -> list[tuple[str, str]]:
    """Every row of every table, as text: (table, row)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            found += [(table, repr(row)) for row in cursor.fetchall()]
    return found


def every_cached_value() -> list[str]:
    """Every value in the database cache (stored pickled and base64-encoded), as text."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, value FROM staysite_cache")
        rows = cursor.fetchall()
    values = []
    for key, value in rows:
        try:
            values.append(f"{key} {pickle.loads(base64.b64decode(value))!r}")
        except Exception:
            values.append(f"{key} {value}")
    return values


def mentions(texts, values=PERSONAL) -> list[str]:
    return [text for text in texts if any(value in str(text) for value in values)]


@pytest.fixture
def everywhere(client, hr, compliance, organisation):
    """The traveller, created through the API with an Idempotency-Key, imported through a
    previewed file, alerted by email, announced to a webhook, and shown on HR's cached
    dashboard."""
    WebhookEndpoint.objects.create(organisation=organisation, url="https://hr.example.com/hooks")
    _token, key = factories.make_api_token(created_by=compliance)
    api = Client(headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "hire-4711"})
    created = api.post(
        "/api/v1/travellers",
        {"name": NAME, "email": EMAIL, "employee_number": NUMBER, "citizenship": "DE"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    traveller_id = created.json()["id"]
    hr.email = "hanna@example.com"
    hr.save()
    client.force_login(hr)
    csv = (
        "employee_number,traveller,country,entry,exit,purpose,host,address\n"
        f"{NUMBER},{NAME},KZ,2026-03-02,,business_meeting,Steppe LLP,Abay 1\n"
    )
    upload = client.post(
        reverse("trips:trip_import"), {"file": SimpleUploadedFile("trips.csv", csv.encode())}
    )
    assert upload.status_code == 302, upload.content.decode()[:500]
    assert mentions(ImportPreview.objects.values_list("rows", flat=True))
    traveller = Traveller.objects.get(pk=traveller_id)
    traveller.hr_owner = hr
    traveller.save()
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=None)
    factories.make_notification(trip=trip)
    alert_queue.refresh_alerts(on=date(2026, 4, 3))
    notify.send_alert_emails()
    assert NAME in client.get(reverse("trips:home")).content.decode()
    assert mentions(every_cached_value()), "the dashboard's fragment is cached"
    assert mentions(IdempotencyKey.objects.values_list("response", flat=True))
    assert {table for table, _row in mentions(every_table_row())} >= {
        "trips_traveller",
        "trips_emaildelivery",
    }
    assert WebhookEvent.objects.filter(traveller_id=traveller_id).exists()
    return traveller


def test_after_erasure_no_table_and_no_cached_value_names_the_traveller(
    client, compliance, everywhere, django_capture_on_commit_callbacks
):
    client.force_login(compliance)
    announced = list(WebhookEvent.objects.filter(traveller_id=everywhere.pk).values_list("pk"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("trips:traveller_erase", args=[everywhere.pk]), {"confirm": "on"}
        )

    assert response.status_code == 302
    assert everywhere.pk, "the traveller's row stays, for the statistics"
    assert mentions(every_table_row()) == []
    assert mentions(every_cached_value()) == []
    assert not WebhookEvent.objects.filter(pk__in=[pk for (pk,) in announced]).exists()


def test_the_daily_run_deletes_expired_previews_and_idempotency_keys(everywhere):
    old = timezone.now() - timedelta(days=2)
    ImportPreview.objects.update(created_at=old)
    IdempotencyKey.objects.update(created_at=old)
    factories.make_api_token(
        created_by=everywhere.hr_owner.organisation.users.get(role="compliance")
    )

    daily.run_daily(on=timezone.localdate())

    assert not ImportPreview.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_the_daily_run_keeps_previews_and_keys_still_in_use(everywhere):
    daily.run_daily(on=timezone.localdate())

    assert ImportPreview.objects.exists()
    assert IdempotencyKey.objects.exists()
