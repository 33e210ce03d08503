"""The dashboard's summary: how many travellers overstay, have actions due this week, approach
a limit or are not assessed yet, and the day of the oldest figure shown.

The counts per status light are kept by the database (`StatusCount`, whose triggers count
every write to a snapshot or a traveller in its own transaction), so the summary reads a few
rows per organisation instead of every snapshot. What depends on the day is read from the few
rows it concerns, through the snapshot's indexes: the deadlines due this week of those who
must act, and the snapshots that may not hold today.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from contextlib import contextmanager
from datetime import date, timedelta

from django.db import connections, transaction
from django.db.models import Count, Min, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least

from trips.choices import Status
from trips.models import StatusCount, StatusSnapshot, Traveller

logger = logging.getLogger(__name__)

# "Actions due this week": a next deadline within this many days from today.
DUE_SOON_DAYS = 7
# The statuses whose next deadline is an action due (overstays included).
ACTING = (Status.ACTION, Status.OVERSTAY)


def summary_counts(organisation_id: int | None, on: date) -> dict:
    """The summary of the organisation's active travellers on `on` (all zero for None: the
    user manages no organisation's travellers)."""
    kept = (
        StatusCount.objects.filter(organisation=organisation_id)
        .values_list("status")
        .annotate(travellers=Sum("travellers"))
    )
    by_status: dict[str, int] = defaultdict(int, kept)
    return {
        "total": sum(by_status.values()),
        "overstays": by_status[Status.OVERSTAY],
        "approaching": by_status[Status.ATTENTION],
        "not_assessed": by_status[""],
        **of_the_day(organisation_id, on),
    }


def of_the_day(organisation_id: int | None, on: date) -> dict:
    """What depends on the day, from the few snapshots it concerns, in one query: the actions
    due this week, and the oldest day a shown figure is known to hold on (what "as of" can
    promise: `on` itself when every figure holds on it).

    A figure holds from the day it was computed for up to its `stable_until`, so the daily
    run moves it forward without writing it again; only the snapshots that may not hold on
    `on` (the daily run has not reached them yet) can make "as of" older than `on`.
    """
    week_end = on + timedelta(days=DUE_SOON_DAYS)
    due_soon = Q(status__in=ACTING, next_deadline__lte=week_end)
    stale = Q(stable_until__isnull=True) | Q(stable_until__lt=on)
    snapshots = StatusSnapshot.objects.filter(
        due_soon | stale, traveller__organisation=organisation_id, traveller__active=True
    )
    figures = snapshots.aggregate(
        due_this_week=Count("pk", filter=due_soon),
        as_of=Min(
            Greatest("evaluated_on", Least(Coalesce("stable_until", "evaluated_on"), Value(on))),
            filter=stale,
        ),
    )
    return figures | {"as_of": figures["as_of"] or on}


def recounted(
    organisation_id: int | None = None, *, using: str = "default"
) -> dict[tuple[int, str], int]:
    """The counts as the rows say them now, per organisation and status (the kept counts'
    definition, for checks)."""
    travellers = Traveller.objects.using(using).active()
    if organisation_id is not None:
        travellers = travellers.filter(organisation=organisation_id)
    light = Coalesce("snapshot__status", Value(""))
    rows = travellers.values_list("organisation_id", light).annotate(n=Count("pk")).order_by()
    return {(pk, status): n for pk, status, n in rows}


def kept(organisation_id: int | None = None) -> dict[tuple[int, str], int]:
    """The kept counts, per organisation and status, without the zeros."""
    rows = StatusCount.objects.all()
    if organisation_id is not None:
        rows = rows.filter(organisation=organisation_id)
    summed = rows.values_list("organisation_id", "status").annotate(n=Sum("travellers"))
    return {(pk, status): n for pk, status, n in summed if n}


def fold() -> None:
    """Replace the rows of each organisation and status with one row of their sum (none for
    a sum of zero): the counts stay what they were, and reading them stays a few rows."""
    with transaction.atomic():
        # Locked first: rows another fold deletes at the same time are not summed twice.
        rows = list(
            StatusCount.objects.select_for_update().values_list(
                "pk", "organisation_id", "status", "travellers"
            )
        )
        totals: dict[tuple[int, str], int] = defaultdict(int)
        for _pk, organisation_id, status, travellers in rows:
            totals[organisation_id, status] += travellers
        pks = [row[0] for row in rows]
        for start in range(0, len(pks), 500):
            StatusCount.objects.filter(pk__in=pks[start : start + 500]).delete()
        StatusCount.objects.bulk_create(
            StatusCount(organisation_id=organisation_id, status=status, travellers=travellers)
            for (organisation_id, status), travellers in totals.items()
            if travellers
        )


def mend() -> list[int]:
    """The organisations whose kept counts differ from their rows (none, while the triggers
    are in place), each logged and counted again; the weekly full run asks."""
    with counting_alone():
        kept_now, counted = kept(), recounted()
        keys = kept_now.keys() | counted.keys()
        wrong = sorted({key[0] for key in keys if kept_now.get(key) != counted.get(key)})
        for organisation_id in wrong:
            logger.warning(
                "Organisation %s: the kept status counts differed; counted again", organisation_id
            )
        if wrong:
            _replace(counted)
    return wrong


@contextmanager
def counting_alone(using: str = "default"):
    """A transaction in which no other writer's counts land: on PostgreSQL the count table is
    locked against inserts (writers whose triggers inserted already are waited for, the others
    wait, briefly), so the rows read and the counts kept are of one moment. SQLite writes one
    transaction at a time anyway."""
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {StatusCount._meta.db_table} IN EXCLUSIVE MODE")
        yield


def recount(using: str = "default", **kwargs) -> None:
    """Count every organisation again from the rows. Connected to `post_migrate`, which also
    follows a `flush`: SQLite deletes a flushed database's tables one by one, and the triggers
    of the later ones count into the table emptied before them."""
    if StatusCount._meta.db_table not in connections[using].introspection.table_names():
        return
    with counting_alone(using):
        _replace(recounted(using=using), using=using)


def _replace(counts: dict[tuple[int, str], int], *, using: str = "default") -> None:
    """The kept counts made `counts`; call it where `counting_alone` holds the table."""
    StatusCount.objects.using(using).all().delete()
    StatusCount.objects.using(using).bulk_create(
        StatusCount(organisation_id=organisation_id, status=status, travellers=travellers)
        for (organisation_id, status), travellers in counts.items()
    )
