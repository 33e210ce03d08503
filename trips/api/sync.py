"""`updated_since`: what changed in a list since a client's last call, and what was deleted.

Travellers and trips keep every change in their history (django-simple-history), with its
time; a deletion is a history row of type "-", so deletions need no table of their own. An
alert changes when it opens, closes or is resolved, and with every event of the review queue.
A traveller's status light is not a change of the traveller: read it from the status.
Results come in the order of their ids, so that pages stay put while a client reads them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from trips.models import Traveller, Trip

DELETED = "-"


def changed_travellers[Rows: QuerySet[Any]](
    travellers: Rows, organisation_id: int, since: datetime
) -> tuple[Rows, set[int]]:
    """`travellers` changed since `since`, and the ids of the organisation's travellers
    deleted since."""
    history = Traveller.history.filter(organisation_id=organisation_id)
    return _since(travellers, history, since)


def changed_trips(traveller: Traveller, since: datetime) -> tuple[QuerySet[Trip], set[int]]:
    """The traveller's trips changed since `since`, and the ids of the ones deleted since."""
    return _since(traveller.trips.all(), Trip.history.filter(traveller_id=traveller.pk), since)


def _since[Rows: QuerySet[Any]](
    rows: Rows, history: QuerySet[Any], since: datetime
) -> tuple[Rows, set[int]]:
    recent = history.filter(history_date__gte=since)
    changed = rows.filter(pk__in=recent.values("id")).order_by("pk")
    deleted = recent.filter(history_type=DELETED).exclude(id__in=rows.values("pk"))
    return changed, set(deleted.values_list("id", flat=True))


def changed_alerts[Rows: QuerySet[Any]](alerts: Rows, since: datetime) -> Rows:
    """`alerts` opened, closed, resolved or reviewed since `since`."""
    changed = alerts.filter(
        Q(opened_at__gte=since)
        | Q(closed_at__gte=since)
        | Q(resolved_at__gte=since)
        | Q(events__at__gte=since)
    )
    return alerts.filter(pk__in=changed.values("pk")).order_by("pk")
