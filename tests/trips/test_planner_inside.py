"""The planner from inside the country: a traveller on day 27 of a 30-day visa-free stay."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from trips.evaluation import current_stay, planner

ON = date(2026, 12, 7)
ENTRY = ON - timedelta(days=26)  # today is day 27
LATEST = ENTRY + timedelta(days=29)  # day 30


@pytest.fixture
def in_kazakhstan(traveller):
    return factories.make_trip(traveller=traveller, entry=ENTRY, days=None)


def test_the_current_stay_ends_by_default_on_the_latest_legal_exit_and_says_so(
    traveller, in_kazakhstan
):
    stay = current_stay.current_stay(traveller, on=ON)

    assert stay.exit == LATEST
    assert stay.exit_source == "latest_legal"
    assert stay.latest_legal_exit == LATEST
    assert stay.max_days == 30
    assert stay.legal is True


def test_leaving_on_a_chosen_day_gives_when_and_for_how_long_one_may_come_back(
    traveller, in_kazakhstan
):
    leave = ON + timedelta(days=1)  # day 28

    stay = current_stay.current_stay(traveller, on=ON, exit=leave)

    assert stay.exit_source == "chosen"
    assert stay.days_at_exit == 28
    assert stay.legal is True
    assert stay.earliest_return == leave + timedelta(days=1)
    # 28 of 90 days used: a new stay is capped at 30 days.
    assert stay.return_max_days == 30
    assert stay.return_latest_exit == stay.earliest_return + timedelta(days=29)


def test_extending_past_the_latest_legal_exit_is_not_legal(traveller, in_kazakhstan):
    stay = current_stay.current_stay(traveller, on=ON, exit=LATEST + timedelta(days=1))

    assert stay.legal is False
    assert stay.days_at_exit == 31


def test_a_recorded_planned_exit_is_the_default(traveller):
    factories.make_trip(traveller=traveller, entry=ENTRY, exit=ON + timedelta(days=2))

    stay = current_stay.current_stay(traveller, on=ON)

    assert stay.exit == ON + timedelta(days=2)
    assert stay.exit_source == "recorded"


def test_an_exit_before_today_is_refused(traveller, in_kazakhstan):
    with pytest.raises(current_stay.StayError, match="cannot end before today"):
        current_stay.current_stay(traveller, on=ON, exit=ON - timedelta(days=1))


def test_a_trip_next_month_is_checked_with_the_current_stay_ending_on_the_latest_legal_exit(
    traveller, in_kazakhstan
):
    answer = planner.plan(traveller, country="KZ", entry=date(2027, 1, 10), length=20, on=ON)

    assert answer.assumes_current_stay_ends == LATEST
    assert answer.legal is True
    assert answer.details is not None  # the timeline with the plan


def test_a_trip_next_month_after_leaving_too_late_is_not_legal(traveller, in_kazakhstan):
    answer = planner.plan(
        traveller,
        country="KZ",
        entry=date(2027, 1, 10),
        length=20,
        current_exit=LATEST + timedelta(days=5),
        on=ON,
    )

    assert answer.legal is False
    assert answer.first_violation == LATEST + timedelta(days=1)


def test_a_plan_starting_before_the_assumed_exit_is_refused(traveller, in_kazakhstan):
    with pytest.raises(planner.PlanError, match="before the current stay ends"):
        planner.plan(traveller, country="KZ", entry=ON + timedelta(days=1), length=5, on=ON)


# --- The view ---


def test_the_traveller_gets_the_current_stay_answer_before_typing_anything(
    client, traveller_user, traveller
):
    today = timezone.localdate()
    factories.make_trip(traveller=traveller, entry=today - timedelta(days=26), days=None)
    client.force_login(traveller_user)

    content = client.get(reverse("trips:traveller_plan", args=[traveller.pk])).content.decode()

    assert "the latest legal exit" in content
    assert "you may come back" in content
    assert 'class="timeline"' in content


def test_a_plan_for_next_month_is_answered_in_words_and_in_the_timeline(
    client, traveller_user, traveller
):
    today = timezone.localdate()
    factories.make_trip(traveller=traveller, entry=today - timedelta(days=26), days=None)
    client.force_login(traveller_user)
    entry = today + timedelta(days=35)

    response = client.get(
        reverse("trips:traveller_plan", args=[traveller.pk]),
        {"plan-country": "KZ", "plan-entry": entry.isoformat(), "plan-length": "10"},
        headers={"HX-Request": "true"},
    )

    content = response.content.decode()
    assert "has no exit date yet" not in content
    assert "Legal" in content
    assert "timeline-planned" in content
    assert "Save as planned trip" in content
