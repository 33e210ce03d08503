"""Undoing a confirmed import: each is a batch that its uploader or compliance may revert.

A revert, within REVERT_DAYS of the import, deletes exactly the trips, visas and travellers
the batch created (`ImportPreview.created`), except those changed since: a record whose
values differ from those the import gave it (its creation in the history), one deleted
meanwhile, a visa another trip now rests on, or a traveller who has records the batch did
not create. Those are kept and listed with the reason, stored as codes. The travellers
concerned are locked first, in pk order like every other writer, so that an edit running
at the same time either lands before the revert reads (and is kept) or after it. Deletions
are recorded in the history under the reverting user; snapshots and alerts are refreshed.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trips.dates import day
from trips.evaluation import snapshots
from trips.evaluation.stays import with_related
from trips.models import AddressChange, ImportPreview, Notification, Traveller, Trip, Visa

REVERT_DAYS = 30
# The values an import gives each kind of record: a difference means someone changed it.
COMPARED = {
    "trips": ["traveller_id", "country", "entry", "exit", "purpose", "host", "address", "visa_id"],
    "visas": ["traveller_id", "country", "kind", "number", "valid_from", "valid_until",
              "entries_allowed", "days_allowed"],
    "travellers": ["name", "employee_number", "email", "citizenship", "active", "user_id"],
}  # fmt: skip
# Typed by their classes: each has its own manager and its history (django-simple-history).
MODELS: dict[str, type[Trip] | type[Visa] | type[Traveller]] = {
    "trips": Trip,
    "visas": Visa,
    "travellers": Traveller,
}
REASONS = {
    "changed": gettext_lazy("changed since the import"),
    "gone": gettext_lazy("deleted since the import"),
    "in_use": gettext_lazy("a trip the import did not create rests on it"),
    "has_records": gettext_lazy("has trips or other records the import did not create"),
}


class RevertRefused(ValueError):
    pass


def revertible(batch: ImportPreview) -> bool:
    return (
        batch.saved_at is not None
        and batch.reverted_at is None
        and batch.saved_at >= timezone.now() - timedelta(days=REVERT_DAYS)
    )


def revert(batch: ImportPreview, *, by, on: date) -> list[dict]:
    """Delete what `batch` created and was not changed since; what was kept, and why."""
    with transaction.atomic():
        batch = ImportPreview.objects.select_for_update().get(pk=batch.pk)
        if not revertible(batch):
            raise RevertRefused(
                _(
                    "This import can no longer be reverted: it was reverted already, or it is "
                    "older than %(days)d days."
                )
                % {"days": REVERT_DAYS}
            )
        created = {kind: set(batch.created.get(kind, [])) for kind in MODELS}
        Traveller.objects.filter(pk__in=_concerned(created)).lock()
        kept: list[dict] = []
        touched: set[int] = set()
        trips = _unchanged("trips", created["trips"], kept)
        touched |= {trip.traveller_id for trip in trips}
        _delete(trips, by)
        visas = _unchanged("visas", created["visas"], kept)
        in_use = set(Trip.objects.filter(visa__in=visas).values_list("visa_id", flat=True))
        for visa in [v for v in visas if v.pk in in_use]:
            kept.append(_kept("visas", visa, "in_use"))
        visas = [v for v in visas if v.pk not in in_use]
        touched |= {visa.traveller_id for visa in visas}
        _delete(visas, by)
        travellers = _unchanged("travellers", created["travellers"], kept)
        busy = _with_records([t.pk for t in travellers])
        for traveller in [t for t in travellers if t.pk in busy]:
            kept.append(_kept("travellers", traveller, "has_records"))
        gone = [t for t in travellers if t.pk not in busy]
        _delete(gone, by)
        remaining = Traveller.objects.filter(pk__in=touched - {t.pk for t in gone})
        snapshots.travellers_changed(with_related(remaining), on=on)
        batch.reverted_at = timezone.now()
        batch.reverted_by = by
        batch.not_reverted = kept
        batch.save(update_fields=["reverted_at", "reverted_by", "not_reverted"])
    return kept


def _concerned(created: dict[str, set[int]]) -> set[int]:
    ids = set(created["travellers"])
    ids |= set(Trip.objects.filter(pk__in=created["trips"]).values_list("traveller_id", flat=True))
    ids |= set(Visa.objects.filter(pk__in=created["visas"]).values_list("traveller_id", flat=True))
    return ids


def _unchanged(kind: str, ids: set[int], kept: list[dict]) -> list:
    """The records of `ids` still as the import made them; the others go to `kept`."""
    model = MODELS[kind]
    current = {obj.pk: obj for obj in model.objects.filter(pk__in=ids)}
    made = {
        record.id: record
        for record in model.history.filter(id__in=ids, history_type="+").order_by("history_id")
    }
    unchanged = []
    for pk in sorted(ids):
        obj = current.get(pk)
        if obj is None:
            origin = made.get(pk)
            kept.append(
                _kept(kind, origin, "gone")
                if origin
                else {"kind": kind, "label": str(pk), "reason": "gone"}
            )
        elif pk not in made or any(
            getattr(obj, name) != getattr(made[pk], name) for name in COMPARED[kind]
        ):
            kept.append(_kept(kind, obj, "changed"))
        else:
            unchanged.append(obj)
    return unchanged


def _with_records(ids: list[int]) -> set[int]:
    """Travellers among `ids` who still have trips, visas, filings or a login."""
    busy = set(Trip.objects.filter(traveller__in=ids).values_list("traveller_id", flat=True))
    busy |= set(Visa.objects.filter(traveller__in=ids).values_list("traveller_id", flat=True))
    busy |= set(
        Traveller.objects.filter(pk__in=ids).filter(user__isnull=False).values_list("pk", flat=True)
    )
    for relation in ("address_changes", "notifications"):
        if hasattr(Traveller, relation):
            busy |= set(
                Traveller.objects.filter(pk__in=ids, **{f"{relation}__isnull": False}).values_list(
                    "pk", flat=True
                )
            )
    return busy


def _delete(objects: list, by) -> None:
    """Delete `objects`, each recorded in the history as removed by `by` in a revert."""
    if not objects:
        return
    model = type(objects[0])
    if model is Traveller:  # few, and their deletion cascades to many tables: one by one
        for obj in objects:
            obj._history_user = by
            obj._change_reason = "revert"
        collector = Collector(using="default")
        collector.collect(objects)
        collector.delete()
        return
    # Trips and visas by the thousand: their history rows written at once, then the rows
    # deleted in one statement (a deletion per row, each with its history row, took 30 s).
    ids = [obj.pk for obj in objects]
    if model is Trip:
        for child in (AddressChange, Notification):
            for record in child.objects.filter(trip_id__in=ids):
                record._history_user = by
                record._change_reason = "revert"
                record.delete()
    stamp = timezone.now()
    model.history.bulk_history_create(
        objects, batch_size=500, default_user=by, default_change_reason="revert", default_date=stamp
    )
    model.history.filter(
        id__in=ids, history_date=stamp, history_type="+", history_change_reason="revert"
    ).update(history_type="-")
    for start in range(0, len(ids), 1000):
        model.objects.filter(pk__in=ids[start : start + 1000])._raw_delete(using="default")


def _kept(kind: str, obj, reason: str) -> dict:
    return {"kind": kind, "label": label(kind, obj), "reason": reason}


def label(kind: str, obj) -> str:
    """A record as the list of kept records names it: data, no sentence."""
    if kind == "travellers":
        return f"{obj.name} ({obj.employee_number})"
    traveller = Traveller.objects.filter(pk=obj.traveller_id).first()
    who = f"{traveller.name} ({traveller.employee_number})" if traveller else ""
    if kind == "trips":
        end = day(obj.exit) if obj.exit else "…"
        return f"{who}: {obj.country} {day(obj.entry)} – {end}"
    return f"{who}: {obj.kind} {obj.number} {day(obj.valid_from)} – {day(obj.valid_until)}"


def reasons(batch: ImportPreview) -> list[dict]:
    """What the revert kept, each with its reason in the reader's language."""
    return [{**item, "reason_text": str(REASONS[item["reason"]])} for item in batch.not_reverted]
