"""Status snapshots: the figures lists show for each traveller, kept in step with the data.

`traveller_changed()` is what every change to a traveller's records calls, inside its
transaction: the snapshot is refreshed there, and the alerts after the commit. A snapshot says
how long it holds (`stable_until`); the daily run evaluates only the travellers `due()` on its
day, and `organisation_changed()` makes a whole organisation due after its settings changed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from django.db import transaction
from django.db.models import Q

import rules
from trips.choices import STATUS_URGENCY
from trips.dashboard import fragments
from trips.delivery import webhooks
from trips.evaluation import alert_queue
from trips.evaluation.bulk import for_evaluation
from trips.evaluation.findings import TravellerStatus, evaluate
from trips.models import StatusSnapshot, Traveller

logger = logging.getLogger(__name__)


def snapshot_fields(status: TravellerStatus) -> dict:
    kz, schengen, trip = status.kz, status.schengen, status.current_trip
    present = next((r for r in (kz, schengen) if r and r.report.present_on_query_date), None)
    next_deadline = status.next_deadline
    stay_cap = None
    if present is not None and present is kz and trip is not None:
        # The visa's days, or the visa-free cap of the traveller's citizenship and settings.
        regime = rules.Regime.KZ_VISA_FREE
        own = rules.longest_stay_days(regime, status.inputs.limits(regime))
        stay_cap = trip.visa.days_allowed if trip.visa is not None else own
    return {
        "evaluated_on": status.on,
        "stable_until": status.stable_until,
        "status": status.status,
        "urgency": STATUS_URGENCY[status.status],
        "location": trip.country if trip else "",
        "location_since": trip.entry if trip else None,
        "stay_day": present.report.current_stay_length if present else None,
        "stay_cap": stay_cap,
        "kz_days_used": kz.report.days_used if kz else 0,
        "kz_days_left": kz.report.remaining if kz else rules.DEFAULTS.max_days,
        "schengen_days_used": schengen.report.days_used if schengen else None,
        "schengen_days_left": schengen.report.remaining if schengen else None,
        "latest_legal_exit": present.report.latest_legal_exit if present else None,
        "next_deadline": next_deadline.due_on if next_deadline else None,
        "reason_kind": status.worst.kind if status.worst else "",
        "reason_params": status.worst.params if status.worst else {},
        "next_deadline_kind": next_deadline.kind if next_deadline else "",
        "next_deadline_params": next_deadline.params if next_deadline else {},
        "tax_days": kz.report.tax_days if kz else 0,
        "overstay_days": max(
            (r.report.overstay_days for r in (kz, schengen) if r is not None), default=0
        ),
    }


def due(on: date) -> Q:
    """Travellers whose snapshot may not hold on `on`: none yet, evaluated after `on`, or
    holding only until before `on` (None: their organisation's settings changed since)."""
    return (
        Q(snapshot__isnull=True)
        | Q(snapshot__stable_until__isnull=True)
        | Q(snapshot__stable_until__lt=on)
        | Q(snapshot__evaluated_on__gt=on)
    )


def organisation_changed(organisation_pk: int) -> int:
    """Every snapshot of an organisation is evaluated again at the next daily run (its
    thresholds, choices or calendar changed); call it in the transaction that saved them."""
    snapshots = StatusSnapshot.objects.filter(traveller__organisation=organisation_pk)
    return snapshots.update(stable_until=None)


def refresh_snapshot(traveller: Traveller, *, on: date) -> StatusSnapshot:
    """Recompute one traveller's snapshot; call it inside the transaction that changed them."""
    status = evaluate(traveller, on=on)
    before = (
        StatusSnapshot.objects.filter(traveller=traveller).values_list("status", flat=True).first()
    )
    snapshot, _created = StatusSnapshot.objects.update_or_create(
        traveller=traveller, defaults=snapshot_fields(status)
    )
    if before is not None and before != snapshot.status:
        status_changed(traveller, before, snapshot)
    return snapshot


def status_event(traveller: Traveller, before: str, snapshot: StatusSnapshot) -> tuple:
    """The webhook event of a changed status light: organisation, kind, traveller, data."""
    data = {"traveller": traveller.pk, "from": before, "to": snapshot.status}
    data["evaluated_on"] = snapshot.evaluated_on
    kind = webhooks.Kind.TRAVELLER_STATUS_CHANGED
    return traveller.organisation_id, kind, traveller.pk, data


def status_changed(traveller: Traveller, before: str, snapshot: StatusSnapshot) -> None:
    """Tell the organisation's webhook endpoints that the traveller's status light changed."""
    webhooks.record_many([status_event(traveller, before, snapshot)])


def refresh_snapshots(travellers, *, on: date, batch_size: int = 500) -> int:
    """Recompute the snapshots of many travellers (the daily run: dates move, data may not)."""
    count = 0
    pks = list(travellers.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), batch_size):
        with transaction.atomic():
            # Read after the lock (services.py takes it too): never from data an edit replaces.
            locked = Traveller.objects.filter(pk__in=pks[start : start + batch_size]).lock()
            batch = Traveller.objects.filter(pk__in=locked).select_related("snapshot")
            writes = SnapshotWrites(on=on)
            for traveller in for_evaluation(batch.order_by("pk"), on=on):
                writes.add(traveller, snapshot_fields(evaluate(traveller, on=on)))
            writes.save()
        count += len(writes)
    return count


