"""The "what if" planner: dated answers from planner.plan(), and the view."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from trips.choices import Purpose
from trips.evaluation import planner

ON = date(2026, 3, 1)


def plan_url(traveller) -> str:
    return reverse("trips:traveller_plan", args=[traveller.pk])


def ask(client, traveller, **fields):
    params = {f"plan-{k}": (v.isoformat() if isinstance(v, date) else v) for k, v in fields.items()}
    return client.get(plan_url(traveller), params, headers={"HX-Request": "true"})


# --- planner.plan, dated ---


def test_a_first_trip_to_kazakhstan_fits_and_the_30_day_cap_gives_the_latest_exit(traveller):
    answer = planner.plan(traveller, country="KZ", entry=date(2026, 3, 10), length=20, on=ON)

    assert answer.legal is True
    assert answer.exit == date(2026, 3, 29)
    assert answer.latest_legal_exit == date(2026, 4, 8)  # day 30, entry day = day 1
    assert answer.max_stay_days == 30
    assert answer.first_violation is None
    assert answer.registration_required is False
    assert answer.tax_days_without == 0
    assert answer.tax_days_with == 20


def test_a_40_day_visa_free_stay_breaks_the_cap_on_day_31_and_needs_registration(traveller):
    answer = planner.plan(
        traveller, country="KZ", entry=date(2026, 3, 10), exit=date(2026, 4, 18), on=ON
    )

    assert answer.legal is False
    assert answer.first_violation == date(2026, 4, 9)
    assert answer.deciding_rule.key == "kz_per_stay_cap"
    assert answer.registration_required is True
    assert answer.registration_deadline == date(2026, 4, 8)


def test_the_90_day_limit_decides_when_the_window_is_nearly_full(traveller):
    # 30 + 30 + 20 = 80 days in the window before the plan.
    for entry in (date(2025, 11, 1), date(2025, 12, 15)):
        factories.make_trip(traveller=traveller, entry=entry, days=30)
    factories.make_trip(traveller=traveller, entry=date(2026, 2, 1), days=20)

    answer = planner.plan(traveller, country="KZ", entry=date(2026, 3, 5), length=15, on=ON)

    assert answer.legal is False
    assert answer.latest_legal_exit == date(2026, 3, 14)  # 10 days left
    assert answer.first_violation == date(2026, 3, 15)
    assert answer.deciding_rule.key == "kz_90_180"
    # 30 days of the November trip leave the window from 30 Apr (1 Nov + 180).
    assert answer.earliest_fit is not None and answer.earliest_fit > date(2026, 3, 5)


def test_the_tax_count_with_and_without_the_plan(traveller):
    factories.make_trip(traveller=traveller, entry=date(2025, 10, 1), days=30)

    answer = planner.plan(traveller, country="KZ", entry=date(2026, 3, 10), length=10, on=ON)

    assert answer.tax_days_without == 30
    assert answer.tax_days_with == 40
    assert answer.tax_crossing_with is None


def test_a_kazakh_citizen_is_checked_against_the_schengen_rule(other_traveller):
    factories.make_trip(traveller=other_traveller, country="DE", entry=date(2026, 1, 1), days=80)

    answer = planner.plan(other_traveller, country="FR", entry=date(2026, 3, 25), length=20, on=ON)

    assert answer.regime == "schengen"
    assert answer.legal is False
    assert answer.latest_legal_exit == date(2026, 4, 3)  # 10 days left, no 30-day cap
    assert answer.first_violation == date(2026, 4, 4)
    assert answer.registration_required is None
    assert answer.tax_days_with is None


def test_a_german_in_germany_has_no_short_stay_limit(traveller):
    answer = planner.plan(traveller, country="DE", entry=date(2026, 3, 10), length=200, on=ON)

    assert answer.regime is None
    assert answer.legal is True


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"entry": date(2026, 2, 1), "length": 5}, "The entry date is in the past"),
        ({"entry": date(2026, 3, 10), "exit": date(2026, 3, 9)}, "The exit date is before"),
        ({"entry": date(2026, 3, 10), "length": 0}, "at least one day"),
        ({"entry": date(2026, 3, 10), "length": 5000}, "limited to 1000 days"),
    ],
)
def test_impossible_plans_are_refused_with_a_message(traveller, fields, message):
    with pytest.raises(planner.PlanError, match=message):
        planner.plan(traveller, country="KZ", on=ON, **fields)


def test_a_plan_overlapping_a_recorded_trip_is_refused(traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 5), days=10)

    with pytest.raises(planner.PlanError, match="overlaps the trip"):
        planner.plan(traveller, country="KZ", entry=date(2026, 3, 10), length=5, on=ON)


# --- The view ---


def test_hr_gets_the_answer_as_a_fragment(client, hr, traveller):
    entry = timezone.localdate() + timedelta(days=10)
    client.force_login(hr)

    response = ask(client, traveller, country="KZ", entry=entry, length=40)

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert "Not legal" in content
    assert "Temporary registration" in content
    assert "eQonaq notification by the host" in content
    assert "Tax days in 12 months up to the exit" in content
    assert "Save as planned trip" in content


def test_a_schengen_plan_through_the_view(client, hr, other_traveller):
    entry = timezone.localdate() + timedelta(days=10)
    client.force_login(hr)

    content = ask(client, other_traveller, country="AT", entry=entry, length=20).content.decode()

    assert "Legal" in content
    assert "the Schengen area" in content
    assert "Temporary registration" not in content


def test_without_javascript_the_planner_is_a_full_page(client, hr, traveller):
    entry = timezone.localdate() + timedelta(days=10)
    client.force_login(hr)

    response = client.get(
        plan_url(traveller), {"plan-country": "KZ", "plan-entry": entry.isoformat()}
    )

    content = response.content.decode()
    assert "<html" in content
    assert "Enter an exit date or a length" in content
    assert "Latest legal exit for this entry" in content


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"country": "KZ", "entry": "not-a-date", "length": 5}, "Enter a valid date."),
        ({"country": "KZ", "length": 5}, "Enter the planned entry date."),
        ({"country": "KZ", "entry": "2099-01-10", "exit": "2099-01-09"}, "before the entry date"),
        (
            {"country": "KZ", "entry": "2099-01-10", "exit": "2099-01-20", "length": 5},
            "Give either an exit date or a length",
        ),
        ({"country": "KZ", "entry": "2001-01-10", "length": 5}, "The entry date is in the past"),
    ],
)
def test_bad_input_shows_a_clear_message(client, hr, traveller, fields, message):
    client.force_login(hr)

    content = ask(client, traveller, **fields).content.decode()

    assert 'role="alert"' in content
    assert message in content


def test_saving_the_plan_creates_a_planned_trip_through_the_trip_form(client, hr, traveller):
    entry = timezone.localdate() + timedelta(days=10)
    client.force_login(hr)
    content = ask(client, traveller, country="KZ", entry=entry, length=7).content.decode()
    assert reverse("trips:plan_save", args=[traveller.pk]) in content

    response = client.post(
        reverse("trips:plan_save", args=[traveller.pk]),
        {
            "country": "KZ",
            "entry": entry.isoformat(),
            "exit": (entry + timedelta(days=6)).isoformat(),
            "purpose": Purpose.BUSINESS_MEETING,
        },
    )

    assert response.status_code == 302
    trip = traveller.trips.get()
    assert (trip.entry, trip.exit) == (entry, entry + timedelta(days=6))


def test_a_traveller_plans_for_themself(client, traveller_user, traveller):
    entry = timezone.localdate() + timedelta(days=10)
    client.force_login(traveller_user)

    response = ask(client, traveller, country="KZ", entry=entry, length=7)

    assert response.status_code == 200
    assert "Legal" in response.content.decode()


def test_a_traveller_cannot_plan_for_someone_else(client, traveller_user, other_traveller):
    client.force_login(traveller_user)

    response = ask(client, other_traveller, country="KZ", entry="2099-01-10", length=7)

    assert response.status_code == 404


def test_hr_of_another_organisation_gets_404(client, foreign_hr, traveller):
    client.force_login(foreign_hr)

    assert ask(client, traveller, country="KZ", entry="2099-01-10").status_code == 404


def test_a_traveller_may_save_a_planned_trip_but_not_change_a_past_one(
    client, traveller_user, traveller
):
    today = timezone.localdate()
    past = factories.make_trip(traveller=traveller, entry=today - timedelta(days=40), days=5)
    client.force_login(traveller_user)
    entry = today + timedelta(days=20)

    created = client.post(
        reverse("trips:trip_create", args=[traveller.pk]),
        {
            "country": "KZ",
            "entry": entry.isoformat(),
            "exit": (entry + timedelta(days=4)).isoformat(),
            "purpose": Purpose.BUSINESS_MEETING,
        },
    )
    edit_past = client.get(reverse("trips:trip_update", args=[traveller.pk, past.pk]))

    assert created.status_code == 302
    assert traveller.trips.filter(entry=entry).exists()
    assert edit_past.status_code == 403


def test_a_plan_while_a_trip_is_still_open_assumes_it_ends_on_the_latest_legal_exit(traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 2, 20), days=None)

    answer = planner.plan(traveller, country="KZ", entry=date(2026, 4, 1), length=5, on=ON)

    assert answer.assumes_current_stay_ends == date(2026, 3, 21)  # day 30
    assert answer.legal is True
    assert answer.days_used_at_exit == 30 + 5


def test_a_plan_after_a_planned_exit_counts_the_current_stay_up_to_that_exit(traveller):
    # In Kazakhstan since 20 Feb, leaving on 10 Mar as planned: 19 days; back on 1 Apr.
    factories.make_trip(traveller=traveller, entry=date(2026, 2, 20), exit=date(2026, 3, 10))

    answer = planner.plan(traveller, country="KZ", entry=date(2026, 4, 1), length=30, on=ON)

    assert answer.legal is True
    assert answer.days_used_at_exit == 19 + 30


def test_a_traveller_may_change_their_own_planned_trip(client, traveller_user, traveller):
    planned = factories.make_trip(
        traveller=traveller, entry=timezone.localdate() + timedelta(days=30), days=5
    )
    client.force_login(traveller_user)
    new_exit = planned.entry + timedelta(days=6)

    response = client.post(
        reverse("trips:trip_update", args=[traveller.pk, planned.pk]),
        {
            "country": "KZ",
            "entry": planned.entry.isoformat(),
            "exit": new_exit.isoformat(),
            "purpose": Purpose.BUSINESS_MEETING,
        },
    )

    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.exit == new_exit


def test_a_planned_trip_without_an_exit_date_is_refused_with_a_message(
    client, traveller_user, traveller
):
    client.force_login(traveller_user)

    response = client.post(
        reverse("trips:trip_create", args=[traveller.pk]),
        {
            "country": "KZ",
            "entry": (timezone.localdate() + timedelta(days=5)).isoformat(),
            "purpose": Purpose.BUSINESS_MEETING,
        },
    )

    assert response.status_code == 200
    assert "A planned trip needs an exit date." in response.content.decode()
    assert not traveller.trips.exists()
