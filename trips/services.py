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

from . import snapshots
from .models import Traveller


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
