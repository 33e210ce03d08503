"""Deleting a trip, and bringing it back: offered by the message that confirms the deletion
and by the traveller's history (trips/evaluation/services.py, `restore_trip`, does it)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from trips import access
from trips.evaluation import services
from trips.http import StaysiteRequest
from trips.models import Trip
from trips.views.travellers import (
    TRIP_PATH,
    changed,
    delete_record,
    editable_traveller,
    trip_of,
)


@require_http_methods(["GET", "POST"])
def trip_restore(request: StaysiteRequest, pk: int, trip_pk: int) -> HttpResponse:
    """A deleted trip back as it was: asked on GET, done on POST."""
    traveller = editable_traveller(request, pk)
    if request.method == "GET":
        context = {"traveller": traveller, "action": request.path}
        return render(request, "trips/confirm_restore.html", context)
    trip, error = services.restore_trip(
        traveller, trip_pk, by=request.user, on=timezone.localdate()
    )
    if trip is None:
        messages.error(request, error)
        return redirect(traveller)
    return changed(request, traveller, _("Restored %(record)s.") % {"record": trip})


def deleted(traveller, record) -> str:
    """The message confirming `record`'s deletion (taken before it is deleted): for a trip,
    with the link that brings it back."""
    message = _("Deleted %(record)s.") % {"record": record}
    if not isinstance(record, Trip):
        return message
    url = reverse("trips:trip_restore", args=[traveller.pk, record.pk])
    return format_html('{} <a href="{}">{}</a>', message, url, _("Restore it"))


@require_http_methods(["GET", "POST"])
def trip_delete(request: StaysiteRequest, pk: int, trip_pk: int) -> HttpResponse:
    traveller = access.get_visible_traveller(request.user, pk)
    trip = trip_of(traveller, trip_pk)
    access.require(access.can_edit_trip(request.user, trip, on=timezone.localdate()))
    action = reverse("trips:trip_delete", args=[pk, trip_pk])
    return delete_record(request, traveller, trip, action=action, message=deleted(traveller, trip))


urlpatterns = [
    path(f"{TRIP_PATH}delete/", trip_delete, name="trip_delete"),
    path(f"{TRIP_PATH}restore/", trip_restore, name="trip_restore"),
]
