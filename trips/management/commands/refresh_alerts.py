"""`manage.py refresh_alerts`: the daily run (every snapshot and alert, then the emails)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from trips.delivery import notify
from trips.upkeep import daily


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--on must be a date like 2026-03-01, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Refreshes the snapshots and alerts that may have changed (with --full, every "
        "traveller's, logging any that the daily runs kept although it differs), then sends "
        "the alert emails and the daily digest. With --enqueue, queues that run for "
        "`manage.py db_worker` instead. Not needed daily: the worker and the first request of "
        "a day run it by themselves."
    )

    def add_arguments(self, parser):
        parser.add_argument("--on", help="Evaluate on this date (YYYY-MM-DD); default today.")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the daily task for the worker instead of running it here.",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="Evaluate every traveller, not only those whose figures may have changed.",
        )

    def handle(self, *args, on=None, enqueue=False, full=False, **options):
        day = iso_date(on) if on else timezone.localdate()
        if enqueue:
            full_run = {"full": True} if full else {}
            result = daily.daily_refresh.enqueue(on=on and day.isoformat(), **full_run)
            self.stdout.write(f"Queued the daily refresh for {day.isoformat()} as {result.id}.")
            return
        result = daily.run_daily(on=day, full=full or None)
        daily.finish(result)
        # A command is not a web request: it sends what the worker would.
        emails = notify.deliver_emails.call(on=day.isoformat())
        self.stdout.write(f"{result} {emails}")
