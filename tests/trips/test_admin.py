"""The Django admin changes data as the HR pages do: the traveller's figures follow at once."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests import factories
from tests.conftest import log_in
from trips.choices import AlertKind
from trips.models import Alert, Notification, StatusSnapshot, Trip
from trips.upkeep import daily, tasks


@pytest.fixture
def staff(client, db):
    """Platform staff, logged in with their second factor (which staff must have)."""
    admin = factories.make_user(organisation=None, is_staff=True, is_superuser=True)
    factories.make_authenticator(user=admin)
    log_in(client, admin)
    return admin


def no_inlines(*prefixes: str) -> dict:
    data = {}
    for prefix in prefixes:
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def trip_form(traveller, entry, **fields) -> dict:
    return {
        "traveller": traveller.pk,
        "country": "KZ",
        "entry": entry.isoformat(),
        "exit": "",
        "purpose": "business_meeting",
        **fields,
        **no_inlines("address_changes", "notifications"),
    }


def days_used(traveller) -> int:
    return StatusSnapshot.objects.get(traveller=traveller).kz_days_used


def test_a_trip_added_in_the_admin_shows_in_the_travellers_figures(client, staff, traveller):
    entry = timezone.localdate() - timedelta(days=4)

    response = client.post(reverse("admin:trips_trip_add"), trip_form(traveller, entry))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert days_used(traveller) == 5


def test_a_trip_moved_to_another_traveller_refreshes_both(client, staff, traveller, organisation):
    colleague = factories.make_traveller(organisation=organisation, citizenship="DE")
    entry = timezone.localdate() - timedelta(days=4)
    trip = factories.make_trip(traveller=traveller, entry=entry, days=None)
    client.post(reverse("admin:trips_trip_change", args=[trip.pk]), trip_form(traveller, entry))

    client.post(reverse("admin:trips_trip_change", args=[trip.pk]), trip_form(colleague, entry))

    assert (days_used(traveller), days_used(colleague)) == (0, 5)


def test_a_trip_deleted_in_the_admin_leaves_the_figures(client, staff, traveller):
    entry = timezone.localdate() - timedelta(days=4)
    client.post(reverse("admin:trips_trip_add"), trip_form(traveller, entry))
    trip = Trip.objects.get()

    client.post(reverse("admin:trips_trip_delete", args=[trip.pk]), {"post": "yes"})

    assert days_used(traveller) == 0


def test_notifications_deleted_in_bulk_bring_the_overdue_alert_back(
    client, staff, traveller, django_capture_on_commit_callbacks
):
    trip = factories.make_trip(
        traveller=traveller, entry=timezone.localdate() - timedelta(days=9), days=None
    )
    notification = factories.make_notification(trip=trip)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:trips_notification_changelist"),
            {"action": "delete_selected", "_selected_action": [notification.pk], "post": "yes"},
        )

    assert response.status_code == 302
    assert not Notification.objects.exists()
    assert Alert.objects.active().filter(kind=AlertKind.EQONAQ_OVERDUE).exists()
    assert StatusSnapshot.objects.get(traveller=traveller).status == "action"


def test_saving_an_organisation_queues_its_travellers_for_the_worker(
    client, staff, organisation, traveller
):
    # Day 21 of a stay: no warning at the default of 25 days, a warning at 20.
    trip = factories.make_trip(
        traveller=traveller, entry=timezone.localdate() - timedelta(days=20), days=None
    )
    factories.make_notification(trip=trip)
    data = {
        field: getattr(organisation, field)
        for field in [
            "name",
            "allowance_warning_days",
            "exit_warning_days",
            "visa_expiry_warning_days",
            "montage_warning_days",
            "tax_warning_days",
            "eqonaq_counts_arrival_day",
            "tax_window",
            "montage_year",
            "merge_same_day_reentry",
            "registration_lead_days",
            "kz_annual_cap",
        ]
    }
    data["stay_day_warning"] = 20

    response = client.post(reverse("admin:trips_organisation_change", args=[organisation.pk]), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "trips.upkeep.tasks.refresh_organisation"
    assert not StatusSnapshot.objects.exists()  # not in the request

    tasks.refresh_organisation.call(*queued.args_kwargs["args"])

    assert StatusSnapshot.objects.get(traveller=traveller).status == "attention"
    assert Alert.objects.filter(kind=AlertKind.STAY_DAY).exists()


def test_the_daily_runs_are_listed_and_cannot_be_edited(client, staff):
    daily.finish(daily.run_daily(on=date(2026, 4, 3)))

    listing = client.get(reverse("admin:trips_dailyrun_changelist")).content.decode()

    assert "0 snapshots refreshed" in listing
    assert client.get(reverse("admin:trips_dailyrun_add")).status_code == 403
