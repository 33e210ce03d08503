"""The daily run evaluates only the travellers whose figures may have changed: their data or
their organisation's settings changed, or their snapshot's `stable_until` has passed. The
weekly full run checks the others and finds nothing they should have been told."""

import random
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests import counts, factories
from trips.dashboard.counts import summary_counts
from trips.evaluation import snapshots
from trips.models import Organisation, RefreshChunk, StatusSnapshot, Traveller, Trip
from trips.upkeep import daily

pytestmark = pytest.mark.django_db

ON = date(2026, 4, 1)


def reevaluated(on: date, *, full: bool = False) -> set[int]:
    """The travellers the day's run evaluated."""
    done = snapshots.refresh_with_alerts(Traveller.objects.all(), on=on, full=full)
    assert not done.differed
    return set(done.travellers)


@pytest.fixture
def away(organisation):
    """Back from a ten-day stay in Kazakhstan in January: nothing changes for weeks."""
    traveller = factories.make_traveller(organisation=organisation)
    factories.make_trip(traveller=traveller, entry=date(2026, 1, 5), days=10)
    snapshots.refresh_snapshot(traveller, on=ON)
    return traveller


@pytest.fixture
def staying(organisation):
    """In Kazakhstan since 20 March: every day is a new day of the stay."""
    traveller = factories.make_traveller(organisation=organisation)
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 20), days=None)
    snapshots.refresh_snapshot(traveller, on=ON)
    return traveller


def test_the_next_day_only_a_running_stay_is_evaluated(away, staying):
    assert reevaluated(ON + timedelta(days=1)) == {staying.pk}


def test_a_snapshot_is_evaluated_again_once_its_stable_until_has_passed(away):
    until = StatusSnapshot.objects.get(traveller=away).stable_until

    assert reevaluated(until) == set()
    assert reevaluated(until + timedelta(days=1)) == {away.pk}
    assert StatusSnapshot.objects.get(traveller=away).stable_until > until


def test_a_traveller_without_a_snapshot_is_evaluated(organisation, away):
    new = factories.make_traveller(organisation=organisation)

    assert reevaluated(ON + timedelta(days=1)) == {new.pk}


def test_changed_settings_make_the_whole_organisation_due(organisation, away, other_organisation):
    elsewhere = factories.make_traveller(organisation=other_organisation)
    snapshots.refresh_snapshot(elsewhere, on=ON)

    snapshots.organisation_changed(organisation.pk)

    assert reevaluated(ON + timedelta(days=1)) == {away.pk}


def test_the_settings_page_makes_the_organisation_due(client, compliance, organisation, away):
    client.force_login(compliance)
    data = {
        "allowance_warning_days": 10,
        "stay_day_warning": 20,
        "exit_warning_days": 5,
        "visa_expiry_warning_days": 30,
        "montage_warning_days": 100,
        "tax_warning_days": 120,
        "tax_window": Organisation.TaxWindow.TWELVE_MONTHS,
        "montage_year": Organisation.MontageYear.CALENDAR,
        "merge_same_day_reentry": "on",
        "registration_lead_days": 7,
    }

    response = client.post(reverse("trips:organisation_settings"), data)

    assert response.status_code == 302
    assert StatusSnapshot.objects.get(traveller=away).stable_until is None


def test_a_saved_calendar_makes_the_organisation_due(client, compliance, organisation, away):
    client.force_login(compliance)

    response = client.post(
        reverse("trips:calendar_year_update"),
        {"year": 2026, "holidays": "2026-03-09\n", "transferred_working_days": ""},
    )

    assert response.status_code == 302
    assert StatusSnapshot.objects.get(traveller=away).stable_until is None


def test_the_dashboard_is_as_of_today_while_every_figure_holds(organisation, away):
    later = ON + timedelta(days=20)

    counted = summary_counts(organisation.pk, later)

    assert counted["as_of"] == later
    assert StatusSnapshot.objects.get(traveller=away).evaluated_on == ON


def test_a_full_run_logs_a_traveller_the_incremental_run_left_wrong(away, caplog):
    # A change behind the app's back: no snapshot refresh, so only the full run sees it.
    Trip.objects.filter(traveller=away).update(exit=date(2026, 3, 30))

    done = snapshots.refresh_with_alerts(Traveller.objects.all(), on=ON, full=True)

    assert done.differed == [away.pk]
    assert f"Traveller {away.pk}: the full run" in caplog.text


def test_a_weekly_full_run_after_a_year_of_changing_data_finds_no_difference(
    organisation, django_capture_on_commit_callbacks
):
    """A year of daily runs over travellers whose trips change at random through the app's
    own path (`traveller_changed`): every Sunday's full run finds nothing the incremental runs
    should have changed."""
    rng = random.Random(29)
    travellers = [factories.make_traveller(organisation=organisation) for _ in range(12)]
    day = date(2026, 1, 1)
    for traveller in travellers:
        entry = day + timedelta(days=rng.randrange(-300, 200))
        for _ in range(rng.randrange(0, 4)):
            length = rng.randrange(1, 60)
            factories.make_trip(traveller=traveller, entry=entry, days=length)
            entry += timedelta(days=length + rng.randrange(1, 120))
    differed = evaluated = 0
    for offset in range(365):
        on = day + timedelta(days=offset)
        if rng.random() < 0.1:
            traveller = rng.choice(travellers)
            entry = on + timedelta(days=rng.randrange(1, 90))
            last = traveller.trips.order_by("-entry").first()
            if last is None or (last.exit is not None and last.exit < entry):
                factories.make_trip(traveller=traveller, entry=entry, days=rng.randrange(1, 45))
            with django_capture_on_commit_callbacks(execute=True):  # the alerts, after commit
                snapshots.traveller_changed(traveller, on=on)
        result = daily.run_daily(on=on)
        differed += result.differed
        evaluated += result.alerts.travellers
    full_runs = RefreshChunk.objects.filter(run__full=True).values("run").distinct().count()
    assert full_runs == 52
    assert differed == 0
    # These travellers are away a third of the year; the days between trips are left alone.
    assert evaluated < 0.7 * 365 * len(travellers)
    counts.add("incremental daily runs", histories=len(travellers), days=365)


def test_refresh_alerts_full_evaluates_everyone(away, staying):
    out = StringIO()
    call_command(
        "refresh_alerts", "--on", (ON + timedelta(days=1)).isoformat(), "--full", stdout=out
    )

    assert "2 travellers" in out.getvalue()
    assert "Full run: 0 travellers differed" in out.getvalue()