@dataclass
class Refreshed:
    """What `refresh_with_alerts()` did: snapshots written, alerts, the travellers it did."""

    snapshots: int = 0
    alerts: alert_queue.RefreshResult = field(default_factory=alert_queue.RefreshResult)
    travellers: list[int] = field(default_factory=list)
    # Travellers a full run found different from what the incremental runs kept (none, if
    # every `stable_until` is right).
    differed: list[int] = field(default_factory=list)


def refresh_with_alerts(
    travellers, *, on: date, batch_size: int = 500, full: bool = True
) -> Refreshed:
    """Snapshots and alerts of many travellers, each evaluated once (the daily run's chunks).

    `full` False evaluates only the travellers `due()` on `on`; the others' figures hold. A full
    run evaluates everyone and logs each traveller whose snapshot or alerts the incremental run
    would have kept although they differ. Per batch: a few queries to read the travellers with
    everything the law needs, their snapshots and live alerts, and a few to write what changed.
    A traveller whose data the engine refuses keeps snapshot and alerts as they were, and is
    counted as failed.
    """
    done = Refreshed()
    if not full:
        travellers = travellers.filter(due(on))
    pks = list(travellers.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), batch_size):
        # One transaction per batch, reading after the traveller locks that every save takes
        # too: no figures from data an edit is replacing, and a run that dies half-way leaves
        # each traveller either refreshed or untouched.
        with transaction.atomic():
            locked = Traveller.objects.filter(pk__in=pks[start : start + batch_size]).lock()
            batch = Traveller.objects.filter(pk__in=locked)
            batch = alert_queue.with_live_alerts(batch).select_related("snapshot").order_by("pk")
            snapshot_writes = SnapshotWrites(on=on)
            alert_writes = alert_queue.AlertWrites(on=on, result=done.alerts)
            for traveller in for_evaluation(batch, on=on):
                try:
                    status = evaluate(traveller, on=on)
                except rules.RequestError:
                    logger.exception("Traveller %s not refreshed", traveller.pk)
                    done.alerts.failed += 1
                    continue
                fields = snapshot_fields(status)
                findings = alert_queue.current_findings(traveller, on=on, status=status)
                if full and _kept(traveller, on) and _differs(traveller, fields, findings):
                    logger.warning(
                        "Traveller %s: the full run of %s differs from the figures kept",
                        traveller.pk,
                        on,
                    )
                    done.differed.append(traveller.pk)
                snapshot_writes.add(traveller, fields)
                alert_writes.add(traveller, findings)
                done.travellers.append(traveller.pk)
            snapshot_writes.save()
            alert_writes.save()
        done.snapshots += len(snapshot_writes)
    return done


def _kept(traveller: Traveller, on: date) -> bool:
    """Whether an incremental run on `on` would have left the traveller alone."""
    snapshot = getattr(traveller, "snapshot", None)
    return (
        snapshot is not None
        and snapshot.stable_until is not None
        and snapshot.evaluated_on <= on <= snapshot.stable_until
    )


