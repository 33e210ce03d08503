"""Where HR's changes are saved: each one whole, with the traveller's figures refreshed with it.

Every create, update and delete of a trip, visa, address change or notification runs in one
transaction that also calls `snapshots.traveller_changed()`, so the status snapshot never
disagrees with the data, and a failure leaves both as they were. Views call these and nothing
else to save.

Each transaction first locks the traveller's row (`TravellerQuerySet.lock`) and validates the
form again under that lock: two saves for one traveller at the same moment run one after the
other, and the second is judged against what the first saved (an overlap, or a trip someone
changed meanwhile) with the form's own message, not a database error. The daily refresh takes
the same lock, so it never writes figures from data an edit is replacing.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, models, transaction
from django.db.models.deletion import ProtectedError
from django.forms import ModelForm
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from trips.delivery import webhooks
from trips.evaluation import snapshots
from trips.evaluation.stays import with_related
from trips.models import Traveller, Trip, Visa

# Travellers refreshed together after an import (their trips are read in one go).
IMPORT_BATCH = 500

CONFLICT = _lazy("Someone saved a conflicting change at the same time; try again.")


def _still_valid(form: ModelForm) -> bool:
    """Validate `form` again, now that the traveller's row is locked: what another request
    committed while this one waited for the lock is seen now."""
    form.full_clean()
    return form.is_valid()


def save_traveller(form: ModelForm, *, on: date) -> Traveller | None:
    """Save a valid TravellerForm; None (with the error on the form) if the database refused."""
    try:
        with transaction.atomic():
            if form.instance.pk is not None:
                Traveller.objects.filter(pk=form.instance.pk).lock()
                if not _still_valid(form):
                    return None
            traveller = form.save()
            snapshots.traveller_changed(traveller, on=on)
    except IntegrityError:
        form.add_error(None, CONFLICT)
        return None
    return traveller


def save_record[M: models.Model](form: ModelForm[M], traveller: Traveller, *, on: date) -> M | None:
    """Save a valid trip, visa, address change or notification form of `traveller`.

    Returns None, with a message on the form, when the database refuses what the form passed:
    another request saved an overlapping trip in between (the exclusion constraint catches it).
    """
    try:
        with transaction.atomic():
            Traveller.objects.filter(pk=traveller.pk).lock()
            if not _still_valid(form):
                return None
            new = form.instance.pk is None
            record = form.save()
            snapshots.traveller_changed(traveller, on=on)
            if isinstance(record, Trip):
                kind = webhooks.Kind.TRIP_CREATED if new else webhooks.Kind.TRIP_CHANGED
                trip_event(kind, traveller, record)
    except IntegrityError:
        form.add_error(None, CONFLICT)
        return None
    return record


def trip_event(kind: str, traveller: Traveller, trip: Trip) -> None:
    data = webhooks.trip_data(trip)
    webhooks.record(traveller.organisation_id, kind, traveller.pk, data)


def delete_record(record: models.Model, traveller: Traveller, *, on: date) -> str | None:
    """Delete one record of `traveller`; the reason in words if it may not be deleted."""
    try:
        with transaction.atomic():
            Traveller.objects.filter(pk=traveller.pk).lock()
            if isinstance(record, Trip):
                trip_event(webhooks.Kind.TRIP_DELETED, traveller, record)
            record.delete()
            snapshots.traveller_changed(traveller, on=on)
    except ProtectedError as error:
        count = len(error.protected_objects)
        return ngettext(
            "%(record)s is the stay basis of %(count)d trip; change that trip first.",
            "%(record)s is the stay basis of %(count)d trips; change those trips first.",
            count,
        ) % {
            "record": record,
            "count": count,
        }
    return None


def save_imported_trips(trips: list[Trip], *, by, on: date) -> None:
    """Save checked trips of many travellers at once, each traveller refreshed after.

    One transaction: an IntegrityError (the database's overlap rule) leaves nothing saved.
    The history records each trip as created by `by`, like a trip saved on its page.
    """
    with transaction.atomic():
        bulk_create_with_history(
            trips, Trip, batch_size=IMPORT_BATCH, default_user=by, default_change_reason="import"
        )
        ids = sorted({trip.traveller_id for trip in trips})
        for start in range(0, len(ids), IMPORT_BATCH):
            batch = Traveller.objects.filter(pk__in=ids[start : start + IMPORT_BATCH])
            snapshots.travellers_changed(with_related(batch), on=on)


def restore_trip(traveller: Traveller, trip_pk: int, *, by, on: date) -> tuple[Trip | None, str]:
    """Bring back `traveller`'s deleted trip `trip_pk` as it was when deleted, recorded in the
    history as restored by `by`; the trip, or None and the reason in words."""
    record = (
        Trip.history.filter(id=trip_pk, traveller_id=traveller.pk, history_type="-")
        .order_by("-history_date", "-history_id")
        .first()
    )
    if record is None:
        return None, str(_lazy("No deleted trip of this traveller has this number."))
    if Trip.objects.filter(pk=trip_pk).exists():
        return None, str(_lazy("This trip was restored already."))
    trip = record.instance
    if trip.visa_id is not None and not Visa.objects.filter(pk=trip.visa_id).exists():
        trip.visa = None  # the visa was deleted since: the trip comes back without it
    trip._history_user = by
    trip._change_reason = "restore"
    overlap = _lazy("The trip overlaps a trip saved since it was deleted; change that one first.")
    try:
        with transaction.atomic():
            Traveller.objects.filter(pk=traveller.pk).lock()
            if trip.conflicting_trips():  # SQLite has no exclusion constraint to say so
                return None, str(overlap)
            trip.save(force_insert=True)
            snapshots.traveller_changed(traveller, on=on)
    except IntegrityError:
        return None, str(overlap)
    return trip, ""
