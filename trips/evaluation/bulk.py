"""Many travellers' histories read for evaluation: rows in a few queries, not ORM objects.

The daily run evaluates every traveller, and reading 200,000 trips through the ORM's
`prefetch_related` cost more than the law itself: a queryset per trip and relation, and the
model machinery per row. `for_evaluation()` reads the same rows with `values_list` (one query
per table and batch), builds the instances directly, and hands each relation to its owner as
the list `manager.all()` returns, as a prefetch would (docs/performance.md).

What it loads is what `findings.evaluate()` reads (through `inputs.inputs()`): the traveller
with its organisation (one instance per organisation) and calendar years, and whatever the
queryset given selects or prefetches; the trips (without their free-text fields) with their
visas; and the eQonaq filings of the trips within the lookback. A relation read here is a plain
list: iterating, `len()` and truth work as on a prefetched queryset, while a query method
(`filter`, `exists`) fails loudly instead of reading the database behind the run's back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from django.db import models
from django.db.models.base import ModelState

from trips.evaluation.stays import filings_may_matter
from trips.models import AddressChange, Notification, Organisation, Traveller, Trip, Visa

# Columns read per table. A trip's free-text fields are left deferred: no rule reads them.
TRIP_COLUMNS = tuple(
    f.attname for f in Trip._meta.concrete_fields if f.name not in ("host", "address", "notes")
)
VISA_COLUMNS = tuple(f.attname for f in Visa._meta.concrete_fields)
NOTIFICATION_COLUMNS = tuple(f.attname for f in Notification._meta.concrete_fields)
ADDRESS_CHANGE_COLUMNS = tuple(f.attname for f in AddressChange._meta.concrete_fields)


def for_evaluation(travellers: models.QuerySet[Traveller], *, on: date) -> list[Traveller]:
    """The travellers of a queryset with what `evaluate(..., on=on)` reads, in seven queries
    plus the queryset's own prefetches, whatever their number."""
    loaded = list(travellers)
    db = travellers.db
    # One instance per organisation, shared: its calendar years are read once, not per traveller.
    organisations = Organisation.objects.filter(pk__in={t.organisation_id for t in loaded})
    organisation = {o.pk: o for o in organisations.prefetch_related("calendar_years")}
    for traveller in loaded:
        traveller._state.fields_cache["organisation"] = organisation[traveller.organisation_id]
    ids = [traveller.pk for traveller in loaded]
    visas = {
        visa.pk: visa
        for visa in _instances(Visa, VISA_COLUMNS, db, Visa.objects.filter(traveller_id__in=ids))
    }
    trips_of: dict[int, list[Trip]] = defaultdict(list)
    recent: dict[int, Trip] = {}
    rows = Trip.objects.filter(traveller_id__in=ids).order_by("entry", "pk")
    for trip in _instances(Trip, TRIP_COLUMNS, db, rows):
        if trip.visa_id is not None:
            trip._state.fields_cache["visa"] = visas[trip.visa_id]
        trips_of[trip.traveller_id].append(trip)
        if filings_may_matter(trip, on=on):  # the filings `findings.eqonaq_findings` reads
            recent[trip.pk] = trip
    for traveller in loaded:
        trips = trips_of[traveller.pk]
        for trip in trips:
            trip._state.fields_cache["traveller"] = traveller
        _give(traveller, "trips", trips)
    _read_filings(recent, db)
    return loaded


def _read_filings(trips: dict[int, Trip], db: str) -> None:
    """The notifications and address changes (with their notifications) of `trips`."""
    notifications: dict[int, list[Notification]] = defaultdict(list)
    of_change: dict[int, list[Notification]] = defaultdict(list)
    filed = Notification.objects.filter(trip_id__in=list(trips))
    for notification in _instances(Notification, NOTIFICATION_COLUMNS, db, filed):
        notification._state.fields_cache["trip"] = trips[notification.trip_id]
        notifications[notification.trip_id].append(notification)
        if notification.address_change_id is not None:
            of_change[notification.address_change_id].append(notification)
    changes: dict[int, list[AddressChange]] = defaultdict(list)
    moved = AddressChange.objects.filter(trip_id__in=list(trips))
    for change in _instances(AddressChange, ADDRESS_CHANGE_COLUMNS, db, moved):
        change._state.fields_cache["trip"] = trips[change.trip_id]
        _give(change, "notifications", of_change[change.pk])
        changes[change.trip_id].append(change)
    for pk, trip in trips.items():
        _give(trip, "notifications", notifications[pk])
        _give(trip, "address_changes", changes[pk])


def _instances(model, columns: Sequence[str], db: str, queryset):
    """Instances of `model` from `queryset`'s rows, as `Model.from_db` would make them, without
    running `__init__` per row (no model read here has init signals or defaults to apply)."""
    for values in queryset.values_list(*columns):
        instance = model.__new__(model)
        instance.__dict__.update(zip(columns, values, strict=True))
        state = instance._state = ModelState()
        state.adding = False
        state.db = db
        yield instance


def _give(instance: models.Model, relation: str, objects: list) -> None:
    """Hand `instance` its related `objects`, where a prefetch keeps them: `manager.all()`
    returns them from memory."""
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = objects
