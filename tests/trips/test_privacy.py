"""Export and erasure of a traveller's personal data; the organisation's settings page."""

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from trips.choices import Purpose
from trips.files import privacy
from trips.models import (
    AddressChange,
    Notification,
    Organisation,
    StatusSnapshot,
    Traveller,
    Trip,
    User,
    Visa,
)


@pytest.fixture
def record(traveller):
    """Tom's data: a visa, a trip on it with an address change and two notifications."""
    visa = factories.make_visa(traveller=traveller, number="N1234567")
    trip = factories.make_trip(
        traveller=traveller,
        entry=date(2026, 3, 2),
        days=10,
        visa=visa,
        host="Tom's Host LLP",
        address="Abay Ave 1, Almaty",
        notes="Tom prefers the window seat",
    )
    change = factories.make_address_change(trip=trip, new_address="Dostyk Ave 5, Almaty")
    factories.make_notification(trip=trip, reference="EQ-TOM-1")
    factories.make_notification(
        trip=trip,
        reason=Notification.Reason.ADDRESS_CHANGE,
        address_change=change,
        address="Dostyk Ave 5, Almaty",
        filed_on=change.changed_on,
        reference="EQ-TOM-2",
    )
    return trip


PERSONAL = [
    "Tom Weber",
    "E-1001",
    "N1234567",
    "Tom's Host LLP",
    "Abay Ave 1",
    "Dostyk Ave 5",
    "window seat",
    "EQ-TOM-1",
    "EQ-TOM-2",
    "tom.traveller",
]


# Export


