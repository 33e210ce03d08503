"""What a traveller records themselves: planned trips and exits at once, marked as theirs;
corrections of recorded trips as proposals HR accepts or rejects, with an email."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests import factories
from trips.choices import Purpose
from trips.models import AddressChange, StatusSnapshot, Trip, TripCorrection


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def on_day_27(traveller, today):
    """Tom, on day 27 of a 30-day visa-free stay."""
    return factories.make_trip(traveller=traveller, entry=today - timedelta(days=26), days=None)


def test_the_traveller_sets_the_planned_exit_of_the_stay_and_it_counts_at_once(
    client, traveller_user, traveller, on_day_27, today
):
    client.force_login(traveller_user)

    response = client.post(
        reverse("trips:current_exit", args=[traveller.pk]), {"exit": today + timedelta(days=2)}
    )

    assert response.status_code == 302
    on_day_27.refresh_from_db()
    assert on_day_27.exit == today + timedelta(days=2)
    assert on_day_27.traveller_planned is True
    assert on_day_27.history.first().history_user == traveller_user
    snapshot = StatusSnapshot.objects.get(traveller=traveller)
    assert snapshot.latest_legal_exit is not None


@pytest.mark.parametrize(
    ("days", "message"),
    [
        pytest.param(-1, "cannot be before today", id="in-the-past"),
        pytest.param(None, "This field is required", id="missing"),
    ],
)
def test_a_bad_planned_exit_is_refused_with_a_message_and_nothing_changes(
    client, traveller_user, traveller, on_day_27, today, days, message
):
    client.force_login(traveller_user)
    data = {} if days is None else {"exit": today + timedelta(days=days)}

    response = client.post(reverse("trips:current_exit", args=[traveller.pk]), data, follow=True)

    assert message in response.content.decode()
    on_day_27.refresh_from_db()
    assert on_day_27.exit is None


def test_a_planned_exit_overlapping_a_planned_trip_gets_the_trip_forms_message(
    client, traveller_user, traveller, today
):
    factories.make_trip(
        traveller=traveller, entry=today - timedelta(days=26), exit=today + timedelta(days=1)
    )
    factories.make_trip(traveller=traveller, entry=today + timedelta(days=5), days=3)
    client.force_login(traveller_user)

    response = client.post(
        reverse("trips:current_exit", args=[traveller.pk]),
        {"exit": today + timedelta(days=6)},
        follow=True,
    )

    assert "Overlaps the trip" in response.content.decode()


def test_a_planned_trip_saved_by_the_traveller_is_marked_as_theirs(
    client, traveller_user, traveller, today
):
    client.force_login(traveller_user)
    entry = today + timedelta(days=40)

    client.post(
        reverse("trips:trip_create", args=[traveller.pk]),
        {
            "country": "KZ",
            "entry": entry,
            "exit": entry + timedelta(days=5),
            "purpose": Purpose.BUSINESS_MEETING,
        },
    )

    trip = Trip.objects.get(traveller=traveller, entry=entry)
    assert trip.traveller_planned is True
    page = client.get(traveller.get_absolute_url()).content.decode()
    assert "planned by the traveller" in page


def test_the_traveller_records_a_move_during_the_stay(
    client, traveller_user, traveller, on_day_27, today
):
    client.force_login(traveller_user)

    response = client.post(
        reverse("trips:address_change_create", args=[traveller.pk, on_day_27.pk]),
        {"changed_on": today, "new_address": "Hotel Kazakhstan, Almaty"},
    )

    assert response.status_code == 302
    change = AddressChange.objects.get(trip=on_day_27)
    assert change.recorded_by_traveller is True
    assert change.history.first().history_user == traveller_user


def test_the_traveller_may_not_record_a_move_on_a_past_trip(client, traveller_user, traveller):
    past = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=10)
    client.force_login(traveller_user)

    response = client.post(
        reverse("trips:address_change_create", args=[traveller.pk, past.pk]),
        {"changed_on": date(2026, 3, 4), "new_address": "Elsewhere"},
    )

    assert response.status_code == 403


@pytest.fixture
def past_trip(traveller):
    return factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=10)


def propose(client, traveller, trip, **fields):
    data = {"country": trip.country, "entry": trip.entry, "exit": trip.exit, "note": "stamp"}
    return client.post(
        reverse("trips:correction_create", args=[traveller.pk, trip.pk]), data | fields
    )


def test_a_correction_of_the_past_waits_for_hr_who_is_told(
    client, traveller_user, traveller, past_trip, hr
):
    hr.email = "hanna@example.com"
    hr.save()
    client.force_login(traveller_user)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda f, *a, **k: f())
        response = propose(client, traveller, past_trip, exit=date(2026, 3, 9))
        correction = TripCorrection.objects.get(trip=past_trip)
        from trips.delivery import corrections as correction_mail

        correction_mail.correction_message(correction).send()

    assert response.status_code == 302
    past_trip.refresh_from_db()
    assert past_trip.exit == date(2026, 3, 11)  # unchanged until HR accepts
    assert correction.state == TripCorrection.State.PROPOSED
    assert correction.proposed_by == traveller_user
    assert mail.outbox[-1].to == ["hanna@example.com"]
    assert "proposes to correct" in mail.outbox[-1].body


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({}, "changes nothing", id="no-change"),
        pytest.param({"exit": date(2026, 3, 1)}, "before entry", id="exit-before-entry"),
    ],
)
def test_a_bad_correction_is_refused_with_the_trip_forms_message(
    client, traveller_user, traveller, past_trip, fields, message
):
    client.force_login(traveller_user)

    response = propose(client, traveller, past_trip, **fields)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TripCorrection.objects.exists()


def test_hr_accepts_a_correction_the_trip_changes_with_hr_in_its_history(
    client, hr, traveller, past_trip, traveller_user
):
    correction = TripCorrection.objects.create(
        trip=past_trip,
        country="KZ",
        entry=past_trip.entry,
        exit=date(2026, 3, 9),
        proposed_by=traveller_user,
    )
    client.force_login(hr)

    response = client.post(
        reverse("trips:correction_decide", args=[traveller.pk, correction.pk]),
        {"decision": "accept"},
    )

    assert response.status_code == 302
    past_trip.refresh_from_db()
    correction.refresh_from_db()
    assert past_trip.exit == date(2026, 3, 9)
    assert correction.state == TripCorrection.State.ACCEPTED
    assert correction.decided_by == hr
    assert past_trip.history.first().history_user == hr


def test_hr_rejects_a_correction_and_the_traveller_is_told_why(
    client, hr, traveller, past_trip, traveller_user
):
    traveller.email = "tom@example.com"
    traveller.save()
    correction = TripCorrection.objects.create(
        trip=past_trip, country="KZ", entry=past_trip.entry, exit=date(2026, 3, 9)
    )
    client.force_login(hr)

    client.post(
        reverse("trips:correction_decide", args=[traveller.pk, correction.pk]),
        {"decision": "reject", "answer": "The boarding pass says 11 March."},
    )

    correction.refresh_from_db()
    past_trip.refresh_from_db()
    assert correction.state == TripCorrection.State.REJECTED
    assert past_trip.exit == date(2026, 3, 11)
    from trips.delivery import corrections as correction_mail

    message = correction_mail.correction_message(correction)
    assert message.to == ["tom@example.com"]
    assert "The boarding pass says 11 March." in message.body


def test_a_plan_saved_from_inside_records_the_exit_it_assumed_too(
    client, traveller_user, traveller, on_day_27, today
):
    client.force_login(traveller_user)
    entry = today + timedelta(days=35)
    plan = {"country": "KZ", "entry": entry, "exit": entry + timedelta(days=9)}

    response = client.post(
        reverse("trips:plan_save", args=[traveller.pk]),
        plan | {"purpose": Purpose.BUSINESS_MEETING, "current_exit": today + timedelta(days=3)},
    )

    assert response.status_code == 302
    on_day_27.refresh_from_db()
    assert on_day_27.exit == today + timedelta(days=3)
    assert Trip.objects.get(traveller=traveller, entry=entry).traveller_planned


def test_a_plan_that_cannot_be_saved_leaves_the_current_stay_open(
    client, traveller_user, traveller, on_day_27, today
):
    client.force_login(traveller_user)

    response = client.post(
        reverse("trips:plan_save", args=[traveller.pk]),
        {
            "country": "KZ",
            "entry": today + timedelta(days=2),  # before the exit it assumes
            "exit": today + timedelta(days=9),
            "purpose": Purpose.BUSINESS_MEETING,
            "current_exit": today + timedelta(days=3),
        },
        follow=True,
    )

    assert "Overlaps the trip" in response.content.decode()
    on_day_27.refresh_from_db()
    assert on_day_27.exit is None
    assert traveller.trips.count() == 1
