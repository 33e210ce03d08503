"""Who changed what and when, read back from the history rows: the traveller page's history
and the organisation settings' changes, with one way of saying what a change did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import NamedTuple

from django.utils.translation import gettext as _

from .models import AddressChange, Notification, Organisation, Traveller, Trip, Visa

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


def field_changes(record) -> list[Change]:
    """What an update changed, field by field (nothing for a create or a delete)."""
    if record.history_type != "~" or record.prev_record is None:
        return []
    model = record.instance_type
    delta = record.diff_against(record.prev_record)
    return [
        Change(model._meta.get_field(c.field).verbose_name, c.old, c.new) for c in delta.changes
    ]


def entry(record, *, label: str) -> HistoryEntry:
    actions = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
    return HistoryEntry(
        when=record.history_date,
        who=record.history_user,
        action=actions[record.history_type],
        record=label,
        changes=field_changes(record),
        reason=record.history_change_reason or "",
    )


def traveller_history(traveller: Traveller, limit: int = HISTORY_LENGTH) -> list[HistoryEntry]:
    """The traveller and all their records, deleted ones included, newest first."""
    trip_ids = Trip.history.filter(traveller_id=traveller.pk).values("id")
    records = chain(
        traveller.history.all()[:limit],
        Trip.history.filter(traveller_id=traveller.pk)[:limit],
        Visa.history.filter(traveller_id=traveller.pk)[:limit],
        AddressChange.history.filter(trip_id__in=trip_ids)[:limit],
        Notification.history.filter(trip_id__in=trip_ids)[:limit],
    )
    newest = sorted(records, key=lambda r: (r.history_date, r.history_id), reverse=True)[:limit]
    return [entry(r, label=f"{r.instance_type._meta.verbose_name}: {r.instance}") for r in newest]


def setting_changes(organisation: Organisation, limit: int = 20) -> list[HistoryEntry]:
    """The latest changes of the organisation's settings, newest first."""
    records = organisation.history.select_related("history_user").order_by("-history_date")
    return [entry(r, label=str(Organisation._meta.verbose_name)) for r in records[:limit]]