def _differs(traveller: Traveller, fields: dict, findings: dict) -> bool:
    """Whether the figures or alerts kept differ from a fresh evaluation's."""
    snapshot = traveller.snapshot
    kept = ("evaluated_on", "stable_until")
    if any(getattr(snapshot, k) != v for k, v in fields.items() if k not in kept):
        return True
    live: list = traveller.live_alerts  # type: ignore[attr-defined]  # with_live_alerts()
    return not alert_queue.in_step(live, findings)


class SnapshotWrites:
    """The snapshots of a batch of travellers, written in a few queries: only what changed.

    Travellers need their stored snapshot (`select_related("snapshot")`): a snapshot whose
    figures are the same is not rewritten, only marked evaluated on the new day (one UPDATE for
    the batch); changed and missing ones are written together (`upsert`).
    """

    def __init__(self, *, on: date) -> None:
        self.on = on
        self.changed: list[StatusSnapshot] = []
        self.new: list[StatusSnapshot] = []
        self.same: list[int] = []
        self.organisations: set[int] = set()
        self.status_changes: list[tuple[Traveller, str, StatusSnapshot]] = []

    def __len__(self) -> int:
        return len(self.changed) + len(self.new) + len(self.same)

    def add(self, traveller: Traveller, fields: dict) -> None:
        snapshot = getattr(traveller, "snapshot", None)
        if snapshot is None or snapshot.evaluated_on != fields["evaluated_on"]:
            self.organisations.add(traveller.organisation_id)
        if snapshot is None:
            self.new.append(StatusSnapshot(traveller=traveller, **fields))
            return
        changed = {
            name
            for name, value in fields.items()
            if name != "evaluated_on" and getattr(snapshot, name) != value
        }
        if not changed:
            if snapshot.evaluated_on != fields["evaluated_on"]:
                self.same.append(snapshot.pk)
            return
        self.organisations.add(traveller.organisation_id)
        self.changed.append(StatusSnapshot(traveller=traveller, **fields))
        if "status" in changed:
            self.status_changes.append((traveller, snapshot.status, self.changed[-1]))

    def save(self) -> None:
        with transaction.atomic():
            # In the same transaction as the figures: cached dashboards are keyed by it.
            fragments.data_changed(self.organisations)
            webhooks.record_many([status_event(*change) for change in self.status_changes])
            if self.same:
                StatusSnapshot.objects.filter(pk__in=self.same).update(evaluated_on=self.on)
            upsert(self.changed + self.new)


FIELDS = [f.name for f in StatusSnapshot._meta.concrete_fields if not f.primary_key]


def upsert(rows: list[StatusSnapshot]) -> None:
    """Write `rows` over their travellers' snapshots, or as new ones, in one statement.

    Not `bulk_update`, whose CASE per field and row costs the square of the rows; not a DELETE
    and an INSERT either, which make the count triggers (trips/migrations/0024_status_counts.py)
    take every row out of its status and put it back: an update moves only the rows whose
    status changed.
    """
    if rows:
        StatusSnapshot.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["traveller"], update_fields=FIELDS
        )


def traveller_changed(traveller: Traveller, *, on: date) -> StatusSnapshot:
    """Everything that follows a change to a traveller's trips, visas or notifications.

    Call it inside the transaction that made the change (trips/evaluation/services.py does):
    the snapshot is refreshed in that same transaction, so lists never show figures the data no
    longer supports. The alerts wait for the commit, so that a rolled-back change raises no alert;
    their emails are the worker's (trips/delivery/notify.py), never this request's.
    """
    snapshot = refresh_snapshot(traveller, on=on)
    transaction.on_commit(
        partial(alert_queue.refresh_alerts_for_traveller, traveller.pk, on=on), robust=True
    )
    return snapshot


def travellers_changed(travellers: Iterable[Traveller], *, on: date) -> int:
    """`traveller_changed()` for many travellers at once (a trip import): each snapshot in the
    caller's transaction, the alerts of all in one run after the commit, not one run each."""
    rows = [
        StatusSnapshot(traveller=traveller, **snapshot_fields(evaluate(traveller, on=on)))
        for traveller in travellers
    ]
    upsert(rows)  # one statement instead of an update_or_create (four queries) each
    pks = [row.traveller_id for row in rows]
    fragments.data_changed(row.traveller.organisation_id for row in rows)
    transaction.on_commit(
        partial(alert_queue.refresh_alerts_for_travellers, pks, on=on), robust=True
    )
    return len(pks)
