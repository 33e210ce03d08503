"""The alert queue: list, read, acknowledge, assign, resolve.

The same model methods as the review queue's pages (`Alert.acknowledge`, `assign`, `resolve`),
so each change is an `AlertEvent` with who (the token's creator) and via which token.
"""

from __future__ import annotations

from django.db import transaction
from ninja import Field, Path, Query, Router, Schema

from trips import access, wording
from trips.api.auth import change_reason, require_write
from trips.api.common import PageQuery, form_values, page_of, sent
from trips.api.errors import Errors, invalid
from trips.api.schemas import (
    AlertKindCode,
    AlertOut,
    AlertPage,
    AlertState,
    AssignIn,
    QueryId,
    ResolveIn,
)
from trips.api.sync import changed_alerts
from trips.evaluation import alert_queue
from trips.forms import AssignForm, ResolveForm
from trips.http import ApiRequest
from trips.models import Alert

router = Router(tags=["alerts"])
WRITE_ERRORS = {403: Errors, 404: Errors, 422: Errors}


class AlertFilters(Schema):
    state: AlertState | None = Field(
        None, description="One state, or all; none: open and acknowledged."
    )
    kind: AlertKindCode | None = None
    traveller: QueryId | None = Field(None, description="Only this traveller's alerts.")


AlertId = Path[QueryId]


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


@router.get("/alerts", response=AlertPage, summary="List alerts", operation_id="listAlerts")
def alert_list(request: ApiRequest, filters: Query[AlertFilters], paging: Query[PageQuery]):
    """Most urgent first, as in the review queue; with `updated_since`, by id, only those
    opened, reviewed, resolved or closed since then."""
    alerts = access.token_alerts(request.auth).select_related("traveller")
    alerts = alerts.in_state(filters.state or "")
    if filters.kind:
        alerts = alerts.filter(kind=filters.kind)
    if filters.traveller is not None:
        alerts = alerts.filter(traveller_id=filters.traveller)
    if paging.updated_since is None:
        alerts = alerts.by_urgency()
    else:
        alerts = changed_alerts(alerts, paging.updated_since)
    return page_of(request, alerts, paging, alert_json)


@router.get(
    "/alerts/{pk}",
    response={200: AlertOut, 404: Errors},
    summary="An alert",
    operation_id="getAlert",
)
def alert_detail(request: ApiRequest, pk: AlertId):
    return alert_json(access.get_token_alert(request.auth, pk))


def _locked(request: ApiRequest, pk: int) -> Alert:
    access.get_token_alert(request.auth, pk)  # 404 for anyone else's alert
    return Alert.objects.select_for_update().select_related("traveller").get(pk=pk)


@router.post(
    "/alerts/{pk}/acknowledge",
    response={200: AlertOut, **WRITE_ERRORS},
    summary="Acknowledge",
    operation_id="acknowledgeAlert",
)
def alert_acknowledge(request: ApiRequest, pk: AlertId):
    access.get_token_alert(request.auth, pk)
    token = require_write(request)
    with transaction.atomic():
        alert = _locked(request, pk)
        alert.acknowledge(by=token.created_by, via=change_reason(token))
    return alert_json(alert)


@router.post(
    "/alerts/{pk}/assign",
    response={200: AlertOut, **WRITE_ERRORS},
    summary="Assign",
    operation_id="assignAlert",
)
def alert_assign(request: ApiRequest, pk: AlertId, payload: AssignIn):
    """`assignee`: the id of one of the organisation's HR or compliance users, or null."""
    access.get_token_alert(request.auth, pk)
    token = require_write(request)
    form = AssignForm(
        form_values(sent(payload)),
        assignees=access.token_assignees(token),
    )
    if not form.is_valid():
        raise invalid(form)
    with transaction.atomic():
        alert = _locked(request, pk)
        alert.assign(form.cleaned_data["assignee"], by=token.created_by, via=change_reason(token))
    return alert_json(alert)


@router.post(
    "/alerts/{pk}/resolve",
    response={200: AlertOut, **WRITE_ERRORS},
    summary="Resolve",
    operation_id="resolveAlert",
)
def alert_resolve(request: ApiRequest, pk: AlertId, payload: ResolveIn):
    """A note saying what was done is required."""
    access.get_token_alert(request.auth, pk)
    token = require_write(request)
    form = ResolveForm(form_values(sent(payload)))
    if not form.is_valid():
        raise invalid(form)
    with transaction.atomic():
        alert = _locked(request, pk)
        note, via = form.cleaned_data["note"], change_reason(token)
        alert_queue.resolve(alert, note, by=token.created_by, via=via)
    return alert_json(alert)
