"""The data's invariants hold in the database, and full_clean() words each of them."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from tests import factories
from trips.models import Notification, Traveller, Trip, Visa

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="exclusion constraints exist on PostgreSQL only"
)


def messages_of(error: ValidationError) -> dict[str, list[str]]:
    return error.value.message_dict


# --- exit >= entry ---


def test_the_database_refuses_an_exit_before_the_entry(traveller):
    with pytest.raises(IntegrityError):
        Trip.objects.create(
            traveller=traveller, country="KZ", entry=date(2026, 3, 5), exit=date(2026, 3, 1)
        )


def test_full_clean_words_an_exit_before_the_entry_on_the_exit_field(traveller):
    trip = Trip(traveller=traveller, country="KZ", entry=date(2026, 3, 5), exit=date(2026, 3, 1))

    with pytest.raises(ValidationError) as error:
        trip.full_clean()

    assert messages_of(error) == {"exit": ["Exit 1 Mar 2026 is before entry 5 Mar 2026"]}


def test_a_one_day_trip_is_valid(traveller):
    trip = Trip(traveller=traveller, country="KZ", entry=date(2026, 3, 5), exit=date(2026, 3, 5))

    trip.full_clean()
    trip.save()

    assert traveller.trips.count() == 1


# --- at most one open trip ---


def test_the_database_refuses_a_second_open_trip(traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 1, 10), days=None)

    with pytest.raises(IntegrityError):
        factories.make_trip(traveller=traveller, entry=date(2026, 5, 1), days=None, country="DE")


def test_full_clean_words_a_second_open_trip(traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 1, 10), days=None)
    trip = Trip(traveller=traveller, country="DE", entry=date(2025, 12, 1), exit=None)

    with pytest.raises(ValidationError) as error:
        trip.full_clean()

    assert "This traveller already has a trip without an exit date" in messages_of(error)["exit"]


def test_two_travellers_may_each_have_an_open_trip(traveller, other_traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 1, 10), days=None)
    factories.make_trip(traveller=other_traveller, entry=date(2026, 1, 10), days=None)

    assert Trip.objects.open().count() == 2


# --- no overlapping trips ---


def test_full_clean_names_the_overlapping_trip_with_its_dates(traveller):
    factories.make_trip(
        traveller=traveller, entry=date(2026, 2, 20), exit=date(2026, 3, 2), days=None
    )
    trip = Trip(traveller=traveller, country="DE", entry=date(2026, 3, 1), exit=date(2026, 3, 9))

    with pytest.raises(ValidationError) as error:
        trip.full_clean()

    assert messages_of(error) == {"entry": ["Overlaps the trip 20 Feb 2026 – 2 Mar 2026"]}


def test_full_clean_puts_the_overlap_on_the_exit_when_the_exit_runs_into_a_later_trip(
    traveller,
):
    factories.make_trip(
        traveller=traveller, entry=date(2026, 2, 20), exit=date(2026, 3, 2), days=None
    )
    trip = Trip(traveller=traveller, country="DE", entry=date(2026, 2, 1), exit=date(2026, 2, 25))

    with pytest.raises(ValidationError) as error:
        trip.full_clean()

    assert messages_of(error) == {"exit": ["Overlaps the trip 20 Feb 2026 – 2 Mar 2026"]}


def test_two_trips_may_share_their_boundary_day(traveller):
    # Leaving Kazakhstan and entering Germany on 2 Mar counts as a day in both.
    factories.make_trip(
        traveller=traveller, entry=date(2026, 2, 20), exit=date(2026, 3, 2), days=None
    )
    trip = Trip(traveller=traveller, country="DE", entry=date(2026, 3, 2), exit=date(2026, 3, 9))

    trip.full_clean()
    trip.save()

    assert traveller.trips.count() == 2


def test_a_one_day_trip_inside_another_trip_overlaps_it(traveller):
    factories.make_trip(
        traveller=traveller, entry=date(2026, 2, 20), exit=date(2026, 3, 2), days=None
    )
    trip = Trip(traveller=traveller, country="AT", entry=date(2026, 2, 25), exit=date(2026, 2, 25))

    with pytest.raises(ValidationError) as error:
        trip.full_clean()

    assert messages_of(error) == {"entry": ["Overlaps the trip 20 Feb 2026 – 2 Mar 2026"]}


def test_an_open_trip_overlaps_every_later_trip(traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 1, 10), days=None)
    trip = Trip(traveller=traveller, country="DE", entry=date(2026, 4, 1), exit=date(2026, 4, 3))

    with pytest.raises(ValidationError) as error:
        trip.full_clean()

    assert messages_of(error) == {"entry": ["Overlaps the trip 10 Jan 2026 - no exit date"]}


def test_a_trip_does_not_overlap_itself_when_edited(traveller):
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 2, 20), days=10)
    trip.notes = "Moved to the Almaty office."

    trip.full_clean()


@postgresql_only
def test_postgresql_refuses_overlapping_trips_inserted_past_the_form(traveller):
    factories.make_trip(
        traveller=traveller, entry=date(2026, 2, 20), exit=date(2026, 3, 2), days=None
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Trip.objects.create(
            traveller=traveller, country="DE", entry=date(2026, 3, 1), exit=date(2026, 3, 9)
        )
    assert traveller.trips.count() == 1


@postgresql_only
def test_postgresql_refuses_a_trip_inside_an_open_trip(traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 1, 10), days=None)

    with pytest.raises(IntegrityError), transaction.atomic():
        Trip.objects.create(
            traveller=traveller, country="DE", entry=date(2026, 4, 1), exit=date(2026, 4, 3)
        )


@postgresql_only
def test_postgresql_allows_a_shared_boundary_day_and_one_day_trips(traveller, other_traveller):
    factories.make_trip(
        traveller=traveller, entry=date(2026, 2, 20), exit=date(2026, 3, 2), days=None
    )
    factories.make_trip(
        traveller=traveller, entry=date(2026, 3, 2), exit=date(2026, 3, 9), days=None, country="DE"
    )
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 20), days=1, country="AT")
    # Another traveller's trips never conflict with Tom's.
    factories.make_trip(traveller=other_traveller, entry=date(2026, 2, 25), days=10)

    assert Trip.objects.count() == 4


@postgresql_only
def test_postgresql_refuses_a_one_day_trip_inside_another_trip(traveller):
    factories.make_trip(
        traveller=traveller, entry=date(2026, 2, 20), exit=date(2026, 3, 2), days=None
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_trip(traveller=traveller, entry=date(2026, 2, 25), days=1, country="AT")


# --- visas ---


def test_the_database_refuses_a_visa_valid_until_before_valid_from(traveller):
    with pytest.raises(IntegrityError):
        factories.make_visa(
            traveller=traveller, valid_from=date(2026, 6, 1), valid_until=date(2026, 5, 1)
        )


def test_full_clean_words_a_visa_valid_until_before_valid_from(traveller):
    visa = Visa(
        traveller=traveller,
        country="KZ",
        kind=Visa.Kind.B2_SINGLE,
        valid_from=date(2026, 6, 1),
        valid_until=date(2026, 5, 1),
    )

    with pytest.raises(ValidationError) as error:
        visa.full_clean()

    assert messages_of(error) == {
        "valid_until": ["Valid until 1 May 2026 is before valid from 1 Jun 2026"]
    }


def test_a_visa_valid_for_one_day_is_valid(traveller):
    visa = Visa(
        traveller=traveller,
        country="KZ",
        kind=Visa.Kind.B2_SINGLE,
        valid_from=date(2026, 6, 1),
        valid_until=date(2026, 6, 1),
    )

    visa.full_clean()


def test_full_clean_refuses_another_travellers_visa_as_stay_basis(traveller, other_traveller):
    visa = factories.make_visa(traveller=other_traveller)
    trip = Trip(
        traveller=traveller, country="KZ", entry=date(2026, 3, 1), exit=date(2026, 3, 5), visa=visa
    )

    with pytest.raises(ValidationError) as error:
        trip.full_clean()

    assert messages_of(error) == {"visa": ["This visa belongs to another traveller."]}


# --- unique employee numbers ---


def test_the_database_refuses_a_duplicate_employee_number_in_one_organisation(
    organisation, traveller
):
    with pytest.raises(IntegrityError):
        factories.make_traveller(organisation=organisation, employee_number="E-1001")


def test_full_clean_words_a_duplicate_employee_number(organisation, traveller):
    other = Traveller(
        organisation=organisation, name="Tim Weber", employee_number="E-1001", citizenship="DE"
    )

    with pytest.raises(ValidationError) as error:
        other.full_clean()

    assert messages_of(error) == {
        "employee_number": ["Another traveller in this organisation has this employee number."]
    }


def test_two_organisations_may_use_the_same_employee_number(other_organisation, traveller):
    factories.make_traveller(organisation=other_organisation, employee_number="E-1001")


# --- address changes and notifications ---


def test_full_clean_refuses_an_address_change_outside_its_trip(traveller):
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=10)
    change = trip.address_changes.model(
        trip=trip, changed_on=date(2026, 3, 20), new_address="Dostyk Ave 5"
    )

    with pytest.raises(ValidationError) as error:
        change.full_clean()

    assert messages_of(error) == {
        "changed_on": ["20 Mar 2026 is outside the trip 2 Mar 2026 – 11 Mar 2026"]
    }


def test_an_address_change_on_the_exit_day_is_within_the_trip(traveller):
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=10)
    change = trip.address_changes.model(
        trip=trip, changed_on=date(2026, 3, 11), new_address="Dostyk Ave 5"
    )

    change.full_clean()


def test_the_database_refuses_an_address_change_notification_without_its_change(traveller):
    trip = factories.make_trip(traveller=traveller)

    with pytest.raises(IntegrityError):
        factories.make_notification(trip=trip, reason=Notification.Reason.ADDRESS_CHANGE)


def test_full_clean_refuses_a_notification_filed_before_the_arrival(traveller):
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2))
    notification = Notification(
        trip=trip, reason="arrival", address="Abay Ave 1", filed_on=date(2026, 3, 1)
    )

    with pytest.raises(ValidationError) as error:
        notification.full_clean()

    assert messages_of(error) == {
        "filed_on": ["Filed on 1 Mar 2026, before the event on 2 Mar 2026"]
    }


def test_full_clean_refuses_a_notification_for_another_trips_address_change(traveller):
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2))
    later = factories.make_trip(traveller=traveller, entry=date(2026, 5, 2))
    change = factories.make_address_change(trip=later)
    notification = Notification(
        trip=trip,
        reason="address_change",
        address_change=change,
        address="Dostyk Ave 5",
        filed_on=date(2026, 5, 6),
    )

    with pytest.raises(ValidationError) as error:
        notification.full_clean()

    assert messages_of(error) == {
        "address_change": ["This address change belongs to another trip."]
    }


def test_full_clean_words_an_address_change_notification_without_its_change(traveller):
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2))
    notification = Notification(
        trip=trip, reason="address_change", address="Dostyk Ave 5", filed_on=date(2026, 3, 6)
    )

    with pytest.raises(ValidationError) as error:
        notification.full_clean()

    assert messages_of(error) == {
        "address_change": ["Choose the address change this notification is for."]
    }


def test_history_records_who_changed_a_trip(traveller, hr):
    trip = factories.make_trip(traveller=traveller)
    trip._history_user = hr
    trip.notes = "Extended."
    trip.save()

    latest = trip.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == hr
    assert [c.field for c in latest.diff_against(latest.prev_record).changes] == ["notes"]


@pytest.mark.parametrize(
    ("language", "code", "name"),
    [
        pytest.param("en", "KZ", "Kazakhstan", id="english"),
        pytest.param("de", "KZ", "Kasachstan", id="german"),
        pytest.param("de", "QQ", "QQ", id="unknown-code"),
    ],
)
def test_a_country_is_named_in_the_active_language(language, code, name):
    from django.utils import translation

    from trips.countries import country_name

    with translation.override(language):
        assert country_name(code) == name
        assert str(Trip(country=code, entry=date(2026, 3, 2))).startswith(name)
