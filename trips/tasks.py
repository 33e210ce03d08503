"""Background tasks (Django's task framework, run by django-tasks-db's `manage.py db_worker`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.tasks import task
from django.utils import timezone

from . import notify, snapshots
from .alerts import RefreshResult, refresh_alerts
from .models import Traveller


@dataclass(frozen=True)
class DailyResult:
    on: date
    snapshots: int
    alerts: RefreshResult
    emails: int
    digests: int

    def __str__(self) -> str:
        return (
            f"{self.on.isoformat()}: {self.snapshots} snapshots refreshed; {self.alerts}; "
            f"{self.emails} alert emails and {self.digests} digests sent."
        )


def run_daily(*, on: date) -> DailyResult:
    """The daily run: dates move even when data does not, so everything is re-evaluated."""
    refreshed = snapshots.refresh_snapshots(Traveller.objects.all(), on=on)
    result = refresh_alerts(on=on)
    emails = notify.send_alert_emails()
    digests = notify.send_digests(on=on)
    return DailyResult(on, refreshed, result, emails, digests)


@task
def daily_refresh(on: str | None = None) -> str:
    """`run_daily` as a task; `on` is an ISO date (JSON-ready), today in TIME_ZONE if None."""
    day = date.fromisoformat(on) if on else timezone.localdate()
    return str(run_daily(on=day))
