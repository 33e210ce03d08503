"""Every bad input to the HR forms is refused with a message by its field; nothing is saved."""

from datetime import date

from tests import factories
from trips.forms import AddressChangeForm, NotificationForm, TravellerForm, TripForm, VisaForm
from trips.models import AddressChange, Notification, Traveller, Trip, Visa


def trip_data(**fields) -> dict:
    return {"country": "KZ", "purpose": "business_meeting", **fields}


def test_hr_sees_an_exit_before_entry_error_on_the_exit_and_nothing_is_saved(traveller):
    form = TripForm(trip_data(entry="2026-03-05", exit="2026-03-01"), traveller=traveller)

    assert not form.is_valid()
    assert form.errors == {"exit": ["Exit 1 Mar 2026 is before entry 5 Mar 2026"]}
    assert not Trip.objects.exists()


def test_hr_sees_an_overlap_error_naming_the_trip_and_nothing_is_saved(traveller):
    factories.make_trip(
        traveller=traveller, entry=date(2026, 2, 20), exit=date(2026, 3, 2), days=None
    )

    form = TripForm(trip_data(entry="2026-03-01", exit="2026-03-10"), traveller=traveller)

    assert not form.is_valid()
    assert form.errors == {"entry": ["Overlaps the trip 20 Feb 2026 – 2 Mar 2026"]}
    assert Trip.objects.count() == 1


def test_editing_a_trip_into_its_neighbour_is_refused_and_the_trip_keeps_its_dates(traveller):
    factories.make_trip(
        traveller=traveller, entry=date(2026, 2, 20), exit=date(2026, 3, 2), days=None
    )
    later = factories.make_trip(traveller=traveller, entry=date(2026, 4, 1), days=5)

    form = TripForm(
        trip_data(entry="2026-02-28", exit="2026-04-05"), instance=later, traveller=traveller
    )

    assert not form.is_valid()
    later.refresh_from_db()
    assert later.entry == date(2026, 4, 1)


def test_a_trip_entering_on_the_day_another_ends_is_accepted(traveller):
    factories.make_trip(
        traveller=traveller, entry=date(2026, 2, 20), exit=date(2026, 3, 2), days=None
    )

    form = TripForm(
        trip_data(country="DE", entry="2026-03-02", exit="2026-03-10"), traveller=traveller
    )

    assert form.is_valid(), form.errors


def test_a_second_trip_without_exit_is_refused(traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 1, 10), days=None)

    form = TripForm(trip_data(entry="2025-11-01"), traveller=traveller)

    assert not form.is_valid()
    assert "This traveller already has a trip without an exit date" in form.errors["exit"]
    assert Trip.objects.count() == 1


def test_a_visa_not_yet_valid_on_the_entry_day_is_refused(traveller):
    visa = factories.make_visa(
        traveller=traveller, valid_from=date(2026, 5, 1), valid_until=date(2026, 10, 1)
    )

    form = TripForm(
        trip_data(entry="2026-04-12", exit="2026-04-20", visa=visa.pk), traveller=traveller
    )

    assert not form.is_valid()
    assert form.errors == {"visa": ["No visa valid on 12 Apr 2026 for this trip"]}
    assert not Trip.objects.exists()


def test_a_kazakh_visa_for_a_trip_to_germany_is_refused(traveller):
    visa = factories.make_visa(traveller=traveller, country="KZ")

    form = TripForm(
        trip_data(country="DE", entry="2026-04-12", exit="2026-04-20", visa=visa.pk),
        traveller=traveller,
    )

    assert not form.is_valid()
    assert form.errors == {"visa": ["No visa valid on 12 Apr 2026 for this trip"]}


def test_a_schengen_c_visa_issued_by_germany_covers_a_trip_to_france(other_traveller):
    visa = factories.make_visa(traveller=other_traveller, country="DE", kind=Visa.Kind.SCHENGEN_C)

    form = TripForm(
        trip_data(country="FR", entry="2026-04-12", exit="2026-04-20", visa=visa.pk),
        traveller=other_traveller,
    )

    assert form.is_valid(), form.errors


def test_a_german_d_visa_does_not_cover_a_trip_to_france(other_traveller):
    visa = factories.make_visa(
        traveller=other_traveller, country="DE", kind=Visa.Kind.DE_NATIONAL_D
    )

    form = TripForm(
        trip_data(country="FR", entry="2026-04-12", exit="2026-04-20", visa=visa.pk),
        traveller=other_traveller,
    )

    assert not form.is_valid()
    assert form.errors == {"visa": ["No visa valid on 12 Apr 2026 for this trip"]}


def test_a_tampered_post_with_another_travellers_visa_is_refused(traveller, other_traveller):
    foreign_visa = factories.make_visa(traveller=other_traveller)

    form = TripForm(
        trip_data(entry="2026-04-12", exit="2026-04-20", visa=foreign_visa.pk),
        traveller=traveller,
    )

    assert not form.is_valid()
    assert form.errors == {"visa": ["Choose one of this traveller's own visas."]}
    assert not Trip.objects.exists()


