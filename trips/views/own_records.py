"""What a traveller records themselves: the planned exit of the stay they are on, and proposed
corrections of recorded trips, which HR accepts or rejects on the traveller page.

Planned data counts at once, marked as the traveller's; a correction of the past waits for HR.
Every save goes through HR's own trip form (`forms.trip_form_with`) and `services`.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from trips import access
from trips.dates import day
from trips.evaluation import corrections
from trips.evaluation.current_stay import stay_on
from trips.forms import PlannedExitForm, TripCorrectionForm, TripForm, trip_form_with
from trips.models import Evidence, Traveller, Trip, TripCorrection


def plan_check(user):
    """A traveller may add and move only planned trips (access.can_edit_trip), marked theirs."""

    def check(form: ModelForm, today: date) -> None:
        if not access.can_edit_trip(user, form.instance, on=today):
            form.add_error("entry", _("You may only plan trips that start after today."))
        elif form.instance.exit is None and form.instance.is_planned(on=today):
            # The engine counts an open stay up to today; one that starts later has no length.
            form.add_error("exit", _("A planned trip needs an exit date."))
        form.instance.traveller_planned = access.is_traveller(user)

    return check


def own_context(user, traveller: Traveller, trips: list[Trip], *, on: date) -> dict:
    """What the traveller page shows of the traveller's own records and HR's decisions."""
    current = next((t for t in trips if access.is_current(t, on=on)), None)
    return {
        "current_trip": current,
        "can_set_exit": current is not None and access.can_set_planned_exit(user, current, on=on),
        "address_trip_pk": (
            current.pk
            if current is not None and access.can_record_address_change(user, current, on=on)
            else None
        ),
        "corrections": TripCorrection.objects.filter(trip__traveller=traveller)
        .select_related("trip", "proposed_by", "decided_by")
        .order_by("-proposed_at")[:20],
        "can_decide": access.can_decide_corrections(user, traveller),
        "evidence": Evidence.objects.filter(traveller=traveller).select_related(
            "trip", "visa", "notification"
        ),
        "can_attach": access.can_attach_evidence_to_some(user, traveller),
    }


def _errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@require_POST
def current_exit(request: HttpRequest, pk: int) -> HttpResponse:
    """Set the planned exit of the stay the traveller is on."""
    traveller = access.get_visible_traveller(request.user, pk)
    today = timezone.localdate()
    trip = stay_on(traveller, on=today)
    if trip is None:
        raise PermissionDenied  # as access.require refuses: no stay to end
    access.require(access.can_set_planned_exit(request.user, trip, on=today))
    form = PlannedExitForm(request.POST, trip=trip, on=today)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect(traveller)
    trip_form = form.trip_form()
    by_traveller = access.is_traveller(request.user)
    if trip_form.is_valid() and corrections.set_planned_exit(
        trip_form, by_traveller=by_traveller, on=today
    ):
        messages.success(
            request, _("Planned exit saved: %(day)s.") % {"day": day(form.cleaned_data["exit"])}
        )
    else:
        messages.error(request, _errors(trip_form))
    return redirect(traveller)


@require_POST
def plan_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save a plan from the planner: from inside a country, with the exit of the current stay
    that the plan assumed (both or neither, each through HR's own form)."""
    traveller = access.get_visible_traveller(request.user, pk)
    access.require(access.can_plan_trips(request.user, traveller))
    today = timezone.localdate()
    current = stay_on(traveller, on=today)
    exit_form = None
    if current is not None and request.POST.get("current_exit"):
        access.require(access.can_set_planned_exit(request.user, current, on=today))
        exit_form = PlannedExitForm({"exit": request.POST["current_exit"]}, trip=current, on=today)
        if not exit_form.is_valid():
            messages.error(request, _errors(exit_form))
            return redirect(traveller)
    by_traveller = access.is_traveller(request.user)
    trip_form = corrections.save_plan(
        lambda: TripForm(request.POST, traveller=traveller),
        traveller,
        exit_form,
        by_traveller=by_traveller,
        on=today,
    )
    if trip_form.errors:
        messages.error(request, _errors(trip_form))
    else:
        messages.success(request, _("Saved."))
    return redirect(traveller)


@require_http_methods(["GET", "POST"])
def correction_create(request: HttpRequest, pk: int, trip_pk: int) -> HttpResponse:
    """A traveller proposes a correction of a recorded trip; HR decides."""
    traveller = access.get_visible_traveller(request.user, pk)
    trip = get_object_or_404(traveller.trips.select_related("traveller"), pk=trip_pk)
    today = timezone.localdate()
    access.require(access.can_propose_correction(request.user, trip, on=today))
    form = TripCorrectionForm(request.POST or None, trip=trip)
    if (
        request.method == "POST"
        and form.is_valid()
        and corrections.propose(form, by=request.user, on=today)
    ):
        messages.success(request, _("Your correction was sent to HR."))
        return redirect(traveller)
    context = {"traveller": traveller, "trip": trip, "form": form}
    return render(request, "trips/correction_form.html", context)


@require_POST
def correction_decide(request: HttpRequest, pk: int, correction_pk: int) -> HttpResponse:
    """HR accepts a proposed correction (through HR's trip form) or rejects it."""
    traveller = access.get_visible_traveller(request.user, pk)
    access.require(access.can_decide_corrections(request.user, traveller))
    correction = get_object_or_404(
        TripCorrection.objects.select_related("trip__traveller"),
        pk=correction_pk,
        trip__traveller=traveller,
        state=TripCorrection.State.PROPOSED,
    )
    decision = request.POST.get("decision")
    if decision == "accept":
        trip_form = trip_form_with(
            correction.trip,
            country=correction.country,
            entry=correction.entry,
            exit=correction.exit,
        )
        accepted = trip_form.is_valid() and corrections.accept(
            correction, trip_form, by=request.user, on=timezone.localdate()
        )
        if accepted:
            messages.success(request, _("Correction accepted: the trip is changed."))
        else:
            messages.error(
                request,
                _("The correction no longer fits: %(errors)s") % {"errors": _errors(trip_form)},
            )
    elif decision == "reject":
        corrections.reject(
            correction, by=request.user, answer=request.POST.get("answer", "")[:2000]
        )
        messages.success(request, _("Correction rejected; the traveller is told."))
    else:
        messages.error(request, _("Choose to accept or to reject the correction."))
    return redirect(traveller)


TRAVELLER = "travellers/<int:pk>/"

urlpatterns = [
    path(f"{TRAVELLER}current-exit/", current_exit, name="current_exit"),
    path(f"{TRAVELLER}plan/save/", plan_save, name="plan_save"),
    path(
        f"{TRAVELLER}trips/<int:trip_pk>/correction/", correction_create, name="correction_create"
    ),
    path(
        f"{TRAVELLER}corrections/<int:correction_pk>/decide/",
        correction_decide,
        name="correction_decide",
    ),
]
