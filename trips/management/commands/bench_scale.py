"""`manage.py bench_scale --travellers N`: how staysite's daily run and pages scale.

Migrates the configured database if it needs it, builds (or reuses) a synthetic organisation
of N travellers (trips/sample/synthetic.py) on it, then prints medians: the daily run from
scratch, the next day with nothing changed, and a day on which 1% of the travellers changed
(with how many travellers each evaluated), the dashboard and its filtered list (each as served
again from the cache, and with the cache emptied, as after a change), the traveller page of the
traveller with 200 trips, the alert queue with every alert open, and the law per traveller
without the database. Timings only: docs/performance.md says what they mean and what they should be.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from trips.evaluation.bulk import for_evaluation
from trips.evaluation.findings import evaluate
from trips.models import Alert, StatusSnapshot, Traveller, Trip
from trips.sample import synthetic
from trips.upkeep import daily

# Emails of the daily run stay in memory: a benchmark mails nobody.
MEMORY_MAILER = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Page timings are short and noisy: each is the median of this many requests per run.
REQUESTS_PER_RUN = 4
ENGINE_SAMPLE = 2000


class QueryCounter:
    """Counts the queries sent, without keeping them (unlike CaptureQueriesContext)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(action: Callable[[], object]) -> tuple[float, int, float]:
    """Seconds and queries one call of `action` takes, and the seconds of this process's CPU
    among them (on a busy machine the rest is waiting for the CPU or for the database)."""
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        cpu, start = time.process_time(), time.perf_counter()
        action()
        return time.perf_counter() - start, counter.count, time.process_time() - cpu


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Measures the daily run, the dashboard, the traveller page and the alert queue with a "
        "synthetic organisation of the given size (built once, then reused)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--travellers", type=positive, required=True)
        parser.add_argument(
            "--trips-per-traveller",
            type=positive,
            default=20,
            help="Trips of each traveller over 900 days, 1 to 200 (default 20).",
        )
        parser.add_argument("--runs", type=positive, default=5, help="Repetitions (default 5).")
        parser.add_argument(
            "--workers",
            type=positive,
            default=1,
            help="Workers sharing the daily run: this process and N-1 db_workers (default 1).",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="Print the figures as one JSON object on the last line.",
        )

    def handle(self, *args, travellers, trips_per_traveller, runs, workers, as_json, **options):
        if trips_per_traveller > synthetic.LONG_HISTORY_TRIPS:
            raise CommandError(
                f"--trips-per-traveller must be at most {synthetic.LONG_HISTORY_TRIPS}."
            )
        self.migrate()
        today = timezone.localdate()
        data = self.organisation(travellers, trips_per_traveller, today=today)
        with override_settings(
            MAILERS=MEMORY_MAILER, ALLOWED_HOSTS=["testserver", "127.0.0.1", "localhost"]
        ):
            with override_settings(STAYSITE_REFRESH_HELPERS=workers - 1), helpers(workers - 1):
                figures = refresh_figures(data, runs=runs, on=today, helpers=workers - 1)
            figures = {"workers": workers, **figures, **page_figures(data, runs=runs, on=today)}
        first = ("travellers", "trips", "database", "load_average", "runs", "workers")
        figures = {key: figures[key] for key in first} | figures
        previous = engine_vs_previous()
        if previous is not None:
            figures["engine_vs_previous"] = previous
        if as_json:
            self.stdout.write(json.dumps(figures))
        else:
            self.stdout.write(table(figures))

    def migrate(self) -> None:
        """A database without staysite's tables (or with older ones) is migrated first."""
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stderr.write("Applying migrations first (manage.py migrate)...")
            call_command("migrate", verbosity=0)

    def organisation(self, travellers: int, trips: int, *, today: date) -> synthetic.Synthetic:
        name = synthetic.name(travellers, trips)
        others = Traveller.objects.exclude(organisation__name=name).count()
        if others:
            raise CommandError(
                f"This database holds {others} travellers of other organisations, and the "
                "daily run would refresh them too. Point DATABASE_URL at a database of its own "
                "(make bench does), or remove them."
            )
        found = synthetic.find(travellers, trips)
        if found is not None:
            self.stderr.write(f"Reusing {name}.")
            return found
        if Traveller.objects.exists():
            raise CommandError(f"{name} is incomplete here: remove it and run again.")
        self.stderr.write(f"Building {name}...")
        start = time.perf_counter()
        built = synthetic.build(travellers, trips, today=today)
        analyze()
        self.stderr.write(f"Built in {time.perf_counter() - start:.1f} s.")
        return built