def test_the_trip_form_offers_only_the_travellers_own_visas(traveller, other_traveller):
    own = factories.make_visa(traveller=traveller)
    factories.make_visa(traveller=other_traveller)

    form = TripForm(traveller=traveller)

    assert list(form.fields["visa"].queryset) == [own]


def test_a_visa_valid_until_before_valid_from_is_refused(traveller):
    form = VisaForm(
        {
            "country": "KZ",
            "kind": "b2_single",
            "valid_from": "2026-06-01",
            "valid_until": "2026-05-01",
        },
        traveller=traveller,
    )

    assert not form.is_valid()
    assert form.errors == {
        "valid_until": ["Valid until 1 May 2026 is before valid from 1 Jun 2026"]
    }
    assert not Visa.objects.exists()


def test_a_duplicate_employee_number_in_the_organisation_is_refused(organisation, traveller):
    form = TravellerForm(
        {"name": "Tim Weber", "employee_number": "E-1001", "citizenship": "DE", "language": "en"},
        organisation=organisation,
    )

    assert not form.is_valid()
    assert form.errors == {
        "employee_number": ["Another traveller in this organisation has this employee number."]
    }
    assert Traveller.objects.count() == 1


def test_an_employee_number_of_another_organisation_is_accepted(other_organisation, traveller):
    form = TravellerForm(
        {"name": "Tim Weber", "employee_number": "E-1001", "citizenship": "DE", "language": "en"},
        organisation=other_organisation,
    )

    assert form.is_valid(), form.errors


def test_the_traveller_form_offers_only_the_organisations_free_logins_and_hr(
    organisation, traveller, hr, compliance, foreign_hr
):
    free = factories.make_user(organisation=organisation, role="traveller")

    form = TravellerForm(organisation=organisation)

    assert list(form.fields["user"].queryset) == [free]
    assert set(form.fields["hr_owner"].queryset) == {hr, compliance}


def test_an_address_change_outside_the_trip_is_refused(traveller):
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=10)

    form = AddressChangeForm({"changed_on": "2026-03-20", "new_address": "Dostyk Ave 5"}, trip=trip)

    assert not form.is_valid()
    assert form.errors == {
        "changed_on": ["20 Mar 2026 is outside the trip 2 Mar 2026 – 11 Mar 2026"]
    }
    assert not AddressChange.objects.exists()


def test_a_notification_filed_before_the_arrival_is_refused(traveller):
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2))

    form = NotificationForm(
        {"reason": "arrival", "address": "Abay Ave 1", "filed_on": "2026-03-01"}, trip=trip
    )

    assert not form.is_valid()
    assert form.errors == {"filed_on": ["Filed on 1 Mar 2026, before the event on 2 Mar 2026"]}
    assert not Notification.objects.exists()


def test_a_notification_filed_before_its_address_change_is_refused(traveller):
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2))
    change = factories.make_address_change(trip=trip, changed_on=date(2026, 3, 6))

    form = NotificationForm(
        {
            "reason": "address_change",
            "address_change": change.pk,
            "address": "Dostyk Ave 5",
            "filed_on": "2026-03-05",
        },
        trip=trip,
    )

    assert not form.is_valid()
    assert form.errors == {"filed_on": ["Filed on 5 Mar 2026, before the event on 6 Mar 2026"]}


def test_a_notification_for_another_trips_address_change_is_refused(traveller):
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2))
    later = factories.make_trip(traveller=traveller, entry=date(2026, 5, 2))
    change = factories.make_address_change(trip=later)

    form = NotificationForm(
        {
            "reason": "address_change",
            "address_change": change.pk,
            "address": "Dostyk Ave 5",
            "filed_on": "2026-05-06",
        },
        trip=trip,
    )

    assert not form.is_valid()
    assert form.errors == {"address_change": ["Choose one of this trip's address changes."]}
    assert not Notification.objects.exists()


def test_an_address_change_notification_must_name_its_change(traveller):
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2))

    form = NotificationForm(
        {"reason": "address_change", "address": "Dostyk Ave 5", "filed_on": "2026-03-06"},
        trip=trip,
    )

    assert not form.is_valid()
    assert form.errors == {
        "address_change": ["Choose the address change this notification is for."]
    }


def test_an_arrival_notification_names_no_address_change(traveller):
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2))
    change = factories.make_address_change(trip=trip)

    form = NotificationForm(
        {
            "reason": "arrival",
            "address_change": change.pk,
            "address": "Abay Ave 1",
            "filed_on": "2026-03-02",
        },
        trip=trip,
    )

    assert not form.is_valid()
    assert form.errors == {"address_change": ["An arrival notification names no address change."]}


def test_a_notification_filed_on_the_arrival_day_is_accepted(traveller):
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2))

    form = NotificationForm(
        {"reason": "arrival", "address": "Abay Ave 1", "filed_on": "2026-03-02"}, trip=trip
    )

    assert form.is_valid(), form.errors
