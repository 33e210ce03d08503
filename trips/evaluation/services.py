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
from trips.models import Traveller, Trip

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


def save_record(form: ModelForm, traveller: Traveller, *, on: date) -> models.Model | None:
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
