"""Speed of the HR dashboard with 10,000 travellers (a page should take well under 200 ms).

Run from the repository root: `.venv/bin/python bench/bench_dashboard.py` (or `make bench`).
Uses DATABASE_URL when given (its rows are removed afterwards), else a throwaway SQLite file in
a temporary directory; migrates, bulk-creates 10,000 travellers with snapshots, then renders
the first dashboard page through the test client. Prints the median of the runs in
milliseconds and the number of queries per page. Timings only, no assertions.
"""

import statistics
import time
from datetime import timedelta

import django_bench

TRAVELLERS = 10_000
RUNS = 21

workdir = django_bench.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from trips.models import (  # noqa: E402
    STATUS_URGENCY,
    Organisation,
    Status,
    StatusSnapshot,
    Traveller,
    User,
)


def populate() -> tuple[Organisation, User]:
    today = timezone.localdate()
    organisation = Organisation.objects.create(name=f"Bench {time.time_ns()}")
    user = User.objects.create(
        username=f"bench-hr-{time.time_ns()}", organisation=organisation, role=User.Role.HR
    )
    travellers = Traveller.objects.bulk_create(
        Traveller(
            organisation=organisation,
            name=f"Traveller {i:05d}",
            email=f"traveller{i}@example.com",
            employee_number=f"B{i:05d}",
            citizenship="DE",
        )
        for i in range(TRAVELLERS)
    )
    statuses = list(Status)
    snapshots = []
    for i, traveller in enumerate(travellers):
        status = statuses[i % len(statuses)]
        snapshots.append(
            StatusSnapshot(
                traveller=traveller,
                evaluated_on=today,
                status=status,
                urgency=STATUS_URGENCY[status],
                reason="Day 26 of a 30-day visa-free stay.",
                location="KZ" if i % 2 else "",
                location_since=today - timedelta(days=i % 30) if i % 2 else None,
                stay_day=i % 30 + 1 if i % 2 else None,
                stay_cap=30 if i % 2 else None,
                kz_days_used=i % 91,
                kz_days_left=90 - i % 91,
                latest_legal_exit=today + timedelta(days=i % 30),
                next_deadline=today + timedelta(days=i % 40) if i % 3 else None,
                next_deadline_label="eQonaq notification due",
                tax_days=i % 200,
            )
        )
    StatusSnapshot.objects.bulk_create(snapshots, batch_size=1000)
    # Fresh statistics, as autovacuum would gather them in production after such a load.
    with connection.cursor() as cursor:
        for model in (Traveller, StatusSnapshot):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return organisation, user


def main() -> None:
    # Not setup_test_environment(): its template instrumentation would be timed too.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # The dashboard alone: the day's run (bench/bench_daily.py) would recompute the snapshots.
    settings.STAYSITE_DAILY_RUN_IN_REQUESTS = False
    call_command("migrate", verbosity=0)
    organisation, user = populate()
    try:
        client = Client()
        client.force_login(user)
        url = reverse("trips:home")
        client.get(url)  # warm-up: templates, connection
        for label, headers in (("page", {}), ("htmx fragment", {"HX-Request": "true"})):
            timings = []
            for _run in range(RUNS):
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = client.get(url, headers=headers)
                    timings.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                print(f"dashboard {label}: HTTP {response.status_code}")
            print(
                f"dashboard {label}, {TRAVELLERS} travellers:"
                f" median {statistics.median(timings):.1f} ms"
                f" (min {min(timings):.1f}, max {max(timings):.1f}, {RUNS} runs),"
                f" {len(queries)} queries"
            )
    finally:
        StatusSnapshot.objects.filter(traveller__organisation=organisation).delete()
        Traveller.objects.filter(organisation=organisation).delete()
        user.delete()
        organisation.delete()
        workdir.cleanup()


if __name__ == "__main__":
    main()
