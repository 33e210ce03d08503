"""The daily run: dates move even when data does not, so every day brings up to date whatever
can have changed.

`run_daily(on=)` computes: the snapshots and alerts of the travellers whose figures may differ
on `on` (their data or their organisation's settings changed, or their `stable_until` has
passed); once a week (`FULL_RUN_WEEKDAY`), or when asked, everyone's, logging any traveller the
incremental runs left with figures that differ. `ensure(on)` makes sure
that day has been run, once, however many processes ask at the same time: the first to claim
the day (`claim`) runs it, the others see the claim and go on with the data they have, which
the pages mark as not yet today's. Three callers ask, so that nobody has to remember a cron job:
the worker's own schedule (`daily_refresh`, queued for just after every midnight in TIME_ZONE), the
first request of a new day (trips/middleware.py), and `manage.py refresh_alerts`. The emails are
never sent here: a finished run queues them for the worker (trips/delivery/notify.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from trips.dashboard import counts, fragments
from trips.delivery import notify
from trips.evaluation.alert_queue import RefreshResult
from trips.models import ApiRequestCount, DailyRun, IdempotencyKey, ImportPreview
from trips.upkeep import chunks, tasks

logger = logging.getLogger(__name__)

# A claim that has not finished after this long was cut off (its process was killed): another
# process may take the day over. Well above what a run takes (docs/performance.md).
LEASE = timedelta(minutes=30)
# The worker starts the day's run this long after midnight in TIME_ZONE.
START_AFTER_MIDNIGHT = timedelta(minutes=1)
# Finished tasks (every change queues an email delivery) are kept this long for inspection.
KEEP_FINISHED_TASKS = timedelta(days=14)
# The day of the week (Monday 0) whose run evaluates every traveller, as a check on the others.
FULL_RUN_WEEKDAY = 6


@dataclass(frozen=True)
class DailyResult:
    on: date
    snapshots: int
    alerts: RefreshResult
    full: bool = False
    differed: int = 0

    def __str__(self) -> str:
        text = f"{self.on.isoformat()}: {self.snapshots} snapshots refreshed; {self.alerts}."
        if self.full:
            text += f" Full run: {self.differed} travellers differed from what was kept."
        return text


@dataclass(frozen=True)
class Freshness:
    """The day the snapshots and alerts were last computed for, seen from `today`."""

    today: date
    as_of: date | None  # None: no daily run has finished yet
    updating: bool = False  # another process is computing today's right now

    @property
    def stale(self) -> bool:
        return self.as_of is None or self.as_of < self.today


def run_daily(*, on: date, full: bool | None = None) -> DailyResult:
    """The snapshots and alerts that may differ on `on` re-evaluated (every one if `full`; None:
    on `FULL_RUN_WEEKDAY`, which also checks the dashboard's kept counts against the rows); the
    emails are the worker's.

    The travellers are refreshed in chunks (trips/upkeep/chunks.py); STAYSITE_REFRESH_HELPERS more
    workers are asked to share them (`tasks.refresh_chunks`), and the run ends once every
    chunk is done, by whichever worker.
    """
    if full is None:
        full = on.weekday() == FULL_RUN_WEEKDAY
    run = chunks.plan(on=on, full=full)
    for _helper in range(settings.STAYSITE_REFRESH_HELPERS):
        tasks.refresh_chunks.enqueue(run=run.pk)
    refreshed, result, differed = chunks.complete(run)
    if full:
        counts.mend()  # the dashboard's kept counts, checked against the rows too
    purge_expired()
    return DailyResult(on, refreshed, result, full=full, differed=differed)


def purge_expired() -> None:
    """Import previews past their confirmation time and idempotency keys past any retry: both
    hold personal data (names, numbers, addresses) that nothing needs any more."""
    now = timezone.now()
    ImportPreview.objects.filter(created_at__lt=now - ImportPreview.KEEP).delete()
    IdempotencyKey.objects.filter(created_at__lt=now - IdempotencyKey.KEEP).delete()
    # The API's request counts of minutes long past (trips/accounts/rate_counts.py).
    ApiRequestCount.objects.filter(minute__lt=int(now.timestamp() // 60) - 2).delete()


def freshness(today: date) -> Freshness:
    finished = DailyRun.objects.filter(on__lte=today, finished_at__isnull=False)
    as_of = finished.order_by("-on").values_list("on", flat=True).first()
    if as_of == today:
        return Freshness(today, as_of)
    running = DailyRun.objects.filter(
        on=today, finished_at__isnull=True, claimed_at__gt=timezone.now() - LEASE
    )
    return Freshness(today, as_of, updating=running.exists())


def last_run() -> DailyRun | None:
    """The latest daily run that finished."""
    return DailyRun.objects.filter(finished_at__isnull=False).order_by("-on").first()


def claim(on: date) -> bool:
    """Whether this process runs day `on`: it inserted the day's row (the day is unique, so
    exactly one inserter wins), or it took over a claim whose lease ran out.

    The takeover is one conditional UPDATE: of two processes trying at once, the second waits
    for the first's row lock and then no longer matches `claimed_at < ...` (PostgreSQL
    re-checks the condition on the updated row; SQLite runs one write at a time).
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            DailyRun.objects.create(on=on, claimed_at=now)
    except IntegrityError:
        expired = DailyRun.objects.filter(
            on=on, finished_at__isnull=True, claimed_at__lt=now - LEASE
        )
        return bool(expired.update(claimed_at=now, attempts=F("attempts") + 1))
    return True


