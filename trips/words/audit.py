"""Who changed what and when, read back from the history rows: the traveller page's history
and the organisation settings' changes, with one way of saying what a change did."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext as _

from trips.models import AddressChange, Notification, Organisation, Traveller, Trip, Visa

HISTORY_LENGTH = 50


class Change(NamedTuple):
    """One field of one record, from its old value to its new one."""

    field: str
    old: object
    new: object


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: object
    action: str
    record: str
    changes: list[Change]
    reason: str = ""  # e.g. "API token: Personio sync" for a change made through the API
    restore_trip: int | None = None  # a deleted trip's pk: it may be restored from here


def field_changes(record, previous) -> list[Change]:
    """What an update changed from the `previous` record, field by field (nothing for a
    create or a delete)."""
    if record.history_type != "~" or previous is None:
        return []
    model = record.instance_type
    delta = record.diff_against(previous)
    return [
        Change(model._meta.get_field(c.field).verbose_name, c.old, c.new) for c in delta.changes
    ]


def entry(record, *, label: str, previous) -> HistoryEntry:
    actions = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
    return HistoryEntry(
        when=record.history_date,
        who=record.history_user,
        action=actions[record.history_type],
        record=label,
        changes=field_changes(record, previous),
        reason=record.history_change_reason or "",
        restore_trip=record.id
        if record.history_type == "-" and record.instance_type is Trip
        else None,
    )


def traveller_history(traveller: Traveller, limit: int = HISTORY_LENGTH) -> list[HistoryEntry]:
    """The traveller and all their records, deleted ones included, newest first: a few queries,
    however long the history, and none per entry."""
    trip_ids = Trip.history.filter(traveller_id=traveller.pk).values("id")
    records = chain(
        *(
            history.select_related("history_user")[:limit]
            for history in (
                traveller.history.all(),
                Trip.history.filter(traveller_id=traveller.pk),
                Visa.history.filter(traveller_id=traveller.pk),
                AddressChange.history.filter(trip_id__in=trip_ids),
                Notification.history.filter(trip_id__in=trip_ids),
            )
        )
    )
    newest = sorted(records, key=lambda r: (r.history_date, r.history_id), reverse=True)[:limit]
    previous = previous_records(newest)
    return [
        entry(
            r,
            # The record as it was then, not read back from its table as `instance` would.
            label=f"{r.instance_type._meta.verbose_name}: {r.history_object}",
            previous=previous.get(r.history_id),
        )
        for r in newest
    ]


def previous_records(records: list) -> dict:
    """The history record before each update among `records`, of the same object, by the
    update's `history_id`: what simple_history's `prev_record` reads one query at a time, in
    one query per model."""
    updates: dict[type[models.Model], list] = defaultdict(list)
    for record in records:
        if record.history_type == "~":
            updates[record.instance_type].append(record)
    found = {}
    for model, updated in updates.items():
        pk = model._meta.pk.attname
        history = model.history  # type: ignore[attr-defined]  # simple_history adds it
        rows = history.filter(**{f"{pk}__in": {getattr(r, pk) for r in updated}})
        of_object = defaultdict(list)
        for row in rows.order_by("history_date", "history_id"):
            of_object[getattr(row, pk)].append(row)
        for record in updated:
            earlier = [
                r for r in of_object[getattr(record, pk)] if r.history_date < record.history_date
            ]
            found[record.history_id] = earlier[-1] if earlier else None
    return found


def setting_changes(organisation: Organisation, limit: int = 20) -> list[HistoryEntry]:
    """The latest changes of the organisation's settings, newest first."""
    records = organisation.history.select_related("history_user").order_by("-history_date")
    newest = list(records[:limit])
    previous = previous_records(newest)
    label = str(Organisation._meta.verbose_name)
    return [entry(r, label=label, previous=previous.get(r.history_id)) for r in newest]
