"""Undoing an import: a confirmed import is a batch its uploader or compliance may revert for
30 days, removing exactly what it created, except what was changed since, which is kept and
listed with the reason."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from tests import factories
from tests.trips.test_concurrency import Concurrent, wait_until, waiting_for_locks
from trips.evaluation import snapshots
from trips.files import import_batches
from trips.models import ImportPreview, StatusSnapshot, Traveller, Trip, Visa

TRIPS = (
    "employee_number;name;citizenship;country;entry;exit\r\n"
    "E-1001;;;KZ;02.03.2026;11.03.2026\r\n"
    "E-1001;;;DE;01.04.2026;05.04.2026\r\n"
    "E-2001;Jana Schröder;DE;KZ;02.03.2026;06.03.2026\r\n"
).encode()


def imported(client, user, content: bytes = TRIPS, create: bool = True) -> ImportPreview:
    """The batch of `content`, imported and confirmed by `user`."""
    client.force_login(user)
    response = client.post(
        reverse("trips:trip_import"), {"file": SimpleUploadedFile("trips.csv", content)}
    )
    preview = ImportPreview.objects.get(token=response.url.rstrip("/").split("/")[-1])
    if create:
        client.post(reverse("trips:import_map", args=[preview.token]), {"create_travellers": "on"})
    client.post(reverse("trips:import_confirm", args=[preview.token]))
    preview.refresh_from_db()
    assert preview.saved_at is not None
    return preview


def revert(client, user, batch: ImportPreview):
    client.force_login(user)
    return client.post(reverse("trips:import_revert", args=[batch.token]), follow=True)


def test_a_revert_removes_exactly_what_the_import_created(client, hr, traveller):
    by_hand = factories.make_trip(traveller=traveller, entry=date(2026, 1, 5), days=3)
    with translation.override("en"):  # the snapshot keeps its reason in words
        snapshots.refresh_snapshot(traveller, on=timezone.localdate())
    before = StatusSnapshot.objects.get(traveller=traveller)
    batch = imported(client, hr)
    assert Trip.objects.count() == 4 and Traveller.objects.count() == 2

    page = revert(client, hr, batch).content.decode()

    assert "everything it created is gone" in page
    assert list(Trip.objects.all()) == [by_hand]
    assert list(Traveller.objects.all()) == [traveller]
    after = StatusSnapshot.objects.get(traveller=traveller)
    assert (after.status, after.reason_kind, after.reason_params) == (
        before.status,
        before.reason_kind,
        before.reason_params,
    )
    removed = Trip.history.filter(history_type="-")
    assert removed.count() == 3
    assert {(h.history_user, h.history_change_reason) for h in removed} == {(hr, "revert")}
    batch.refresh_from_db()
    assert batch.reverted_by == hr and batch.not_reverted == []


def test_what_changed_since_the_import_is_kept_and_listed_with_the_reason(client, hr, traveller):
    batch = imported(client, hr)
    changed = Trip.objects.get(traveller=traveller, country="KZ")
    changed.host = "Steppe LLP"
    changed.save()
    Trip.objects.get(traveller=traveller, country="DE").delete()
    jana = Traveller.objects.get(employee_number="E-2001")
    factories.make_trip(traveller=jana, entry=date(2026, 5, 1), days=2)

    page = revert(client, hr, batch).content.decode()

    assert "3 records were kept" in page
    assert "Tom Weber (E-1001): KZ 2 Mar 2026 – 11 Mar 2026: changed since the import" in page
    assert "Tom Weber (E-1001): DE 1 Apr 2026 – 5 Apr 2026: deleted since the import" in page
    assert "Jana Schröder (E-2001): has trips or other records the import did not create" in page
    assert sorted(Trip.objects.values_list("traveller__employee_number", "entry")) == [
        ("E-1001", date(2026, 3, 2)),
        ("E-2001", date(2026, 5, 1)),
    ]


def test_a_visa_import_is_reverted_too(client, hr, traveller):
    client.force_login(hr)
    sheet = (
        b"employee_number,issued_by,visa_kind,valid_from,valid_until\n"
        b"E-1001,KZ,c3,2026-01-01,2026-12-31\n"
    )
    response = client.post(
        reverse("trips:visa_import"), {"file": SimpleUploadedFile("visas.csv", sheet)}
    )
    batch = ImportPreview.objects.get(token=response.url.rstrip("/").split("/")[-1])
    client.post(reverse("trips:import_confirm", args=[batch.token]))
    assert Visa.objects.count() == 1

    revert(client, hr, batch)

    assert Visa.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [
        pytest.param("uploader", 200, id="its-uploader"),
        pytest.param("compliance", 200, id="compliance"),
        pytest.param("another-hr", 404, id="not-another-hr-user"),
        pytest.param("traveller", 404, id="not-a-traveller"),
    ],
)
def test_the_uploader_and_compliance_may_revert(
    client, hr, compliance, traveller, traveller_user, organisation, who, status
):
    batch = imported(client, hr)
    users = {
        "uploader": hr,
        "compliance": compliance,
        "another-hr": factories.make_user(organisation=organisation, username="hugo.hr"),
        "traveller": traveller_user,
    }

    response = revert(client, users[who], batch)

    assert response.status_code == status
    assert Trip.objects.exists() == (status != 200)


def test_an_import_older_than_30_days_is_no_longer_reverted(client, hr, traveller):
    batch = imported(client, hr)

    with time_machine.travel(timezone.now() + timedelta(days=31)):
        page = revert(client, hr, batch).content.decode()

    assert "older than 30 days" in page
    assert Trip.objects.count() == 3


def test_a_batch_is_reverted_once(client, hr, traveller):
    batch = imported(client, hr)
    revert(client, hr, batch)

    page = revert(client, hr, batch).content.decode()

    assert "it was reverted already" in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs row locks and concurrent writers"
)
def test_a_trip_edited_while_its_batch_is_reverted_is_kept_and_listed(hr, traveller):
    from django.test import Client

    batch = imported(Client(), hr, create=False)
    edited = Trip.objects.get(traveller=traveller, country="KZ")
    running = Concurrent()
    with transaction.atomic():
        # The edit holds the traveller's lock, as every saver does, while the revert starts.
        Traveller.objects.filter(pk=traveller.pk).lock()
        running.start(
            "revert",
            lambda: import_batches.revert(batch, by=hr, on=timezone.localdate()),
        )
        wait_until(lambda: waiting_for_locks() >= 1, running=running)
        edited.host = "Changed while reverting"
        edited.save()
    kept = running.join()["revert"]

    assert [item["reason"] for item in kept] == ["changed"]
    assert list(Trip.objects.all()) == [edited]
    assert Trip.objects.get().host == "Changed while reverting"
