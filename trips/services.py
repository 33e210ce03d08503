"""Where HR's changes are saved: each one whole, with the traveller's figures refreshed with it.

Every create, update and delete of a trip, visa, address change or notification runs in one
transaction that also calls `snapshots.traveller_changed()`, so the status snapshot never
disagrees with the data, and a failure leaves both as they were. Views call these and nothing
else to save.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, models, transaction
from django.db.models.deletion import ProtectedError
from django.forms import ModelForm
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from . import snapshots
from .models import Traveller, Trip
from .stays import with_related

# Travellers refreshed together after an import (their trips are read in one go).
IMPORT_BATCH = 500


def save_traveller(form: ModelForm, *, on: date) -> Traveller | None:
    """Save a valid TravellerForm; None (with the error on the form) if the database refused."""
    try:
        with transaction.atomic():
            traveller = form.save()
            snapshots.traveller_changed(traveller, on=on)
    except IntegrityError:
        form.add_error(None, _("Someone saved a conflicting change at the same time; try again."))
        return None
    return traveller


def save_record(form: ModelForm, traveller: Traveller, *, on: date) -> models.Model | None:
    """Save a valid trip, visa, address change or notification form of `traveller`.

    Returns None, with a message on the form, when the database refuses what the form passed:
    another request saved an overlapping trip in between (the exclusion constraint catches it).
    """
    try:
        with transaction.atomic():
            record = form.save()
            snapshots.traveller_changed(traveller, on=on)
    except IntegrityError:
        form.add_error(None, _("Someone saved a conflicting change at the same time; try again."))
        return None
    return record


def delete_record(record: models.Model, traveller: Traveller, *, on: date) -> str | None:
    """Delete one record of `traveller`; the reason in words if it may not be deleted."""
    try:
        with transaction.atomic():
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
