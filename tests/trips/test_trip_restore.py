"""A deleted trip comes back: from the message that confirms the deletion, or from the
traveller's history, as it was, with snapshots refreshed and the restore in the history."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from tests import factories
from trips.models import StatusSnapshot, Trip


def delete(client, traveller, trip):
    url = reverse("trips:trip_delete", args=[traveller.pk, trip.pk])
    return client.post(url, follow=True)


def test_the_deletion_message_offers_the_restore_and_the_trip_comes_back_as_it_was(
    client, hr, traveller
):
    client.force_login(hr)
    entry = timezone.localdate() - timedelta(days=30)
    trip = factories.make_trip(traveller=traveller, entry=entry, days=10)
    Trip.objects.filter(pk=trip.pk).update(host="Steppe LLP")
    page = delete(client, traveller, trip).content.decode()
    restore = reverse("trips:trip_restore", args=[traveller.pk, trip.pk])
    assert f'<a href="{restore}">Restore it</a>' in page
    assert not Trip.objects.exists()

    assert "Restore the deleted trip?" in client.get(restore).content.decode()
    page = client.post(restore, follow=True).content.decode()

    back = Trip.objects.get()
    assert (back.pk, back.entry, back.host) == (trip.pk, entry, "Steppe LLP")
    assert "Restored" in page
    record = back.history.order_by("-history_date").first()
    assert (record.history_user, record.history_change_reason) == (hr, "restore")
    assert StatusSnapshot.objects.get(traveller=traveller).kz_days_used == 10


def test_the_history_offers_to_restore_a_deleted_trip(client, hr, traveller):
    client.force_login(hr)
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=10)
    delete(client, traveller, trip)

    page = client.get(traveller.get_absolute_url()).content.decode()

    assert reverse("trips:trip_restore", args=[traveller.pk, trip.pk]) in page


def test_a_trip_overlapping_one_saved_since_is_not_restored_and_says_why(client, hr, traveller):
    client.force_login(hr)
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=10)
    delete(client, traveller, trip)
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 5), days=3)

    page = client.post(
        reverse("trips:trip_restore", args=[traveller.pk, trip.pk]), follow=True
    ).content.decode()

    assert "overlaps a trip saved since it was deleted" in page
    assert Trip.objects.count() == 1


def test_only_who_may_edit_the_traveller_restores(client, traveller_user, traveller, hr):
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=10)
    client.force_login(hr)
    delete(client, traveller, trip)
    client.force_login(traveller_user)

    response = client.post(reverse("trips:trip_restore", args=[traveller.pk, trip.pk]))

    assert response.status_code in (403, 404)
    assert not Trip.objects.exists()