def ensure(on: date) -> Freshness:
    """Day `on` run, by this process if no other has claimed it. Never raises for a failed run:
    the caller (a page) goes on with the data it has, marked as older than today."""
    current = freshness(on)
    if not current.stale:
        return current
    if not claim(on):
        return freshness(on)
    try:
        result = run_daily(on=on)
    except Exception:
        logger.exception("The daily run of %s failed; it is claimed again after %s", on, LEASE)
        return freshness(on)
    finish(result)
    return Freshness(on, on)


def finish(result: DailyResult) -> None:
    """Record the run, and in the same transaction queue its emails and the next day's run."""
    with transaction.atomic():
        DailyRun.objects.update_or_create(
            on=result.on,
            defaults={"finished_at": timezone.now(), "summary": str(result)},
            create_defaults={
                "claimed_at": timezone.now(),
                "finished_at": timezone.now(),
                "summary": str(result),
            },
        )
        notify.queue_emails(on=result.on)
        fragments.fold_changes()
        counts.fold()
        schedule_next(after=max(result.on, timezone.localdate()))


def schedule_next(*, after: date) -> None:
    """Queue `daily_refresh` for the worker to run just after the midnight that ends `after`,
    unless it is queued already: each run schedules the next, so the worker keeps the days
    turning over on its own."""
    start = timezone.make_aware(datetime.combine(after + timedelta(days=1), time())) + (
        START_AFTER_MIDNIGHT
    )
    queued = DBTaskResult.objects.filter(
        task_path=daily_refresh.module_path,
        status=TaskResultStatus.READY,
        # Not `>= start`: a task queued to run at once is stored with the latest date there is.
        run_after__range=(start, start + timedelta(days=1)),
    )
    if not queued.exists():
        daily_refresh.using(run_after=start).enqueue()


@task
def daily_refresh(on: str | None = None, full: bool = False) -> str:
    """The worker's daily run for `on` (an ISO date; today in TIME_ZONE if None), unless
    another process has run that day already; `full`: every traveller, whoever ran the day."""
    day = date.fromisoformat(on) if on else timezone.localdate()
    if full:
        finish(run_daily(on=day, full=True))
    ran = ensure(day)
    # Whoever ran the day scheduled the next; asking again mends a schedule that was lost.
    schedule_next(after=max(day, timezone.localdate()))
    DBTaskResult.objects.finished().filter(
        finished_at__lt=timezone.now() - KEEP_FINISHED_TASKS
    ).delete()
    if ran.stale:
        return f"{day.isoformat()}: being run by another process, or failed (see the log)."
    return DailyRun.objects.get(on=day).summary