def test_compliance_downloads_everything_about_a_traveller_as_json(client, compliance, record):
    client.force_login(compliance)

    response = client.get(reverse("trips:traveller_export", args=[record.traveller_id]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    data = json.loads(response.content)
    assert data["traveller"]["name"] == "Tom Weber"
    assert [trip["entry"] for trip in data["trips"]] == ["2026-03-02"]
    assert data["trips"][0]["host"] == "Tom's Host LLP"
    assert [visa["number"] for visa in data["visas"]] == ["N1234567"]
    assert [change["new_address"] for change in data["address_changes"]] == ["Dostyk Ave 5, Almaty"]
    assert {n["reference"] for n in data["notifications"]} == {"EQ-TOM-1", "EQ-TOM-2"}
    assert "alerts" in data
    assert data["history"]["traveller"][0]["history_type"] == "+"
    assert len(data["history"]["trips"]) == 1


def test_the_export_includes_the_history_of_deleted_trips(client, compliance, traveller):
    trip = factories.make_trip(traveller=traveller, host="Gone Host")
    trip.delete()
    client.force_login(compliance)

    data = client.get(reverse("trips:traveller_export", args=[traveller.pk])).json()

    assert data["trips"] == []
    assert [row["history_type"] for row in data["history"]["trips"]] == ["+", "-"]


@pytest.mark.parametrize("persona", ["hr", "traveller_user"])
def test_only_compliance_may_export_a_travellers_data(client, request, persona, traveller):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("trips:traveller_export", args=[traveller.pk]))

    assert response.status_code == 403


def test_another_organisations_traveller_cannot_be_exported(client, compliance, foreign_traveller):
    client.force_login(compliance)

    response = client.get(reverse("trips:traveller_export", args=[foreign_traveller.pk]))

    assert response.status_code == 404


# Erasure


def test_the_erasure_page_asks_for_confirmation_and_changes_nothing(client, compliance, record):
    client.force_login(compliance)
    url = reverse("trips:traveller_erase", args=[record.traveller_id])

    page = client.get(url)
    unconfirmed = client.post(url, {})

    assert page.status_code == 200
    assert "cannot be undone" in page.content.decode()
    assert unconfirmed.status_code == 200
    assert "Tick the box" in unconfirmed.content.decode()
    assert Traveller.objects.get(pk=record.traveller_id).name == "Tom Weber"


def erase(client, compliance, traveller):
    client.force_login(compliance)
    return client.post(reverse("trips:traveller_erase", args=[traveller.pk]), {"confirm": "on"})


def test_erasure_removes_personal_fields_and_keeps_the_statistics(client, compliance, record):
    traveller = record.traveller

    response = erase(client, compliance, traveller)

    assert response.status_code == 302
    traveller.refresh_from_db()
    assert traveller.name == f"Erased traveller #{traveller.pk}"
    assert traveller.email == ""
    assert traveller.employee_number == f"erased-{traveller.pk}"
    assert traveller.erased_at is not None
    assert traveller.user is None
    assert traveller.citizenship == "DE"
    trip = Trip.objects.get(pk=record.pk)
    assert (trip.country, trip.entry, trip.exit, trip.purpose) == (
        "KZ",
        date(2026, 3, 2),
        date(2026, 3, 11),
        Purpose.BUSINESS_MEETING,
    )
    assert (trip.host, trip.address, trip.notes) == ("", "", "")
    assert trip.visa.number == ""
    assert list(AddressChange.objects.values_list("new_address", flat=True)) == [""]
    assert set(Notification.objects.values_list("address", "reference")) == {("", "")}
    assert StatusSnapshot.objects.filter(traveller=traveller).exists()


def test_erasure_closes_the_travellers_login(client, compliance, record, traveller_user):
    erase(client, compliance, record.traveller)

    traveller_user.refresh_from_db()
    assert traveller_user.is_active is False
    assert traveller_user.has_usable_password() is False
    assert traveller_user.username == f"erased-user-{traveller_user.pk}"
    assert traveller_user.email == ""


def test_erasure_scrubs_the_history_but_keeps_who_changed_what_and_when(
    client, compliance, hr, record
):
    traveller = record.traveller
    record.host = "Second Host of Tom"
    record.save()
    before = list(Trip.history.filter(id=record.pk).values_list("history_date", "history_type"))

    erase(client, compliance, traveller)

    after = list(Trip.history.filter(id=record.pk).values_list("history_date", "history_type"))
    assert after == before
    assert set(Trip.history.filter(id=record.pk).values_list("host", "address", "notes")) == {
        ("", "", "")
    }
    assert set(Traveller.history.filter(id=traveller.pk).values_list("name", flat=True)) == {
        f"Erased traveller #{traveller.pk}"
    }
    assert set(Visa.history.values_list("number", flat=True)) == {""}
    assert set(AddressChange.history.values_list("new_address", flat=True)) == {""}
    assert set(Notification.history.values_list("address", "reference")) == {("", "")}


def test_the_erasure_itself_is_recorded_with_who_and_when(client, compliance, record):
    erase(client, compliance, record.traveller)

    last = Traveller.history.filter(id=record.traveller_id).latest("history_date")
    assert last.history_type == "~"
    assert last.history_user == compliance
    assert last.history_change_reason == privacy.ERASURE_REASON
    assert last.erased_at is not None


def test_nothing_personal_is_left_in_an_export_after_erasure(client, compliance, record):
    erase(client, compliance, record.traveller)

    content = client.get(reverse("trips:traveller_export", args=[record.traveller_id]))

    text = content.content.decode()
    for value in PERSONAL:
        assert value not in text, value


def test_erasure_leaves_other_travellers_alone(client, compliance, record, other_traveller):
    trip = factories.make_trip(traveller=other_traveller, host="Colleague Host")

    erase(client, compliance, record.traveller)

    other_traveller.refresh_from_db()
    assert other_traveller.name == "Aigerim Sadykova"
    assert Trip.objects.get(pk=trip.pk).host == "Colleague Host"
    assert Trip.history.filter(id=trip.pk).get().host == "Colleague Host"


def test_erasing_two_travellers_keeps_employee_numbers_unique(
    client, compliance, traveller, other_traveller
):
    erase(client, compliance, traveller)
    erase(client, compliance, other_traveller)

    numbers = set(Traveller.objects.values_list("employee_number", flat=True))
    assert numbers == {f"erased-{traveller.pk}", f"erased-{other_traveller.pk}"}


@pytest.mark.parametrize("persona", ["hr", "traveller_user"])
def test_only_compliance_may_erase(client, request, persona, traveller):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("trips:traveller_erase", args=[traveller.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {"confirm": "on"}).status_code == 403
    assert Traveller.objects.get(pk=traveller.pk).erased_at is None


def test_another_organisations_traveller_cannot_be_erased(client, compliance, foreign_traveller):
    response = erase(client, compliance, foreign_traveller)

    assert response.status_code == 404
    foreign_traveller.refresh_from_db()
    assert foreign_traveller.name == "Outsider Person"


# Organisation settings


def test_compliance_changes_a_threshold_and_the_change_is_recorded(
    client, compliance, organisation
):
    client.force_login(compliance)
    url = reverse("trips:organisation_settings")
    data = {
        "allowance_warning_days": 14,
        "stay_day_warning": 25,
        "exit_warning_days": 5,
        "visa_expiry_warning_days": 30,
        "montage_warning_days": 100,
        "tax_warning_days": 150,
        "eqonaq_counts_arrival_day": "on",
        "tax_window": Organisation.TaxWindow.TWELVE_MONTHS,
        "montage_year": Organisation.MontageYear.CALENDAR,
        "merge_same_day_reentry": "on",
        "registration_lead_days": 7,
    }

    response = client.post(url, data)

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.allowance_warning_days == 14
    last = organisation.history.latest("history_date")
    assert last.history_user == compliance
    page = client.get(url).content.decode()
    assert "10 → 14" in page


def test_new_thresholds_are_applied_by_the_worker_not_in_the_request(
    client, compliance, organisation, traveller
):
    from django_tasks_db.models import DBTaskResult

    from trips.models import StatusSnapshot
    from trips.upkeep import tasks

    # Day 21 of a stay: no warning at the default of 25 days, a warning at 20.
    trip = factories.make_trip(
        traveller=traveller, entry=timezone.localdate() - timedelta(days=20), days=None
    )
    factories.make_notification(trip=trip)
    client.force_login(compliance)
    data = {
        "allowance_warning_days": 10,
        "stay_day_warning": 20,
        "exit_warning_days": 5,
        "visa_expiry_warning_days": 30,
        "montage_warning_days": 100,
        "tax_warning_days": 150,
        "tax_window": Organisation.TaxWindow.TWELVE_MONTHS,
        "montage_year": Organisation.MontageYear.CALENDAR,
        "merge_same_day_reentry": "on",
        "registration_lead_days": 7,
    }

    response = client.post(reverse("trips:organisation_settings"), data, follow=True)

    assert "being updated" in response.content.decode()
    assert not StatusSnapshot.objects.exists()
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "trips.upkeep.tasks.refresh_organisation"

    tasks.refresh_organisation.call(*queued.args_kwargs["args"])

    assert StatusSnapshot.objects.get(traveller=traveller).status == "attention"


def test_a_stay_day_warning_outside_the_stay_is_refused_with_a_message(
    client, compliance, organisation
):
    client.force_login(compliance)

    response = client.post(
        reverse("trips:organisation_settings"),
        {
            "allowance_warning_days": 10,
            "stay_day_warning": 31,
            "exit_warning_days": 5,
            "visa_expiry_warning_days": 30,
            "montage_warning_days": 100,
            "tax_warning_days": 150,
            "tax_window": Organisation.TaxWindow.TWELVE_MONTHS,
            "montage_year": Organisation.MontageYear.CALENDAR,
        },
    )

    assert response.status_code == 200
    assert "The stay-day warning must be a day from 1 to 30." in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.stay_day_warning == 25


@pytest.mark.parametrize("persona", ["hr", "traveller_user"])
def test_only_compliance_may_change_the_settings(client, request, persona, organisation):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(reverse("trips:organisation_settings"), {"stay_day_warning": 3})

    assert response.status_code == 403
    organisation.refresh_from_db()
    assert organisation.stay_day_warning == 25


def test_the_settings_page_changes_only_the_users_own_organisation(
    client, other_organisation, organisation
):
    outsider = factories.make_user(organisation=other_organisation, role=User.Role.COMPLIANCE)
    client.force_login(outsider)

    client.post(reverse("trips:organisation_settings"), {"stay_day_warning": 3})

    organisation.refresh_from_db()
    assert organisation.stay_day_warning == 25


def test_compliance_finds_export_and_erasure_on_the_travellers_page(client, compliance, traveller):
    client.force_login(compliance)

    page = client.get(traveller.get_absolute_url()).content.decode()

    assert reverse("trips:traveller_export", args=[traveller.pk]) in page
    assert reverse("trips:traveller_erase", args=[traveller.pk]) in page


def test_hr_is_not_offered_export_or_erasure(client, hr, traveller):
    client.force_login(hr)

    page = client.get(traveller.get_absolute_url()).content.decode()

    assert reverse("trips:traveller_erase", args=[traveller.pk]) not in page
    assert reverse("trips:trip_import") in page
    assert reverse("trips:organisation_settings") not in page


def test_erasure_cuts_personal_values_out_of_alerts_and_keeps_their_facts(
    client, compliance, record
):
    from trips.models import Alert, AlertEvent

    visa = record.visa
    alert = Alert.objects.create(
        traveller=record.traveller,
        kind="visa_expiring",
        subject=f"visa:{visa.pk}",
        severity="attention",
        opened_on=date(2026, 6, 1),
        params={"visa": str(visa), "until": "2026-06-29", "days": 28},
        resolution_note="Told Tom Weber to renew N1234567",
    )
    AlertEvent.objects.create(alert=alert, action="emailed", note="to tom@example.com")

    erase(client, compliance, record.traveller)

    alert.refresh_from_db()
    assert alert.params == {
        "visa": "B2 business visa, multiple entry",
        "until": "2026-06-29",
        "days": 28,
    }
    assert (alert.kind, alert.due_on, alert.opened_on) == ("visa_expiring", None, date(2026, 6, 1))
    assert alert.resolution_note == ""
    assert list(alert.events.values_list("action", "note")) == [("emailed", "")]
