"""A traveller's trips: list, create, update, delete.

Every write goes through `TripForm` (so the model's `clean()` and constraints speak, with the
words of the HR pages) and `services.save_record` / `delete_record`, which refresh the status
snapshot in the same transaction and the alerts after it.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Path, Query, Router

from trips.api.auth import attribute, require_write
from trips.api.common import IDEMPOTENCY_PARAMETER, PageQuery, created, form_data, page_of, sent
from trips.api.errors import Errors, fail, invalid
from trips.api.idempotency import once
from trips.api.schemas import QueryId, TripChange, TripCreate, TripOut, TripPage
from trips.api.sync import changed_trips
from trips.api.travellers import TravellerId, get_traveller
from trips.evaluation import services
from trips.forms import TripForm
from trips.http import ApiRequest
from trips.models import Traveller, Trip

router = Router(tags=["trips"])
FIELDS = TripForm.Meta.fields
WRITE_ERRORS = {403: Errors, 404: Errors, 409: Errors, 422: Errors}
TripId = Path[QueryId]


def trip_json(trip: Trip) -> dict:
    return {
        "id": trip.pk,
        "traveller": trip.traveller_id,
        "country": trip.country,
        "entry": trip.entry,
        "exit": trip.exit,
        "purpose": trip.purpose,
        "visa": trip.visa_id,
        "host": trip.host,
        "address": trip.address,
        "notes": trip.notes,
    }


def _trip(traveller: Traveller, trip_pk: int) -> Trip:
    return get_object_or_404(traveller.trips, pk=trip_pk)


def _save(request: ApiRequest, traveller: Traveller, trip: Trip, sent: dict) -> Trip:
    token = require_write(request)
    form = TripForm(form_data(trip, FIELDS, sent), instance=trip, traveller=traveller)
    if not form.is_valid():
        raise invalid(form)
    attribute(form.instance, token)
    saved = services.save_record(form, traveller, on=timezone.localdate())
    if saved is None:
        raise invalid(form)
    return saved


@router.get(
    "/travellers/{pk}/trips",
    response={200: TripPage, 404: Errors},
    summary="A traveller's trips",
    operation_id="listTrips",
)
def trip_list(request: ApiRequest, pk: TravellerId, paging: Query[PageQuery]):
    """Newest first; with `updated_since`, by id, only those changed since then."""
    traveller = get_traveller(request, pk)
    trips: QuerySet[Trip] = traveller.trips.order_by("-entry", "-pk")
    deleted: set[int] = set()
    if paging.updated_since is not None:
        trips, deleted = changed_trips(traveller, paging.updated_since)
    return page_of(request, trips, paging, trip_json, deleted)


@router.post(
    "/travellers/{pk}/trips",
    response={201: TripOut, **WRITE_ERRORS},
    summary="Record a trip",
    operation_id="createTrip",
    openapi_extra=IDEMPOTENCY_PARAMETER,
)
def trip_create(request: ApiRequest, pk: TravellerId, payload: TripCreate):
    traveller = get_traveller(request, pk)
    require_write(request)

    def create():
        trip = _save(request, traveller, Trip(), sent(payload))
        return 201, trip_json(trip)

    return created(*once(request, create))


@router.get(
    "/travellers/{pk}/trips/{trip_pk}",
    response={200: TripOut, 404: Errors},
    summary="A trip",
    operation_id="getTrip",
)
def trip_detail(request: ApiRequest, pk: TravellerId, trip_pk: TripId):
    return trip_json(_trip(get_traveller(request, pk), trip_pk))


@router.patch(
    "/travellers/{pk}/trips/{trip_pk}",
    response={200: TripOut, **WRITE_ERRORS},
    summary="Change a trip",
    operation_id="changeTrip",
)
def trip_update(request: ApiRequest, pk: TravellerId, trip_pk: TripId, payload: TripChange):
    """Only the fields sent change; send `"exit": null` for a trip that has not ended."""
    traveller = get_traveller(request, pk)
    trip = _trip(traveller, trip_pk)
    return trip_json(_save(request, traveller, trip, sent(payload)))


@router.delete(
    "/travellers/{pk}/trips/{trip_pk}",
    response={204: None, 403: Errors, 404: Errors, 409: Errors},
    summary="Delete a trip",
    operation_id="deleteTrip",
)
def trip_delete(request: ApiRequest, pk: TravellerId, trip_pk: TripId):
    traveller = get_traveller(request, pk)
    trip = _trip(traveller, trip_pk)
    token = require_write(request)
    attribute(trip, token)
    refused = services.delete_record(trip, traveller, on=timezone.localdate())
    if refused:
        raise fail(409, "protected", refused)
    return HttpResponse(status=204)
