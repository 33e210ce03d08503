"""Background tasks (Django's task framework, run by django-tasks-db's `manage.py db_worker`).

The daily run's task is in trips/upkeep/daily.py, the emails' in trips/delivery/notify.py.
"""

from __future__ import annotations

from datetime import date

from django.tasks import task

from trips.delivery import notify, webhooks
from trips.evaluation.alert_queue import refresh_alerts
from trips.evaluation.snapshots import refresh_snapshots
from trips.models import Organisation, RefreshRun, WebhookDelivery
from trips.upkeep import chunks


@task
def refresh_organisation(organisation_pk: int, on: str) -> str:
    """Every snapshot and alert of one organisation, after its thresholds changed."""
    organisation = Organisation.objects.get(pk=organisation_pk)
    travellers = organisation.travellers.filter(erased_at__isnull=True)
    day = date.fromisoformat(on)
    refreshed = refresh_snapshots(travellers, on=day)
    result = refresh_alerts(on=day, travellers=travellers)
    notify.queue_emails()
    return f"{organisation}: {refreshed} snapshots refreshed; {result}."


@task
def refresh_chunks(run: int) -> str:
    """Help the daily run `run` (a RefreshRun id) by refreshing chunks of it until none is left."""
    worked = chunks.work(RefreshRun.objects.get(pk=run))
    return f"{worked.chunks} chunks, {len(worked.travellers)} travellers refreshed."


def resend_webhook(delivery: WebhookDelivery) -> WebhookDelivery:
    """The same event to the same endpoint once more, sent by the worker (the delivery log)."""
    return webhooks.resend(delivery)
