"""The day's rollover: what the first dashboard request of a new day costs when it has to run
the day itself (the worker did not), and what every later request pays for the check.

Run from the repository root: `.venv/bin/python bench/bench_daily.py` (or `make bench`).
A throwaway SQLite file (or DATABASE_URL, whose rows are removed afterwards); 1,000 German
travellers with three stays each, one still in Kazakhstan. Prints milliseconds; no assertions.
"""

import os
import statistics
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import django_bench

TRAVELLERS = 1_000
RUNS = 21

os.environ["TIME_ZONE"] = "Asia/Almaty"
workdir = django_bench.setup()

import time_machine  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from trips.models import DailyRun, Organisation, Traveller, Trip, User  # noqa: E402
from trips.upkeep import daily  # noqa: E402

ALMATY = ZoneInfo("Asia/Almaty")
DAY = date(2026, 4, 4)
NOON = datetime(2026, 4, 4, 12, 0, tzinfo=ALMATY)
AFTER_MIDNIGHT = datetime(2026, 4, 5, 0, 2, tzinfo=ALMATY)


def populate() -> tuple[Organisation, User]:
    organisation = Organisation.objects.create(name=f"Bench {time.time_ns()}")
    user = User.objects.create(
        username=f"bench-hr-{time.time_ns()}", organisation=organisation, role=User.Role.HR
    )
    travellers = Traveller.objects.bulk_create(
        Traveller(
            organisation=organisation,
            name=f"Traveller {n:05d}",
            employee_number=f"B-{n:05d}",
            citizenship="DE",
        )
        for n in range(TRAVELLERS)
    )
    trips = []
    for n, traveller in enumerate(travellers):
        start = DAY - timedelta(days=170 - n % 20)
        trips += [
            Trip(traveller=traveller, country="KZ", entry=start, exit=start + timedelta(days=20)),
            Trip(
                traveller=traveller,
                country="KZ",
                entry=start + timedelta(days=60),
                exit=start + timedelta(days=80),
            ),
            Trip(traveller=traveller, country="KZ", entry=DAY - timedelta(days=n % 35)),
        ]
    Trip.objects.bulk_create(trips)
    return organisation, user


def median_ms(client: Client, url: str) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = ["testserver"]
    began = timezone.now()
    organisation, user = populate()
    url = reverse("trips:home")
    try:
        with time_machine.travel(NOON, tick=False):
            start = time.perf_counter()
            daily.ensure(DAY)
            worker = time.perf_counter() - start
        with time_machine.travel(AFTER_MIDNIGHT):
            client = Client()
            client.force_login(user)
            start = time.perf_counter()
            client.get(url)
            first = time.perf_counter() - start
            checked = median_ms(client, url)
            settings.STAYSITE_DAILY_RUN_IN_REQUESTS = False
            unchecked = median_ms(client, url)
    finally:
        organisation.travellers.all().delete()
        organisation.users.all().delete()
        organisation.delete()
        DailyRun.objects.filter(on__in=[DAY, DAY + timedelta(days=1)]).delete()
        DBTaskResult.objects.filter(enqueued_at__gte=began).delete()
        workdir.cleanup()
    print(f"{TRAVELLERS} travellers, 3 stays each")
    print(f"the day's run, by the worker: {worker * 1000:.0f} ms")
    print(f"first dashboard request of the next day, running it inline: {first * 1000:.0f} ms")
    print(f"later requests, run checked once per process: {checked:.1f} ms (median of {RUNS})")
    print(f"later requests, with STAYSITE_DAILY_RUN_IN_REQUESTS=false: {unchecked:.1f} ms")


if __name__ == "__main__":
    main()
