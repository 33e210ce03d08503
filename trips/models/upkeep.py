"""The daily run's bookkeeping: runs, the chunks workers share, and the data versions."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from trips.models.accounts import Organisation


class DailyRun(models.Model):
    """The daily run of one day: every snapshot and alert brought up to date for `on`.

    The row is also the claim. Its day is unique, so when several processes notice a new day,
    one inserts the row and runs while the others see it and do not; a claim that never
    finished (its process was killed) may be taken over once it is older than the lease
    (`trips.upkeep.daily.LEASE`).
    """

    on = models.DateField(_("day"), unique=True)
    claimed_at = models.DateTimeField(_("claimed at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("daily run")
        verbose_name_plural = _("daily runs")
        ordering = ["-on"]

    def __str__(self) -> str:
        return f"{self.on.isoformat()}: {self.summary or 'running'}"


class RefreshRun(models.Model):
    """One daily refresh of every traveller, split into chunks that several workers share."""

    # Only the workers read it (no page shows it): its names need no translation.
    on = models.DateField()
    # Everyone evaluated (weekly, or asked for); otherwise only those whose figures may change.
    full = models.BooleanField(default=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.on.isoformat()} ({self.pk})"


class RefreshChunk(models.Model):
    """The travellers whose ids lie in [first_traveller, last_traveller], refreshed by one worker.

    A worker claims a chunk by locking its row (SELECT ... FOR UPDATE SKIP LOCKED) and keeps the
    lock while it refreshes the chunk, in the same transaction that records it done: a chunk is
    done exactly once, and a worker that dies gives it back by rolling back.
    """

    run = models.ForeignKey(RefreshRun, models.CASCADE, related_name="chunks")
    first_traveller = models.BigIntegerField()
    last_traveller = models.BigIntegerField()
    done_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    # What the refresh did, so that the run's summary adds up what every worker did.
    snapshots = models.PositiveIntegerField(default=0)
    travellers = models.PositiveIntegerField(default=0)
    opened = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    cleared = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # Travellers a full run found different from what the incremental runs kept.
    differed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["run", "first_traveller"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "first_traveller"], name="trips_refreshchunk_one_per_start"
            ),
            models.CheckConstraint(
                condition=Q(last_traveller__gte=F("first_traveller")),
                name="trips_refreshchunk_range_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}: travellers {self.first_traveller}-{self.last_traveller}"


class DataChange(models.Model):
    """One committed write of an organisation's snapshots or travellers; the sum of the
    weights is the organisation's data version, which cached dashboards are keyed by
    (trips/dashboard/fragments.py).

    Rows, not a counter in one row: writers only insert, so the daily run's workers and
    people's changes never wait for each other's locks, yet every commit adds to the sum.
    """

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="+")
    weight = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.organisation_id}: +{self.weight}"


class StatusCount(models.Model):
    """A change to the number of an organisation's active travellers whose status light is
    `status` ("" for those not assessed yet); the sum per organisation and status is the count
    the dashboard's summary shows (trips/dashboard/counts.py).

    Written only by the database's triggers on the snapshot and traveller tables
    (trips/migrations/0024_status_counts.py), in the transaction of the write they count: the
    counts follow every path that writes a snapshot or a traveller (the ORM, bulk writes,
    cascades, the admin, SQL) and cannot drift from the rows. Rows, not a counter in one row,
    for the reason `DataChange` gives; `counts.fold()` sums them after each daily run.
    """

    # No constraint: only the triggers write these rows, and Django's deletions never see
    # them; an organisation deleted (once it has no travellers) leaves rows that sum to
    # nothing, which `counts.fold()` drops.
    organisation = models.ForeignKey(
        Organisation, models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    status = models.CharField(max_length=12, blank=True)
    travellers = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "status"], name="trips_status_count")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.status or 'not assessed'}: {self.travellers:+}"