def analyze() -> None:
    """Tables and planner statistics as autovacuum would leave them after such a load: on
    PostgreSQL, the rows the run replaced vacuumed away (their index entries too), so the
    pages read what production reads and not the benchmark's own churn. (VACUUM cannot run
    in a transaction: inside one, as in the tests, the statistics alone.)"""
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def from_scratch(data: synthetic.Synthetic, *, helpers: int = 0) -> None:
    """No snapshot and no alert yet, as on the first daily run after an import."""
    if helpers:
        settle()
    StatusSnapshot.objects.filter(traveller__organisation=data.organisation).delete()
    Alert.objects.filter(organisation=data.organisation).delete()


def settle(timeout: float = 900) -> None:
    """Wait until helper workers have done what the last run queued for now (its emails):
    deleting alerts they are still adding events to would fail on the foreign key. The emails
    of a run from scratch at 100,000 (about 30,000 alerts) have outlasted two minutes."""
    deadline = time.monotonic() + timeout
    while DBTaskResult.objects.ready().exists() or DBTaskResult.objects.running().exists():
        if time.monotonic() > deadline:
            raise CommandError("The helper workers did not finish the queued tasks in time.")
        time.sleep(0.2)


def page(client: Client, url: str, runs: int, *, cold: bool = False) -> tuple[float, int]:
    """Median milliseconds of `url` over the runs, and the queries of one request; `cold`:
    with the cache emptied before each request, as after a change to the data."""
    client.get(url)  # warm: templates, translations, the connection
    timings, queries = [], 0
    for _run in range(runs * REQUESTS_PER_RUN):
        if cold:
            cache.clear()
        seconds, queries, _cpu = timed(lambda: check(client.get(url), url))
        timings.append(seconds * 1000)
    return statistics.median(timings), queries


def check(response, url: str) -> None:
    if response.status_code != 200:
        raise CommandError(f"{url} answered HTTP {response.status_code}.")


def engine_us(data: synthetic.Synthetic, *, on: date) -> float:
    """Microseconds per traveller for the law alone: `evaluate()` on travellers in memory."""
    travellers = for_evaluation(data.travellers.order_by("pk")[:ENGINE_SAMPLE], on=on)
    start = time.perf_counter()
    for traveller in travellers:
        evaluate(traveller, on=on)
    return (time.perf_counter() - start) / len(travellers) * 1e6


