"""manage.py bench_scale: the scale benchmark runs at a tiny size, so that it never rots.

Its timings are not asserted (speed goals live in docs/performance.md); its figures' names,
the data it builds and its refusal to touch other organisations' travellers are.
"""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from trips.models import Alert, StatusSnapshot, Traveller, Trip
from trips.sample import synthetic

FIGURES = {
    "travellers",
    "trips",
    "database",
    "daily_refresh_s",
    "daily_refresh_unchanged_s",
    "daily_refresh_one_percent_s",
    "travellers_reevaluated",
    "dashboard_ms",
    "dashboard_queries",
    "dashboard_filtered_ms",
    "dashboard_uncached_ms",
    "dashboard_filtered_uncached_ms",
    "traveller_page_ms",
    "traveller_page_queries",
    "alert_queue_ms",
    "engine_us_per_traveller",
}


def bench(*args) -> dict:
    out = StringIO()
    call_command("bench_scale", "--runs", "1", "--json", *args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue().splitlines()[-1])


@pytest.mark.django_db
def test_the_benchmark_prints_every_figure_as_json_on_its_last_line():
    figures = bench("--travellers", "20")

    assert figures.keys() >= FIGURES
    assert figures["travellers"] == 20
    # 19 travellers with 20 trips, one with the long history of 200.
    assert figures["trips"] == 19 * 20 + synthetic.LONG_HISTORY_TRIPS
    assert figures["database"] in {"sqlite", "postgresql"}
    assert StatusSnapshot.objects.count() == 20  # the pages were measured on fresh figures


@pytest.mark.django_db
def test_the_organisation_of_one_size_is_built_once_and_reused():
    bench("--travellers", "20", "--trips-per-traveller", "5")
    trips = set(Trip.objects.values_list("pk", flat=True))

    bench("--travellers", "20", "--trips-per-traveller", "5")

    assert set(Trip.objects.values_list("pk", flat=True)) == trips


@pytest.mark.django_db
def test_histories_mix_citizenships_open_trips_visas_and_notifications():
    data = synthetic.build(400, 20, today=date(2026, 12, 2))

    trips = Trip.objects.filter(traveller__organisation=data.organisation)
    citizenships = set(data.travellers.values_list("citizenship", flat=True))
    assert {"DE", "KZ"} <= citizenships
    assert trips.filter(exit__isnull=True).exists()
    assert trips.filter(visa__isnull=False).exists()
    assert trips.filter(notifications__isnull=False).exists()
    assert data.long_history.trips.count() == synthetic.LONG_HISTORY_TRIPS
    for traveller in data.travellers.prefetch_related("trips")[:50]:
        ordered = sorted(traveller.trips.all(), key=lambda t: t.entry)
        for earlier, later in zip(ordered, ordered[1:], strict=False):
            assert earlier.exit is not None and earlier.exit < later.entry


@pytest.mark.django_db
def test_a_database_with_other_travellers_is_refused_and_left_alone(traveller):
    with pytest.raises(CommandError, match="holds 1 travellers of other organisations"):
        bench("--travellers", "20")

    assert list(Traveller.objects.all()) == [traveller]
    assert not Alert.objects.exists()
