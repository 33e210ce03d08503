"""Travellers: list (filtered, a page at a time), read, create, update, deactivate.

Every write goes through `TravellerForm` and `services.save_traveller`, as on the HR pages.
"""

from __future__ import annotations

from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema

from trips import access
from trips.api.auth import attribute, require_write
from trips.api.common import (
    IDEMPOTENCY_PARAMETER,
    PageQuery,
    created,
    form_data,
    page_of,
    sent,
)
from trips.api.errors import Errors, invalid
from trips.api.idempotency import once
from trips.api.schemas import (
    QueryId,
    StatusCode,
    TravellerChange,
    TravellerCreate,
    TravellerOut,
    TravellerPage,
)
from trips.api.sync import changed_travellers
from trips.evaluation import services
from trips.forms import TravellerForm
from trips.http import ApiRequest
from trips.models import Traveller

router = Router(tags=["travellers"])
FIELDS = TravellerForm.Meta.fields
WRITE_ERRORS = {403: Errors, 404: Errors, 422: Errors}


class TravellerFilters(Schema):
    q: str = Field("", description="Searches name, employee number and email.")
    status: StatusCode | None = Field(None, description="Only travellers with this status.")
    active: bool | None = None
    employee_number: str = ""


def traveller_json(traveller: Traveller) -> dict:
    snapshot = getattr(traveller, "snapshot", None)
    return {
        "id": traveller.pk,
        "name": traveller.name,
        "email": traveller.email,
        "employee_number": traveller.employee_number,
        "citizenship": traveller.citizenship,
        "hr_owner": traveller.hr_owner_id,
        "language": traveller.language,
        "active": traveller.active,
        "status": snapshot.status if snapshot else None,
    }


def get_traveller(request: ApiRequest, pk: int) -> Traveller:
    """The token's organisation's traveller `pk`; anyone else's is a 404."""
    return access.get_token_traveller(request.auth, pk)


@router.get(
    "/travellers", response=TravellerPage, summary="List travellers", operation_id="listTravellers"
)
def traveller_list(request: ApiRequest, filters: Query[TravellerFilters], paging: Query[PageQuery]):
    """By name; with `updated_since`, by id, only those changed since then."""
    travellers = (
        access.token_travellers(request.auth)
        .search(filters.q)
        .with_status(filters.status or "")
        .select_related("snapshot")
    )
    if filters.active is not None:
        travellers = travellers.filter(active=filters.active)
    if "\x00" in filters.employee_number:
        # No stored text holds a NUL (PostgreSQL cannot store one): it matches nobody.
        travellers = travellers.none()
    elif filters.employee_number:
        travellers = travellers.filter(employee_number=filters.employee_number)
    deleted: set[int] = set()
    if paging.updated_since is not None:
        travellers, deleted = changed_travellers(
            travellers, request.auth.organisation_id, paging.updated_since
        )
    return page_of(request, travellers, paging, traveller_json, deleted)


TravellerId = Path[QueryId]


@router.get(
    "/travellers/{pk}",
    response={200: TravellerOut, 404: Errors},
    summary="A traveller",
    operation_id="getTraveller",
)
def traveller_detail(request: ApiRequest, pk: TravellerId):
    return traveller_json(get_traveller(request, pk))


def _save(request: ApiRequest, traveller: Traveller, sent: dict) -> Traveller:
    token = require_write(request)
    form = TravellerForm(
        form_data(traveller, FIELDS, sent),
        instance=traveller,
        organisation=token.organisation,
    )
    if not form.is_valid():
        raise invalid(form)
    attribute(form.instance, token)
    saved = services.save_traveller(form, on=timezone.localdate())
    if saved is None:
        raise invalid(form)
    return saved


@router.post(
    "/travellers",
    response={201: TravellerOut, 403: Errors, 422: Errors},
    summary="Create a traveller",
    operation_id="createTraveller",
    openapi_extra=IDEMPOTENCY_PARAMETER,
)
def traveller_create(request: ApiRequest, payload: TravellerCreate):
    require_write(request)

    def create():
        traveller = _save(request, Traveller(), sent(payload))
        return 201, traveller_json(traveller)

    return created(*once(request, create))


@router.patch(
    "/travellers/{pk}",
    response={200: TravellerOut, **WRITE_ERRORS},
    summary="Change a traveller",
    operation_id="changeTraveller",
)
def traveller_update(request: ApiRequest, pk: TravellerId, payload: TravellerChange):
    """Only the fields sent change."""
    traveller = get_traveller(request, pk)
    return traveller_json(_save(request, traveller, sent(payload)))


@router.post(
    "/travellers/{pk}/deactivate",
    response={200: TravellerOut, **WRITE_ERRORS},
    summary="Deactivate a traveller",
    operation_id="deactivateTraveller",
)
def traveller_deactivate(request: ApiRequest, pk: TravellerId):
    """An inactive traveller keeps every record but leaves the dashboard."""
    traveller = get_traveller(request, pk)
    return traveller_json(_save(request, traveller, {"active": False}))
