"""HR pages: travellers, their trips, visas, address changes and eQonaq notifications.

Every change works twice: as a plain form with Post/Redirect/Get, and in place with htmx (the
form loads into its table, a valid save swaps the records and sends `HX-Trigger:
traveller-changed`, on which the status panel and the history reload themselves).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import models
from django.forms import ModelForm
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget
from django_stubs_ext import StrOrPromise

from trips import access
from trips.choices import Status
from trips.dashboard.rows import list_rows
from trips.evaluation import findings, services, stays
from trips.forms import AddressChangeForm, NotificationForm, TravellerForm, TripForm, VisaForm
from trips.http import StaysiteRequest
from trips.models import AddressChange, Notification, Traveller, Trip, Visa
from trips.views.own_records import own_context, plan_check
from trips.views.planner import page_context
from trips.words import audit, long_history

DETAIL = "trips/traveller_detail.html"
RECORD_FORM = "trips/traveller_record_form.html"
PER_PAGE = 25
DETAIL_PARTS = {"records", "history"}

PHASES = {
    "past": gettext_lazy("Past"),
    "current": gettext_lazy("Current"),
    "planned": gettext_lazy("Planned"),
}


@dataclass(frozen=True)
class TripRow:
    trip: Trip
    phase: str
    editable: bool
    correctable: bool = False  # the traveller may propose a correction to HR

    @property
    def phase_label(self) -> str:
        return str(PHASES[self.phase])


# --- Travellers ----------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def traveller_list(request: StaysiteRequest) -> HttpResponse:
    access.require(access.can_manage_travellers(request.user))
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    travellers = access.visible_travellers(request.user).search(query).with_status(status)
    travellers = travellers.select_related("snapshot")
    page = Paginator(travellers, PER_PAGE).get_page(request.GET.get("page"))
    template = "trips/traveller_list.html"
    rows = list_rows(page)
    context = {"page": page, "rows": rows, "q": query, "status": status, "statuses": Status.choices}
    return render(request, f"{template}#traveller-table" if request.htmx else template, context)


@require_http_methods(["GET", "POST"])
def traveller_create(request: StaysiteRequest) -> HttpResponse:
    access.require(access.can_manage_travellers(request.user))
    form = TravellerForm(request.POST or None, organisation=request.user.organisation)
    if request.method == "POST" and form.is_valid():
        traveller = services.save_traveller(form, on=timezone.localdate())
        if traveller is not None:
            messages.success(request, _("Added %(name)s.") % {"name": traveller.name})
            return redirect(traveller)
    return render(request, "trips/traveller_form.html", {"form": form, "traveller": None})


@require_http_methods(["GET", "POST"])
def traveller_update(request: StaysiteRequest, pk: int) -> HttpResponse:
    traveller = access.get_visible_traveller(request.user, pk)
    access.require(access.can_edit_traveller(request.user, traveller))
    form = TravellerForm(
        request.POST or None, instance=traveller, organisation=traveller.organisation
    )
    saved = (
        request.method == "POST"
        and form.is_valid()
        and services.save_traveller(form, on=timezone.localdate())
    )
    if saved:
        messages.success(request, _("Saved %(name)s.") % {"name": traveller.name})
        return redirect(traveller)
    return render(request, "trips/traveller_form.html", {"form": form, "traveller": traveller})


@require_GET
@vary_on_headers("HX-Request")
def traveller_detail(request: StaysiteRequest, pk: int) -> HttpResponse:
    traveller = access.get_visible_traveller(request.user, pk)
    part = request.GET.get("part", "")
    context = detail_context(request, traveller, on=timezone.localdate())
    if part == "history":
        access.require(access.can_see_history(request.user))
    if request.htmx and part in DETAIL_PARTS:
        return render(request, f"{DETAIL}#{part}", context)
    return render(request, DETAIL, context)


@require_GET
def traveller_status(request: StaysiteRequest, pk: int) -> HttpResponse:
    traveller = access.get_visible_traveller(request.user, pk)
    today = timezone.localdate()
    status = findings.evaluate(traveller, on=today)
    context = {"traveller": traveller, "status": status, "today": today}
    context |= page_context(status)  # the status cards with their explanations
    return render(request, "trips/status_panel.html", context)


def detail_context(request: StaysiteRequest, traveller: Traveller, *, on: date) -> dict:
    user = request.user
    trips = long_history.trips_of(traveller)
    listed, earlier_trips = long_history.trips_listed(request, trips)
    cards = long_history.filing_cards(request, trips, on=on)
    long_history.read_filings(trips, cards["eqonaq_trips"], on=on)
    stays.with_trips(traveller, trips)  # evaluated below from these, not read again
    rows = [
        TripRow(t, phase(t, on=on), access.can_edit_trip(user, t, on=on), correctable(user, t, on))
        for t in listed
    ]
    can_see_history = access.can_see_history(user)
    status = findings.evaluate(traveller, on=on)
    return {
        "traveller": traveller,
        "today": on,
        "status": status,
        "trip_rows": rows,
        "earlier_trips": earlier_trips,
        **cards,
        **long_history.show_all_urls(request, traveller),
        "visas": traveller.visas.all(),
        "can_edit": access.can_edit_traveller(user, traveller),
        "can_plan": access.can_plan_trips(user, traveller),
        "can_see_history": can_see_history,
        "history": audit.traveller_history(traveller) if can_see_history else [],
        **page_context(status),  # the status cards and the planner
        **own_context(user, traveller, trips, on=on),  # the traveller's own records
    }


def correctable(user, trip: Trip, on: date) -> bool:
    return access.can_propose_correction(user, trip, on=on)


def phase(trip: Trip, *, on: date) -> str:
    if trip.is_planned(on=on):
        return "planned"
    if trip.exit is not None and trip.exit < on:
        return "past"
    return "current"


# --- Records of a traveller: one pattern for trips, visas, address changes, notifications ---


@dataclass(frozen=True)
class Kind:
    """What the record views need to know about one kind of record."""

    name: str  # URL name prefix and element ids: "trip", "visa", ...
    title_new: StrOrPromise  # lazy: translated when a page shows it
    title_edit: StrOrPromise
    colspan: int


TRIP = Kind("trip", gettext_lazy("Add a trip"), gettext_lazy("Edit the trip"), 8)
VISA = Kind("visa", gettext_lazy("Add a visa or permit"), gettext_lazy("Edit the visa"), 6)
ADDRESS_CHANGE = Kind(
    "address_change",
    gettext_lazy("Add an address change"),
    gettext_lazy("Edit the address change"),
    3,
)
NOTIFICATION = Kind(
    "notification",
    gettext_lazy("Add an eQonaq notification"),
    gettext_lazy("Edit the eQonaq notification"),
    5,
)


def changed(request: StaysiteRequest, traveller: Traveller, message: str) -> HttpResponse:
    """After a change: the fresh records in place (htmx), or back to the page (PRG)."""
    if request.htmx:
        context = detail_context(request, traveller, on=timezone.localdate())
        response = render(request, f"{DETAIL}#records", context)
        response["HX-Trigger"] = "traveller-changed"
        return response
    messages.success(request, message)
    return redirect(traveller)


def edit_record(
    request: StaysiteRequest,
    traveller: Traveller,
    form: ModelForm,
    kind: Kind,
    *,
    action: str,
    check=None,
) -> HttpResponse:
    """Show `form`, or save it through services when valid (and `check` adds no error)."""
    today = timezone.localdate()
    if request.method == "POST" and form.is_valid():
        if check is not None:
            check(form, today)
        if not form.errors and services.save_record(form, traveller, on=today) is not None:
            return changed(request, traveller, _("Saved."))
    instance = form.instance
    row_id = f"{kind.name}-form-{instance.pk or 'new'}"
    context = {
        "form": form,
        "traveller": traveller,
        "kind": kind,
        "title": kind.title_edit if instance.pk else kind.title_new,
        "action": action,
        "row_id": row_id,
    }
    if not request.htmx:
        return render(request, RECORD_FORM, context)
    response = render(request, f"{RECORD_FORM}#form-row", context)
    if request.method == "POST":
        # The form posts to #records; an invalid one goes back where it was, with its errors.
        response = reswap(retarget(response, f"#{row_id}"), "outerHTML")
    return response


def delete_record(
    request: StaysiteRequest, traveller: Traveller, record: models.Model, *, action: str, message=""
) -> HttpResponse:
    if request.method == "GET":
        context = {"traveller": traveller, "record": record, "action": action}
        return render(request, "trips/confirm_delete.html", context)
    message = message or _("Deleted %(record)s.") % {"record": record}  # before it is gone
    error = services.delete_record(record, traveller, on=timezone.localdate())
    if error is None:
        return changed(request, traveller, message)
    if request.htmx:
        context = detail_context(request, traveller, on=timezone.localdate())
        return render(request, f"{DETAIL}#records", {**context, "records_error": error})
    messages.error(request, error)
    return redirect(traveller)


def editable_traveller(request: StaysiteRequest, pk: int) -> Traveller:
    traveller = access.get_visible_traveller(request.user, pk)
    access.require(access.can_edit_traveller(request.user, traveller))
    return traveller


def trip_of(traveller: Traveller, trip_pk: int) -> Trip:
    return get_object_or_404(traveller.trips.select_related("traveller"), pk=trip_pk)


# --- Trips ---


@require_http_methods(["GET", "POST"])
def trip_create(request: StaysiteRequest, pk: int) -> HttpResponse:
    traveller = access.get_visible_traveller(request.user, pk)
    access.require(access.can_plan_trips(request.user, traveller))
    form = TripForm(request.POST or None, traveller=traveller)
    action = reverse("trips:trip_create", args=[pk])
    return edit_record(
        request, traveller, form, TRIP, action=action, check=plan_check(request.user)
    )


@require_http_methods(["GET", "POST"])
def trip_update(request: StaysiteRequest, pk: int, trip_pk: int) -> HttpResponse:
    traveller = access.get_visible_traveller(request.user, pk)
    trip = trip_of(traveller, trip_pk)
    access.require(access.can_edit_trip(request.user, trip, on=timezone.localdate()))
    form = TripForm(request.POST or None, instance=trip, traveller=traveller)
    action = reverse("trips:trip_update", args=[pk, trip_pk])
    return edit_record(
        request, traveller, form, TRIP, action=action, check=plan_check(request.user)
    )


# --- Visas ---


def visa_of(traveller: Traveller, visa_pk: int) -> Visa:
    return get_object_or_404(traveller.visas, pk=visa_pk)


@require_http_methods(["GET", "POST"])
def visa_create(request: StaysiteRequest, pk: int) -> HttpResponse:
    traveller = editable_traveller(request, pk)
    form = VisaForm(request.POST or None, traveller=traveller)
    return edit_record(
        request, traveller, form, VISA, action=reverse("trips:visa_create", args=[pk])
    )


@require_http_methods(["GET", "POST"])
def visa_update(request: StaysiteRequest, pk: int, visa_pk: int) -> HttpResponse:
    traveller = editable_traveller(request, pk)
    visa = visa_of(traveller, visa_pk)
    form = VisaForm(request.POST or None, instance=visa, traveller=traveller)
    action = reverse("trips:visa_update", args=[pk, visa_pk])
    return edit_record(request, traveller, form, VISA, action=action)


@require_http_methods(["GET", "POST"])
def visa_delete(request: StaysiteRequest, pk: int, visa_pk: int) -> HttpResponse:
    traveller = editable_traveller(request, pk)
    visa = visa_of(traveller, visa_pk)
    action = reverse("trips:visa_delete", args=[pk, visa_pk])
    return delete_record(request, traveller, visa, action=action)


# --- Address changes ---


def address_change_of(trip: Trip, change_pk: int) -> AddressChange:
    return get_object_or_404(trip.address_changes, pk=change_pk)


@require_http_methods(["GET", "POST"])
def address_change_create(request: StaysiteRequest, pk: int, trip_pk: int) -> HttpResponse:
    traveller = access.get_visible_traveller(request.user, pk)
    trip = trip_of(traveller, trip_pk)
    access.require(access.can_record_address_change(request.user, trip, on=timezone.localdate()))
    form = AddressChangeForm(request.POST or None, trip=trip)
    form.instance.recorded_by_traveller = access.is_traveller(request.user)
    action = reverse("trips:address_change_create", args=[pk, trip_pk])
    return edit_record(request, traveller, form, ADDRESS_CHANGE, action=action)


@require_http_methods(["GET", "POST"])
def address_change_update(
    request: StaysiteRequest, pk: int, trip_pk: int, change_pk: int
) -> HttpResponse:
    traveller = editable_traveller(request, pk)
    trip = trip_of(traveller, trip_pk)
    change = address_change_of(trip, change_pk)
    form = AddressChangeForm(request.POST or None, instance=change, trip=trip)
    action = reverse("trips:address_change_update", args=[pk, trip_pk, change_pk])
    return edit_record(request, traveller, form, ADDRESS_CHANGE, action=action)


@require_http_methods(["GET", "POST"])
def address_change_delete(
    request: StaysiteRequest, pk: int, trip_pk: int, change_pk: int
) -> HttpResponse:
    traveller = editable_traveller(request, pk)
    change = address_change_of(trip_of(traveller, trip_pk), change_pk)
    action = reverse("trips:address_change_delete", args=[pk, trip_pk, change_pk])
    return delete_record(request, traveller, change, action=action)


# --- eQonaq notifications ---


def notification_of(trip: Trip, notification_pk: int) -> Notification:
    return get_object_or_404(trip.notifications, pk=notification_pk)


@require_http_methods(["GET", "POST"])
def notification_create(request: StaysiteRequest, pk: int, trip_pk: int) -> HttpResponse:
    traveller = editable_traveller(request, pk)
    trip = trip_of(traveller, trip_pk)
    initial = {"address": trip.address, "filed_on": trip.entry}
    form = NotificationForm(request.POST or None, trip=trip, initial=initial)
    action = reverse("trips:notification_create", args=[pk, trip_pk])
    return edit_record(request, traveller, form, NOTIFICATION, action=action)


@require_http_methods(["GET", "POST"])
def notification_update(
    request: StaysiteRequest, pk: int, trip_pk: int, notification_pk: int
) -> HttpResponse:
    traveller = editable_traveller(request, pk)
    trip = trip_of(traveller, trip_pk)
    notification = notification_of(trip, notification_pk)
    form = NotificationForm(request.POST or None, instance=notification, trip=trip)
    action = reverse("trips:notification_update", args=[pk, trip_pk, notification_pk])
    return edit_record(request, traveller, form, NOTIFICATION, action=action)


@require_http_methods(["GET", "POST"])
def notification_delete(
    request: StaysiteRequest, pk: int, trip_pk: int, notification_pk: int
) -> HttpResponse:
    traveller = editable_traveller(request, pk)
    notification = notification_of(trip_of(traveller, trip_pk), notification_pk)
    action = reverse("trips:notification_delete", args=[pk, trip_pk, notification_pk])
    return delete_record(request, traveller, notification, action=action)


TRAVELLER = "travellers/<int:pk>/"
TRIP_PATH = f"{TRAVELLER}trips/<int:trip_pk>/"
CHANGE_PATH = f"{TRIP_PATH}address-changes/<int:change_pk>/"
NOTIFICATION_PATH = f"{TRIP_PATH}notifications/<int:notification_pk>/"

urlpatterns = [
    path("travellers/", traveller_list, name="traveller_list"),
    path("travellers/new/", traveller_create, name="traveller_create"),
    path(TRAVELLER, traveller_detail, name="traveller_detail"),
    path(f"{TRAVELLER}edit/", traveller_update, name="traveller_update"),
    path(f"{TRAVELLER}status/", traveller_status, name="traveller_status"),
    path(f"{TRAVELLER}trips/new/", trip_create, name="trip_create"),
    path(f"{TRIP_PATH}edit/", trip_update, name="trip_update"),
    path(f"{TRAVELLER}visas/new/", visa_create, name="visa_create"),
    path(f"{TRAVELLER}visas/<int:visa_pk>/edit/", visa_update, name="visa_update"),
    path(f"{TRAVELLER}visas/<int:visa_pk>/delete/", visa_delete, name="visa_delete"),
    path(f"{TRIP_PATH}address-changes/new/", address_change_create, name="address_change_create"),
    path(f"{CHANGE_PATH}edit/", address_change_update, name="address_change_update"),
    path(f"{CHANGE_PATH}delete/", address_change_delete, name="address_change_delete"),
    path(f"{TRIP_PATH}notifications/new/", notification_create, name="notification_create"),
    path(f"{NOTIFICATION_PATH}edit/", notification_update, name="notification_update"),
    path(f"{NOTIFICATION_PATH}delete/", notification_delete, name="notification_delete"),
]
