"""The HR pages: lists, the traveller page, and every change as a plain form and with htmx."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories
from trips.choices import Status
from trips.dashboard.rows import snapshot_words
from trips.evaluation import snapshots
from trips.models import AddressChange, Notification, StatusSnapshot, Traveller, Trip, Visa

HTMX = {"HX-Request": "true"}


@pytest.fixture
def today():
    return timezone.localdate()


def url(name: str, *args) -> str:
    return reverse(f"trips:{name}", args=args)


def trip_data(**fields) -> dict:
    return {"country": "KZ", "purpose": "business_meeting", **fields}


def text(response) -> str:
    return response.content.decode()


# --- Travellers list ---


def test_hr_sees_the_organisations_travellers_only(client, hr, traveller, foreign_traveller):
    client.force_login(hr)

    response = client.get(url("traveller_list"))

    assert response.status_code == 200
    assert "Tom Weber" in text(response)
    assert "Outsider Person" not in text(response)


def test_travellers_are_found_by_name_or_employee_number(client, hr, traveller, other_traveller):
    client.force_login(hr)

    by_name = text(client.get(url("traveller_list"), {"q": "weber"}))
    by_number = text(client.get(url("traveller_list"), {"q": "E-1002"}))

    assert "Tom Weber" in by_name and "Aigerim" not in by_name
    assert "Aigerim Sadykova" in by_number and "Tom Weber" not in by_number


def test_travellers_are_filtered_by_the_status_of_their_snapshot(
    client, hr, traveller, other_traveller, today
):
    StatusSnapshot.objects.create(
        traveller=traveller, evaluated_on=today, status=Status.OVERSTAY, urgency=3
    )
    client.force_login(hr)

    overstaying = text(client.get(url("traveller_list"), {"status": "overstay"}))
    fine = text(client.get(url("traveller_list"), {"status": "ok"}))

    assert "Tom Weber" in overstaying and "Aigerim" not in overstaying
    # Without a snapshot nothing is recorded, so nothing is wrong.
    assert "Aigerim Sadykova" in fine and "Tom Weber" not in fine


def test_the_travellers_list_is_paged(client, hr, organisation):
    for number in range(30):
        factories.make_traveller(organisation=organisation, name=f"Person {number:02d}")
    client.force_login(hr)

    first = text(client.get(url("traveller_list")))
    second = text(client.get(url("traveller_list"), {"page": 2}))

    assert "Page 1 of 2" in first and "Person 00" in first and "Person 29" not in first
    assert "Person 29" in second and "Person 00" not in second


def test_searching_with_htmx_returns_only_the_table(client, hr, traveller):
    client.force_login(hr)

    response = client.get(url("traveller_list"), {"q": "tom"}, headers=HTMX)

    assert response.status_code == 200
    assert "<html" not in text(response)
    assert 'id="traveller-table"' in text(response)
    assert "Tom Weber" in text(response)


def test_the_search_box_updates_the_table_as_one_types_and_works_without_javascript(client, hr):
    client.force_login(hr)

    page = text(client.get(url("traveller_list")))

    assert 'hx-trigger="input changed delay:300ms, search"' in page
    assert f'<form method="get" action="{url("traveller_list")}"' in page


def test_a_traveller_may_not_list_travellers(client, traveller_user):
    client.force_login(traveller_user)

    assert client.get(url("traveller_list")).status_code == 403


# --- Creating and editing travellers ---


def test_hr_adds_a_traveller(client, hr, organisation):
    client.force_login(hr)

    response = client.post(
        url("traveller_create"),
        {"name": "Ana Lima", "employee_number": "E-2001", "citizenship": "KZ", "language": "en"},
    )

    ana = Traveller.objects.get(employee_number="E-2001")
    assert response.status_code == 302 and response.url == ana.get_absolute_url()
    assert ana.organisation == organisation
    assert StatusSnapshot.objects.filter(traveller=ana).exists()


def test_hr_sees_a_duplicate_employee_number_and_keeps_what_was_typed(client, hr, traveller):
    client.force_login(hr)

    response = client.post(
        url("traveller_create"),
        {"name": "Tim Weber", "employee_number": "E-1001", "citizenship": "DE", "language": "en"},
    )

    assert response.status_code == 200
    assert "Another traveller in this organisation has this employee number." in text(response)
    assert 'value="Tim Weber"' in text(response)
    assert Traveller.objects.filter(employee_number="E-1001").count() == 1


def test_hr_edits_a_traveller(client, hr, traveller):
    client.force_login(hr)

    response = client.post(
        url("traveller_update", traveller.pk),
        {
            "name": "Tom Weber-Ott",
            "employee_number": "E-1001",
            "citizenship": "DE",
            "language": "de",
            "active": "on",
        },
    )

    assert response.status_code == 302
    traveller.refresh_from_db()
    assert traveller.name == "Tom Weber-Ott"


def test_a_traveller_may_not_edit_their_details(client, traveller_user, traveller):
    client.force_login(traveller_user)

    assert client.get(url("traveller_update", traveller.pk)).status_code == 403
    assert client.post(url("traveller_create"), {}).status_code == 403


def test_hr_of_another_organisation_gets_404_for_the_traveller(client, foreign_hr, traveller):
    client.force_login(foreign_hr)

    assert client.get(url("traveller_detail", traveller.pk)).status_code == 404
    assert client.get(url("traveller_update", traveller.pk)).status_code == 404
    assert client.post(url("trip_create", traveller.pk), trip_data()).status_code == 404
    assert client.get(url("traveller_status", traveller.pk)).status_code == 404
    assert not Trip.objects.exists()


# --- The traveller page ---


def test_hr_sees_details_visas_trips_notifications_and_status(client, hr, traveller, today):
    visa = factories.make_visa(traveller=traveller, number="B2-777")
    past = factories.make_trip(traveller=traveller, entry=today - timedelta(days=60), days=10)
    factories.make_notification(trip=past, reference="EQ-PAST")
    factories.make_trip(traveller=traveller, entry=today - timedelta(days=3), days=10)
    factories.make_trip(traveller=traveller, entry=today + timedelta(days=30), days=5, country="DE")
    client.force_login(hr)

    page = text(client.get(url("traveller_detail", traveller.pk)))

    assert "E-1001" in page and "Germany" in page
    assert visa.number in page
    assert "Past" in page and "Current" in page and "Planned" in page
    assert "EQ-PAST" in page
    assert 'id="status-panel"' in page
    assert f'hx-get="{url("traveller_status", traveller.pk)}"' in page
    assert 'hx-trigger="traveller-changed from:body"' in page


def test_the_traveller_sees_their_own_page_read_only(client, traveller_user, traveller, today):
    factories.make_trip(traveller=traveller, entry=today - timedelta(days=60), days=10)
    client.force_login(traveller_user)

    response = client.get(url("traveller_detail", traveller.pk))

    assert response.status_code == 200
    assert "Add visa" not in text(response)
    assert url("trip_create", traveller.pk) in text(response)  # they may plan trips
    assert "History" not in text(response)


def test_a_traveller_gets_404_for_a_colleagues_page(client, traveller_user, other_traveller):
    client.force_login(traveller_user)

    assert client.get(url("traveller_detail", other_traveller.pk)).status_code == 404


def test_the_status_panel_is_a_fragment(client, hr, traveller, today):
    factories.make_trip(traveller=traveller, entry=today - timedelta(days=3), days=None)
    client.force_login(hr)

    response = client.get(url("traveller_status", traveller.pk), headers=HTMX)

    assert response.status_code == 200
    assert "<html" not in text(response)
    assert "Latest legal exit" in text(response)


def test_hr_sees_the_history_of_who_changed_what(client, hr, traveller, today):
    client.force_login(hr)
    trip = factories.make_trip(traveller=traveller, entry=today - timedelta(days=60), days=10)
    client.post(
        url("trip_update", traveller.pk, trip.pk),
        trip_data(entry=trip.entry.isoformat(), exit=trip.exit.isoformat(), host="Kazakh Steel"),
    )

    page = text(client.get(url("traveller_detail", traveller.pk)))

    assert "History" in page
    assert "trip: " in page and "changed" in page
    assert "host / inviting party:" in page and "Kazakh Steel" in page
    assert "Hanna" in page  # who


def test_the_history_reads_as_often_for_many_changes_as_for_one(client, hr, traveller, today):
    client.force_login(hr)
    trip = factories.make_trip(traveller=traveller, entry=today - timedelta(days=60), days=10)
    dates = {"entry": trip.entry.isoformat(), "exit": trip.exit.isoformat()}

    def queries_after_changing(hosts: list[str]) -> int:
        for host in hosts:
            client.post(url("trip_update", traveller.pk, trip.pk), trip_data(**dates, host=host))
        with CaptureQueriesContext(connection) as queries:
            client.get(url("traveller_detail", traveller.pk), {"part": "history"}, headers=HTMX)
        return len(queries)

    once = queries_after_changing(["Host 1"])

    assert queries_after_changing([f"Host {n}" for n in range(2, 12)]) == once


def test_the_history_reloads_as_a_fragment(client, hr, traveller):
    client.force_login(hr)

    response = client.get(url("traveller_detail", traveller.pk), {"part": "history"}, headers=HTMX)

    assert "<html" not in text(response)
    assert 'id="history"' in text(response)


# --- Trips ---


def test_hr_adds_a_trip_with_a_plain_form(client, hr, traveller, today):
    client.force_login(hr)
    entry = today - timedelta(days=9)

    response = client.post(
        url("trip_create", traveller.pk),
        trip_data(entry=entry.isoformat(), exit=today.isoformat(), host="Kazakh Steel"),
    )

    assert response.status_code == 302
    assert response.url == traveller.get_absolute_url()
    trip = traveller.trips.get()
    assert trip.host == "Kazakh Steel"
    assert StatusSnapshot.objects.get(traveller=traveller).kz_days_used == 10


def test_hr_adds_a_trip_with_htmx_and_gets_the_records_and_a_trigger(client, hr, traveller, today):
    client.force_login(hr)
    entry = today - timedelta(days=4)

    response = client.post(
        url("trip_create", traveller.pk),
        trip_data(entry=entry.isoformat(), exit=today.isoformat()),
        headers=HTMX,
    )

    assert response.status_code == 200
    assert "<html" not in text(response)
    assert 'id="records"' in text(response)
    assert response.headers["HX-Trigger"] == "traveller-changed"
    assert traveller.trips.count() == 1
    assert StatusSnapshot.objects.get(traveller=traveller).kz_days_used == 5


def test_the_add_trip_button_loads_a_form_row_into_the_table(client, hr, traveller):
    client.force_login(hr)

    response = client.get(url("trip_create", traveller.pk), headers=HTMX)

    assert "<html" not in text(response)
    assert text(response).strip().startswith('<tr id="trip-form-new"')
    assert f'hx-post="{url("trip_create", traveller.pk)}"' in text(response)


def test_the_trip_form_is_a_full_page_without_javascript(client, hr, traveller):
    client.force_login(hr)

    response = client.get(url("trip_create", traveller.pk))

    assert "<html" in text(response)
    assert "hx-post" not in text(response)


def test_an_invalid_htmx_trip_is_rerendered_in_place_with_errors_and_input(client, hr, traveller):
    client.force_login(hr)

    response = client.post(
        url("trip_create", traveller.pk),
        trip_data(entry="2026-03-05", exit="2026-03-01", host="Kazakh Steel"),
        headers=HTMX,
    )

    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#trip-form-new"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert "HX-Trigger" not in response.headers
    assert "Exit 1 Mar 2026 is before entry 5 Mar 2026" in text(response)
    assert 'value="Kazakh Steel"' in text(response)
    assert not Trip.objects.exists()


def test_an_overlapping_trip_is_refused_with_its_dates_on_the_page(client, hr, traveller):
    factories.make_trip(
        traveller=traveller, entry=date(2026, 2, 20), exit=date(2026, 3, 2), days=None
    )
    client.force_login(hr)

    response = client.post(
        url("trip_create", traveller.pk), trip_data(entry="2026-03-01", exit="2026-03-09")
    )

    assert response.status_code == 200
    assert "Overlaps the trip 20 Feb 2026 – 2 Mar 2026" in text(response)
    assert traveller.trips.count() == 1


def test_a_tampered_visa_of_another_traveller_is_refused(client, hr, traveller, other_traveller):
    foreign_visa = factories.make_visa(traveller=other_traveller)
    client.force_login(hr)

    response = client.post(
        url("trip_create", traveller.pk),
        trip_data(entry="2026-03-01", exit="2026-03-09", visa=foreign_visa.pk),
    )

    assert response.status_code == 200
    assert "Choose one of this traveller&#x27;s own visas." in text(response)
    assert not Trip.objects.exists()


def test_hr_edits_a_trip_with_htmx(client, hr, traveller, today):
    trip = factories.make_trip(traveller=traveller, entry=today - timedelta(days=20), days=5)
    client.force_login(hr)

    form_row = client.get(url("trip_update", traveller.pk, trip.pk), headers=HTMX)
    response = client.post(
        url("trip_update", traveller.pk, trip.pk),
        trip_data(entry=trip.entry.isoformat(), exit=(trip.entry + timedelta(days=9)).isoformat()),
        headers=HTMX,
    )

    assert f'<tr id="trip-form-{trip.pk}"' in text(form_row)
    assert response.headers["HX-Trigger"] == "traveller-changed"
    trip.refresh_from_db()
    assert trip.exit == trip.entry + timedelta(days=9)
    assert StatusSnapshot.objects.get(traveller=traveller).kz_days_used == 10


def test_deleting_a_trip_asks_for_confirmation_without_javascript(client, hr, traveller):
    trip = factories.make_trip(traveller=traveller)
    client.force_login(hr)

    confirm = client.get(url("trip_delete", traveller.pk, trip.pk))
    response = client.post(url("trip_delete", traveller.pk, trip.pk))

    assert confirm.status_code == 200 and "Delete Kazakhstan" in text(confirm)
    assert response.status_code == 302
    assert not Trip.objects.exists()


def test_deleting_a_trip_with_htmx_asks_in_the_browser_and_swaps_the_records(
    client, hr, traveller, today
):
    trip = factories.make_trip(traveller=traveller, entry=today - timedelta(days=5), days=3)
    client.force_login(hr)
    page = text(client.get(url("traveller_detail", traveller.pk)))

    response = client.post(url("trip_delete", traveller.pk, trip.pk), headers=HTMX)

    assert 'hx-confirm="Delete the trip' in page
    assert response.headers["HX-Trigger"] == "traveller-changed"
    assert "No trips recorded." in text(response)
    assert StatusSnapshot.objects.get(traveller=traveller).kz_days_used == 0


def test_the_snapshot_is_refreshed_in_the_same_transaction_as_the_change(
    client, hr, traveller, monkeypatch
):
    def broken(traveller, *, on):
        raise RuntimeError("the rules engine failed")

    monkeypatch.setattr(snapshots, "refresh_snapshot", broken)
    client.force_login(hr)

    with pytest.raises(RuntimeError):
        client.post(url("trip_create", traveller.pk), trip_data(entry="2026-03-01"))

    assert not Trip.objects.exists()


# --- A traveller plans their own trips ---


def test_a_traveller_adds_a_planned_trip_of_their_own(client, traveller_user, traveller, today):
    client.force_login(traveller_user)
    entry = today + timedelta(days=30)

    response = client.post(
        url("trip_create", traveller.pk),
        trip_data(entry=entry.isoformat(), exit=(entry + timedelta(days=4)).isoformat()),
    )

    assert response.status_code == 302
    assert traveller.trips.get().entry == entry


def test_a_traveller_may_not_record_a_past_trip(client, traveller_user, traveller, today):
    client.force_login(traveller_user)
    entry = today - timedelta(days=30)

    response = client.post(
        url("trip_create", traveller.pk),
        trip_data(entry=entry.isoformat(), exit=(entry + timedelta(days=4)).isoformat()),
    )

    assert response.status_code == 200
    assert "You may only plan trips that start after today." in text(response)
    assert not Trip.objects.exists()


def test_a_traveller_edits_their_planned_trip_but_not_a_past_one(
    client, traveller_user, traveller, today
):
    planned = factories.make_trip(traveller=traveller, entry=today + timedelta(days=30), days=5)
    past = factories.make_trip(traveller=traveller, entry=today - timedelta(days=60), days=5)
    client.force_login(traveller_user)
    later = planned.entry + timedelta(days=1)

    moved = client.post(
        url("trip_update", traveller.pk, planned.pk),
        trip_data(entry=later.isoformat(), exit=(later + timedelta(days=4)).isoformat()),
    )
    refused = client.post(
        url("trip_update", traveller.pk, past.pk),
        trip_data(entry=past.entry.isoformat(), exit=past.entry.isoformat()),
    )

    assert moved.status_code == 302
    assert refused.status_code == 403
    assert client.post(url("trip_delete", traveller.pk, past.pk)).status_code == 403
    past.refresh_from_db()
    assert past.exit == past.entry + timedelta(days=4)


def test_a_traveller_may_not_move_a_planned_trip_into_the_past(
    client, traveller_user, traveller, today
):
    planned = factories.make_trip(traveller=traveller, entry=today + timedelta(days=30), days=5)
    client.force_login(traveller_user)
    earlier = today - timedelta(days=10)

    response = client.post(
        url("trip_update", traveller.pk, planned.pk),
        trip_data(entry=earlier.isoformat(), exit=earlier.isoformat()),
    )

    assert "You may only plan trips that start after today." in text(response)
    planned.refresh_from_db()
    assert planned.entry == today + timedelta(days=30)


def test_a_traveller_may_not_change_visas_or_notifications(client, traveller_user, traveller):
    trip = factories.make_trip(traveller=traveller)
    visa = factories.make_visa(traveller=traveller)
    notification = factories.make_notification(trip=trip)
    client.force_login(traveller_user)

    assert client.get(url("visa_create", traveller.pk)).status_code == 403
    assert client.post(url("visa_delete", traveller.pk, visa.pk)).status_code == 403
    assert client.get(url("address_change_create", traveller.pk, trip.pk)).status_code == 403
    assert (
        client.post(url("notification_delete", traveller.pk, trip.pk, notification.pk)).status_code
        == 403
    )
    assert Visa.objects.exists() and Notification.objects.exists()


# --- Visas ---


def test_hr_adds_edits_and_deletes_a_visa(client, hr, traveller):
    client.force_login(hr)
    data = {
        "country": "KZ",
        "kind": "b2_multiple",
        "number": "B2-100",
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        "days_allowed": "90",
    }

    created = client.post(url("visa_create", traveller.pk), data, headers=HTMX)
    visa = traveller.visas.get()
    updated = client.post(
        url("visa_update", traveller.pk, visa.pk), {**data, "number": "B2-101"}, headers=HTMX
    )
    visa.refresh_from_db()
    number_after_update = visa.number
    deleted = client.post(url("visa_delete", traveller.pk, visa.pk))

    assert created.headers["HX-Trigger"] == "traveller-changed"
    assert updated.headers["HX-Trigger"] == "traveller-changed"
    assert number_after_update == "B2-101"
    assert deleted.status_code == 302
    assert not Visa.objects.exists()


def test_a_visa_a_trip_depends_on_is_not_deleted(client, hr, traveller):
    visa = factories.make_visa(traveller=traveller)
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), visa=visa)
    client.force_login(hr)

    response = client.post(url("visa_delete", traveller.pk, visa.pk), headers=HTMX)

    assert response.status_code == 200
    assert "is the stay basis of 1 trip; change that trip first." in text(response)
    assert Visa.objects.exists()


def test_another_travellers_visa_is_not_found_under_this_traveller(
    client, hr, traveller, other_traveller
):
    visa = factories.make_visa(traveller=other_traveller)
    client.force_login(hr)

    assert client.post(url("visa_delete", traveller.pk, visa.pk)).status_code == 404
    assert Visa.objects.exists()


# --- Address changes and notifications ---


def test_hr_records_an_address_change_and_its_notification_with_htmx(client, hr, traveller):
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=20)
    client.force_login(hr)

    moved = client.post(
        url("address_change_create", traveller.pk, trip.pk),
        {"changed_on": "2026-03-10", "new_address": "Dostyk Ave 5, Almaty"},
        headers=HTMX,
    )
    change = trip.address_changes.get()
    notified = client.post(
        url("notification_create", traveller.pk, trip.pk),
        {
            "reason": "address_change",
            "address_change": change.pk,
            "address": "Dostyk Ave 5, Almaty",
            "filed_on": "2026-03-11",
            "reference": "EQ-42",
        },
        headers=HTMX,
    )

    assert moved.headers["HX-Trigger"] == "traveller-changed"
    assert notified.headers["HX-Trigger"] == "traveller-changed"
    assert "EQ-42" in text(notified)
    assert trip.notifications.get().address_change == change


def test_an_address_change_outside_the_trip_is_shown_next_to_the_field(client, hr, traveller):
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=10)
    client.force_login(hr)

    response = client.post(
        url("address_change_create", traveller.pk, trip.pk),
        {"changed_on": "2026-03-20", "new_address": "Dostyk Ave 5"},
        headers=HTMX,
    )

    assert response.headers["HX-Retarget"] == "#address_change-form-new"
    assert "20 Mar 2026 is outside the trip 2 Mar 2026 – 11 Mar 2026" in text(response)
    assert not AddressChange.objects.exists()


def test_hr_edits_and_deletes_a_notification(client, hr, traveller):
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2))
    notification = factories.make_notification(trip=trip, reference="EQ-1")
    client.force_login(hr)

    client.post(
        url("notification_update", traveller.pk, trip.pk, notification.pk),
        {
            "reason": "arrival",
            "address": "Abay Ave 1",
            "filed_on": "2026-03-03",
            "reference": "EQ-2",
        },
    )
    notification.refresh_from_db()
    reference = notification.reference
    client.post(url("notification_delete", traveller.pk, trip.pk, notification.pk))

    assert reference == "EQ-2"
    assert not Notification.objects.exists()


def test_hr_edits_and_deletes_an_address_change(client, hr, traveller):
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2))
    change = factories.make_address_change(trip=trip)
    client.force_login(hr)

    client.post(
        url("address_change_update", traveller.pk, trip.pk, change.pk),
        {"changed_on": "2026-03-04", "new_address": "Satpaev St 9"},
    )
    change.refresh_from_db()
    address = change.new_address
    response = client.post(
        url("address_change_delete", traveller.pk, trip.pk, change.pk), headers=HTMX
    )

    assert address == "Satpaev St 9"
    assert response.headers["HX-Trigger"] == "traveller-changed"
    assert not AddressChange.objects.exists()


# --- Admin ---


@pytest.mark.parametrize(
    "model",
    [
        "organisation",
        "user",
        "traveller",
        "trip",
        "visa",
        "addresschange",
        "notification",
        "statussnapshot",
    ],
)
def test_the_admin_lists_every_model(admin_client, traveller, model):
    trip = factories.make_trip(traveller=traveller)
    factories.make_notification(trip=trip)
    snapshots.refresh_snapshot(traveller, on=date(2026, 3, 5))

    response = admin_client.get(reverse(f"admin:trips_{model}_changelist"))

    assert response.status_code == 200


def test_the_admin_shows_a_travellers_trips_and_visas_inline(admin_client, traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 2))
    factories.make_visa(traveller=traveller, number="B2-555")

    response = admin_client.get(reverse("admin:trips_traveller_change", args=[traveller.pk]))

    assert 'value="2026-03-02"' in text(response) and 'value="B2-555"' in text(response)


# --- A realistic year, recorded through the pages ---


def test_hr_records_a_year_of_trips_and_sees_each_change_in_the_snapshot(
    client, hr, traveller, today
):
    """Tom, a German engineer, over the year up to today: every save shows at once."""
    client.force_login(hr)

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    def snapshot() -> StatusSnapshot:
        return StatusSnapshot.objects.get(traveller=traveller)

    def post(name: str, *args, **data):
        response = client.post(url(name, traveller.pk, *args), data, headers=HTMX)
        assert response.status_code == 200
        assert response.headers.get("HX-Trigger") == "traveller-changed", text(response)
        return response

    # Winter: a business meeting in Almaty, long before the 180-day window.
    post("trip_create", **trip_data(entry=day(-330), exit=day(-321), host="Kazakh Steel"))
    assert snapshot().kz_days_used == 0
    # Spring: home in Germany (no short-stay rule binds a German there), then a conference.
    post("trip_create", **trip_data(country="DE", entry=day(-321), exit=day(-200)))
    post("trip_create", **trip_data(purpose="conference", entry=day(-170), exit=day(-157)))
    assert snapshot().kz_days_used == 14
    # Summer: a B2 visa for a Montage job.
    post(
        "visa_create",
        country="KZ",
        kind="b2_multiple",
        number="B2-2026-17",
        valid_from=day(-130),
        valid_until=day(60),
        days_allowed="90",
    )
    visa = traveller.visas.get()
    post(
        "trip_create",
        **trip_data(purpose="montage", entry=day(-120), exit=day(-91), visa=visa.pk),
    )
    after_montage = snapshot()
    # Now: back in Almaty since ten days ago, visa-free, still there.
    post("trip_create", **trip_data(entry=day(-10), address="Abay Ave 1, Almaty"))
    now = snapshot()
    assert now.location == "KZ"
    assert now.location_since == today - timedelta(days=10)
    assert now.stay_day == 11
    assert now.kz_days_used > after_montage.kz_days_used
    assert now.latest_legal_exit is not None
    current = traveller.trips.get(exit__isnull=True)
    post(
        "notification_create",
        current.pk,
        reason="arrival",
        address="Abay Ave 1, Almaty",
        filed_on=day(-9),
        reference="EQ-100",
    )
    before_move = snapshot()
    # He moves flats three days ago: the host must notify eQonaq again.
    post(
        "address_change_create",
        current.pk,
        changed_on=day(-3),
        new_address="Dostyk Ave 5, Almaty",
    )
    moved = snapshot()
    assert "eQonaq" in " ".join(snapshot_words(moved))
    change = current.address_changes.get()
    post(
        "notification_create",
        current.pk,
        reason="address_change",
        address_change=change.pk,
        address="Dostyk Ave 5, Almaty",
        filed_on=day(-2),
        reference="EQ-101",
    )
    notified = snapshot()
    assert "eQonaq" not in snapshot_words(notified)[1]
    assert notified.status == before_move.status

    # Every record is there, with its history, and the snapshot is today's.
    assert traveller.trips.count() == 5
    assert Notification.objects.filter(trip__traveller=traveller).count() == 2
    assert notified.evaluated_on == today
    page = text(client.get(url("traveller_detail", traveller.pk)))
    assert "B2-2026-17" in page and "EQ-101" in page and "Dostyk Ave 5, Almaty" in page
    assert page.count("created") >= 9