@contextmanager
def helpers(count: int):
    """`count` django-tasks-db workers running beside this process, for the daily run's chunks
    (started before the timing, as in production, and stopped after it)."""
    manage = str(settings.BASE_DIR / "manage.py")
    worker = [sys.executable, manage, "db_worker", "--interval", "0.1", "--no-reload"]
    started = [
        subprocess.Popen(
            [*worker, "--no-startup-delay"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _helper in range(count)
    ]
    try:
        time.sleep(3 if started else 0)  # their Django start-up is not the run's
        yield
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def engine_vs_previous() -> float | None:
    """The engine's time over the previous release's, if bench/bench_rules.py can say."""
    try:
        from bench import bench_rules  # noqa: PLC0415 (a script beside the project, optional)
    except ImportError:
        return None
    compare = getattr(bench_rules, "engine_vs_previous", None)
    return compare() if callable(compare) else None


def changed(data: synthetic.Synthetic, share: float) -> int:
    """`share` of the travellers due again, as after edits to their data or settings that the
    daily run picks up (their snapshot's `stable_until` cleared); how many."""
    pks = list(data.travellers.order_by("pk").values_list("pk", flat=True))
    picked = pks[:: max(1, round(1 / share))]
    StatusSnapshot.objects.filter(traveller__in=picked).update(stable_until=None)
    return len(picked)


def refresh_figures(data: synthetic.Synthetic, *, runs: int, on: date, helpers: int) -> dict:
    scratch, unchanged, scratch_cpu, unchanged_cpu, one_percent = [], [], [], [], []
    unchanged_full: list[float] = []
    result: list[daily.DailyResult] = []
    next_day, day_after = on + timedelta(days=1), on + timedelta(days=2)
    for _run in range(runs):
        from_scratch(data, helpers=helpers)
        seconds, scratch_queries, cpu = timed(lambda: daily.run_daily(on=on, full=True))
        scratch.append(seconds)
        scratch_cpu.append(cpu)
        seconds, unchanged_queries, cpu = timed(
            lambda: result.append(daily.run_daily(on=next_day, full=False))
        )
        unchanged.append(seconds)
        unchanged_cpu.append(cpu)
        reevaluated = result[-1].alerts.travellers
        # The same day again with everyone evaluated, as every day before the incremental run.
        seconds, _queries, _cpu = timed(lambda: daily.run_daily(on=next_day, full=True))
        unchanged_full.append(seconds)
        marked = changed(data, 0.01)
        seconds, _queries, _cpu = timed(
            lambda: result.append(daily.run_daily(on=day_after, full=False))
        )
        one_percent.append(seconds)
        reevaluated_one_percent = result[-1].alerts.travellers
    return {
        "daily_refresh_s": round(statistics.median(scratch), 3),
        "daily_refresh_cpu_s": round(statistics.median(scratch_cpu), 3),
        "daily_refresh_queries": scratch_queries,
        "daily_refresh_unchanged_s": round(statistics.median(unchanged), 3),
        "daily_refresh_unchanged_cpu_s": round(statistics.median(unchanged_cpu), 3),
        "daily_refresh_unchanged_queries": unchanged_queries,
        "travellers_reevaluated": reevaluated,
        "daily_refresh_unchanged_full_s": round(statistics.median(unchanged_full), 3),
        "daily_refresh_one_percent_s": round(statistics.median(one_percent), 3),
        "travellers_changed": marked,
        "travellers_reevaluated_one_percent": reevaluated_one_percent,
    }


def page_figures(data: synthetic.Synthetic, *, runs: int, on: date) -> dict:
    # The pages show today's figures: leave the data as the last run of today left it.
    from_scratch(data)
    # Every alert is open after a first run; recorded as the day's run, as the worker would.
    daily.finish(daily.run_daily(on=on, full=True))
    analyze()  # the run replaced the snapshots and alerts: tables as autovacuum would keep them

    hr, compliance = Client(), Client()
    hr.force_login(data.hr)
    compliance.force_login(data.compliance)
    home = reverse("trips:home")
    dashboard_ms, dashboard_queries = page(hr, home, runs)
    uncached_ms, uncached_queries = page(hr, home, runs, cold=True)
    filtered_ms, _queries = page(hr, f"{home}?status=action&q=Traveller+0001", runs)
    filtered_uncached_ms, _queries = page(
        hr, f"{home}?status=action&q=Traveller+0001", runs, cold=True
    )
    traveller_ms, traveller_queries = page(hr, data.long_history.get_absolute_url(), runs)
    alerts_ms, alerts_queries = page(compliance, reverse("trips:alert_list"), runs)
    return {
        "travellers": data.travellers.count(),
        "trips": Trip.objects.filter(traveller__organisation=data.organisation).count(),
        "database": "postgresql" if connection.vendor == "postgresql" else connection.vendor,
        "load_average": " ".join(f"{load:.2f}" for load in os.getloadavg()),
        "runs": runs,
        "dashboard_ms": round(dashboard_ms, 1),
        "dashboard_queries": dashboard_queries,
        "dashboard_uncached_ms": round(uncached_ms, 1),
        "dashboard_uncached_queries": uncached_queries,
        "dashboard_filtered_ms": round(filtered_ms, 1),
        "dashboard_filtered_uncached_ms": round(filtered_uncached_ms, 1),
        "traveller_page_ms": round(traveller_ms, 1),
        "traveller_page_queries": traveller_queries,
        "alert_queue_ms": round(alerts_ms, 1),
        "alert_queue_queries": alerts_queries,
        "open_alerts": Alert.objects.filter(organisation=data.organisation).count(),
        "engine_us_per_traveller": round(engine_us(data, on=on), 1),
    }


def table(figures: dict) -> str:
    width = max(len(key) for key in figures)
    return "\n".join(f"{key:<{width}}  {value}" for key, value in figures.items())
