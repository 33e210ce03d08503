"""The alert queue: list, read, acknowledge, assign, resolve.

The same model methods as the review queue's pages (`Alert.acknowledge`, `assign`, `resolve`),
so each change is an `AlertEvent` with who (the token's creator) and via which token.
"""

from __future__ import annotations

from django.db import transaction
from ninja import Query, Router, Schema

from trips import access, wording
from trips.api.auth import change_reason, require_write
from trips.api.common import PageQuery, form_values, page_of
from trips.api.errors import Errors, invalid
from trips.api.schemas import AlertOut, AlertPage, AssignIn, ResolveIn
from trips.forms import AssignForm, ResolveForm
from trips.http import ApiRequest
from trips.models import Alert

router = Router(tags=["alerts"])
WRITE_ERRORS = {403: Errors, 404: Errors, 422: Errors}


class AlertFilters(Schema):
    state: str = ""
    kind: str = ""
    traveller: int | None = None


def alert_json(alert: Alert) -> dict:
    return {
        "id": alert.pk,
        "traveller": alert.traveller_id,
        "traveller_name": alert.traveller.name,
        "kind": alert.kind,
        "severity": alert.severity,
        "state": alert.state,
        "subject": alert.subject,
        "message": wording.describe(alert.kind, alert.params),
        "source": wording.legal_source(alert.rule_key),
        "due_on": alert.due_on,
        "assigned_to": alert.assigned_to_id,
        "opened_at": alert.opened_at,
        "resolved_at": alert.resolved_at,
        "resolution_note": alert.resolution_note,
    }


@router.get("/alerts", response=AlertPage, summary="List alerts")
def alert_list(request: ApiRequest, filters: Query[AlertFilters], paging: Query[PageQuery]):
    """Most urgent first. `state`: open, acknowledged, resolved, closed, or all; empty: open
    and acknowledged, as in the review queue."""
    alerts = access.token_alerts(request.auth).select_related("traveller")
    alerts = alerts.in_state(filters.state)
    if filters.kind:
        alerts = alerts.filter(kind=filters.kind)
    if filters.traveller is not None:
        alerts = alerts.filter(traveller_id=filters.traveller)
    return page_of(alerts.by_urgency(), paging, alert_json)


@router.get("/alerts/{pk}", response={200: AlertOut, 404: Errors}, summary="An alert")
def alert_detail(request: ApiRequest, pk: int):
    return alert_json(access.get_token_alert(request.auth, pk))


def _locked(request: ApiRequest, pk: int) -> Alert:
    access.get_token_alert(request.auth, pk)  # 404 for anyone else's alert
    return Alert.objects.select_for_update().select_related("traveller").get(pk=pk)


@router.post(
    "/alerts/{pk}/acknowledge", response={200: AlertOut, **WRITE_ERRORS}, summary="Acknowledge"
)
def alert_acknowledge(request: ApiRequest, pk: int):
    access.get_token_alert(request.auth, pk)
    token = require_write(request)
    with transaction.atomic():
        alert = _locked(request, pk)
        alert.acknowledge(by=token.created_by, via=change_reason(token))
    return alert_json(alert)


@router.post("/alerts/{pk}/assign", response={200: AlertOut, **WRITE_ERRORS}, summary="Assign")
def alert_assign(request: ApiRequest, pk: int, payload: AssignIn):
    """`assignee`: the id of one of the organisation's HR or compliance users, or null."""
    access.get_token_alert(request.auth, pk)
    token = require_write(request)
    form = AssignForm(
        form_values(payload.model_dump()),
        assignees=access.token_assignees(token),
    )
    if not form.is_valid():
        raise invalid(form)
    with transaction.atomic():
        alert = _locked(request, pk)
        alert.assign(form.cleaned_data["assignee"], by=token.created_by, via=change_reason(token))
    return alert_json(alert)


@router.post("/alerts/{pk}/resolve", response={200: AlertOut, **WRITE_ERRORS}, summary="Resolve")
def alert_resolve(request: ApiRequest, pk: int, payload: ResolveIn):
    """A note saying what was done is required."""
    access.get_token_alert(request.auth, pk)
    token = require_write(request)
    form = ResolveForm(form_values(payload.model_dump()))
    if not form.is_valid():
        raise invalid(form)
    with transaction.atomic():
        alert = _locked(request, pk)
        alert.resolve(form.cleaned_data["note"], by=token.created_by, via=change_reason(token))
    return alert_json(alert)
