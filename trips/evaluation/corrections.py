"""A traveller's own records: the planned exit of the current stay, and proposed corrections
of recorded trips, which HR accepts (through HR's own trip form) or rejects.

Each save runs through `services`, so the history names who did it and the status snapshot
and the alerts follow at once. The traveller hears of HR's decision, and HR of a proposal,
by email from the worker (`trips.delivery.corrections`).
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trips.delivery import corrections as mail
from trips.evaluation import services
from trips.models import Traveller, Trip, TripCorrection


def set_planned_exit(trip_form, *, by_traveller: bool, on: date) -> Trip | None:
    """Save the current stay's planned exit (a `forms.PlannedExitForm.trip_form()`), marked as
    the traveller's when they set it. None, with the error on the form, if it may not be."""
    trip_form.instance.traveller_planned = by_traveller
    trip_form.instance._change_reason = "planned exit"
    return services.save_record(trip_form, trip_form.instance.traveller, on=on)


def save_plan(new_trip_form, traveller: Traveller, exit_form, *, by_traveller: bool, on: date):
    """A planned trip from the planner, and from inside a country the planned exit of the
    current stay it assumed (`exit_form`, a valid `PlannedExitForm`): both or neither.

    `new_trip_form()` makes the planned trip's form; it is validated once the exit is saved.
    Returns the trip form, with its errors when nothing was saved.
    """
    with transaction.atomic():
        if exit_form is not None and exit_form.trip.exit != exit_form.cleaned_data["exit"]:
            ended = exit_form.trip_form()
            if not ended.is_valid() or not set_planned_exit(
                ended, by_traveller=by_traveller, on=on
            ):
                return ended
        trip_form = new_trip_form()
        if trip_form.is_valid():
            trip_form.instance.traveller_planned = by_traveller
            if trip_form.instance.exit is None:
                trip_form.add_error("exit", _("A planned trip needs an exit date."))
            elif trip_form.instance.entry <= on:
                trip_form.add_error("entry", _("You may only plan trips that start after today."))
            elif services.save_record(trip_form, traveller, on=on) is not None:
                return trip_form
        transaction.set_rollback(True)  # the exit goes with the plan
    return trip_form


def propose(form, *, by, on: date) -> TripCorrection | None:
    """Store a valid `TripCorrectionForm` as a proposal for HR; None if one is already waiting."""
    form.instance.proposed_by = by
    try:
        with transaction.atomic():
            correction = form.save()
    except IntegrityError:
        form.add_error(None, _("This trip already has a correction waiting for HR."))
        return None
    transaction.on_commit(lambda: mail.send_correction_mail.enqueue(correction.pk))
    return correction


def accept(correction: TripCorrection, trip_form, *, by, on: date) -> bool:
    """Apply the proposal through HR's trip form (`forms.trip_form_with`); False, with the
    reason on the form, when the trip as proposed is no longer valid (nothing is saved)."""
    traveller: Traveller = correction.trip.traveller
    trip_form.instance._change_reason = f"correction {correction.pk}"
    with transaction.atomic():
        if services.save_record(trip_form, traveller, on=on) is None:
            return False
        _decide(correction, TripCorrection.State.ACCEPTED, by=by, answer="")
    return True


def reject(correction: TripCorrection, *, by, answer: str) -> None:
    with transaction.atomic():
        _decide(correction, TripCorrection.State.REJECTED, by=by, answer=answer)


def _decide(correction: TripCorrection, state: str, *, by, answer: str) -> None:
    correction.state = state
    correction.decided_by = by
    correction.decided_at = timezone.now()
    correction.answer = answer
    correction.save(update_fields=["state", "decided_by", "decided_at", "answer"])
    transaction.on_commit(lambda: mail.send_correction_mail.enqueue(correction.pk))
