"""The daily refresh in chunks that several workers share (docs/performance.md).

An incremental run's chunks hold only the travellers whose snapshot may not hold on its day
(`snapshots.due`); a full run's hold everyone.

`plan()` splits the travellers into chunks of consecutive ids; any number of workers (this
process and django-tasks-db's `db_worker`s, on one machine or several) then call `work()`,
which claims one chunk at a time with SELECT ... FOR UPDATE SKIP LOCKED and refreshes its
travellers in the transaction that marks it done. A claimed chunk stays locked until it is
done, so no traveller is refreshed twice; a worker that dies rolls back and frees its chunk
for another, so none is skipped. `complete()` works too and waits until every chunk is done.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from trips.evaluation import alert_queue, snapshots
from trips.models import RefreshChunk, RefreshRun, Traveller

# Traveller ids per chunk: small enough to spread over workers, large enough that a chunk's
# few queries per batch stay few per traveller.
CHUNK_SIZE = 500
# How long `complete()` waits before looking again for chunks other workers still hold.
POLL_SECONDS = 0.1


@dataclass
class Worked:
    """What one call of `work()` did: the chunks it claimed and the travellers it refreshed."""

    chunks: int = 0
    travellers: list[int] = field(default_factory=list)


def plan(*, on: date, size: int = CHUNK_SIZE, full: bool = True) -> RefreshRun:
    """A new run for `on`, with one chunk per block of traveller ids in use (due on `on`,
    unless the run is `full`) holding about `size` travellers to refresh.

    Blocks are fixed ([0, n - 1], [n, 2 n - 1], ...), so chunks never overlap and every
    traveller id falls in exactly one; blocks without a traveller to refresh get no chunk. A
    full run's blocks are `size` ids long; an incremental run's as many times longer as there
    are travellers for each one due, so that its chunks, and their queries, are as few as a
    full run's per traveller refreshed.
    """
    with transaction.atomic():
        run = RefreshRun.objects.create(on=on, full=full)
        travellers = (
            Traveller.objects.all() if full else Traveller.objects.filter(snapshots.due(on))
        )
        if not full:
            size *= max(1, Traveller.objects.count() // max(1, travellers.count()))
        blocks = (
            travellers.annotate(block=F("pk") / size)
            .values_list("block", flat=True)
            .distinct()
            .order_by("block")
        )
        RefreshChunk.objects.bulk_create(
            RefreshChunk(
                run=run, first_traveller=block * size, last_traveller=(block + 1) * size - 1
            )
            for block in blocks
        )
    return run


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def work(run: RefreshRun, *, worker: str = "") -> Worked:
    """Claim and refresh chunks of `run` until none is left that another worker does not hold."""
    worked = Worked()
    worker = worker or worker_name()
    while (refreshed := _refresh_next_chunk(run, worker)) is not None:
        worked.chunks += 1
        worked.travellers += refreshed
    return worked


def _refresh_next_chunk(run: RefreshRun, worker: str) -> list[int] | None:
    with transaction.atomic():
        chunk = (
            RefreshChunk.objects.select_for_update(skip_locked=True)
            .filter(run=run, done_at__isnull=True)
            .order_by("first_traveller")
            .first()
        )
        if chunk is None:
            return None
        travellers = Traveller.objects.filter(
            pk__gte=chunk.first_traveller, pk__lte=chunk.last_traveller
        )
        done = snapshots.refresh_with_alerts(travellers, on=run.on, full=run.full)
        chunk.snapshots = done.snapshots
        chunk.differed = len(done.differed)
        for name in ("travellers", "opened", "updated", "closed", "cleared", "unchanged", "failed"):
            setattr(chunk, name, getattr(done.alerts, name))
        chunk.worker = worker[:200]
        chunk.done_at = timezone.now()
        chunk.save()
    return done.travellers


def complete(run: RefreshRun) -> tuple[int, alert_queue.RefreshResult, int]:
    """Work on `run` until every chunk is done (by anyone); the snapshots and alerts summary,
    and how many travellers a full run found different from what was kept."""
    while True:
        work(run)
        if not run.chunks.filter(done_at__isnull=True).exists():
            break
        time.sleep(POLL_SECONDS)  # others hold the last chunks: wait for them
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at"])
    names = ("travellers", "opened", "updated", "closed", "cleared", "unchanged", "failed")
    totals = run.chunks.aggregate(
        snapshots=Sum("snapshots"), differed=Sum("differed"), **{n: Sum(n) for n in names}
    )
    result = alert_queue.RefreshResult(**{n: totals[n] or 0 for n in names})
    return totals["snapshots"] or 0, result, totals["differed"] or 0
