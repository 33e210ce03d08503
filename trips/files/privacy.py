"""A traveller's personal data: everything staysite holds about them, and its erasure.

Export gathers the traveller's rows and their history as plain JSON-ready values. Erasure
removes what identifies the person (name, email, employee number, visa numbers, addresses,
hosts, notes, notification references, the login) from the current rows *and* from their
history, and deletes the short-lived copies that name them (the API's stored answers,
import previews, their email deliveries, the dashboard's cached fragment), but keeps what
the statistics and the audit trail need: trip dates, countries and purposes, who changed
what and when. The erasure itself is recorded in the traveller's
history, with who and when, as the last entry.
"""

from __future__ import annotations

import json
from datetime import date

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from trips.evaluation import snapshots
from trips.files import evidence
from trips.models import (
    AddressChange,
    EmailDelivery,
    IdempotencyKey,
    ImportPreview,
    Notification,
    Traveller,
    Trip,
    TripCorrection,
    User,
    Visa,
    WebhookEvent,
)

ERASURE_REASON = "Personal data erased"

# Personal fields per model, and what replaces them. Everything else is kept: it is the
# anonymous statistics (dates, countries, purposes) or the audit trail (who, when).
# The models a traveller's records are kept in, each with its history (django-simple-history).
type Recorded = type[Traveller] | type[Trip] | type[Visa] | type[AddressChange] | type[Notification]

SCRUBBED_FIELDS: dict[Recorded, dict[str, str]] = {
    Trip: {"host": "", "address": "", "notes": ""},
    Visa: {"number": ""},
    AddressChange: {"new_address": ""},
    Notification: {"address": "", "reference": ""},
}


def erased_name(traveller: Traveller) -> str:
    return f"Erased traveller #{traveller.pk}"


def erased_employee_number(traveller: Traveller) -> str:
    # Unique within the organisation, as the constraint demands: the pk is.
    return f"erased-{traveller.pk}"


def _values(row: models.Model) -> dict:
    return {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}


def _history(model: Recorded, **lookup) -> list[dict]:
    rows = model.history.filter(**lookup).order_by("history_date", "history_id")
    return [_values(row) for row in rows]


def export_data(traveller: Traveller) -> dict:
    """Everything about `traveller`: their rows, and the history of each (who changed what)."""
    trip_ids = set(Trip.history.filter(traveller_id=traveller.pk).values_list("id", flat=True))
    data = {
        "exported_at": timezone.now(),
        "traveller": _values(traveller),
        "trips": [_values(trip) for trip in traveller.trips.order_by("entry", "pk")],
        "visas": [_values(visa) for visa in traveller.visas.order_by("valid_from", "pk")],
        "address_changes": [
            _values(change)
            for change in AddressChange.objects.filter(trip__traveller=traveller).order_by("pk")
        ],
        "notifications": [
            _values(notification)
            for notification in Notification.objects.filter(trip__traveller=traveller).order_by(
                "pk"
            )
        ],
        "alerts": [
            {**_values(alert), "events": [_values(event) for event in _events(alert)]}
            for alert in _alerts(traveller)
        ],
        "history": {
            "traveller": _history(Traveller, id=traveller.pk),
            "trips": _history(Trip, traveller_id=traveller.pk),
            "visas": _history(Visa, traveller_id=traveller.pk),
            "address_changes": _history(AddressChange, trip_id__in=trip_ids),
            "notifications": _history(Notification, trip_id__in=trip_ids),
        },
    }
    return data


def export_json(traveller: Traveller) -> str:
    return json.dumps(export_data(traveller), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def _alerts(traveller: Traveller) -> models.QuerySet:
    # A traveller without the relation has no alerts to give.
    alerts = getattr(traveller, "alerts", None)
    return alerts.order_by("pk") if alerts is not None else []


def _personal_values(traveller: Traveller, trip_ids: set[int]) -> set[str]:
    """Every personal value recorded about `traveller`, now or in history."""
    values = {traveller.name, traveller.email, traveller.employee_number}
    values |= set(Traveller.history.filter(id=traveller.pk).values_list("name", flat=True))
    values |= set(Traveller.history.filter(id=traveller.pk).values_list("email", flat=True))
    values |= set(
        Traveller.history.filter(id=traveller.pk).values_list("employee_number", flat=True)
    )
    values |= set(Visa.history.filter(traveller_id=traveller.pk).values_list("number", flat=True))
    for field in ("host", "address"):
        values |= set(Trip.history.filter(traveller_id=traveller.pk).values_list(field, flat=True))
    values |= set(
        AddressChange.history.filter(trip_id__in=trip_ids).values_list("new_address", flat=True)
    )
    for field in ("address", "reference"):
        values |= set(
            Notification.history.filter(trip_id__in=trip_ids).values_list(field, flat=True)
        )
    return {value for value in values if value and len(value) > 2}


def _without(value, personal: set[str]):
    """`value` (JSON data) with every personal value cut out of its strings."""
    if isinstance(value, str):
        for text in sorted(personal, key=len, reverse=True):
            value = value.replace(text, "")
        return value.strip()
    if isinstance(value, list):
        return [_without(item, personal) for item in value]
    if isinstance(value, dict):
        return {key: _without(item, personal) for key, item in value.items()}
    return value


def _events(alert) -> list:
    events = getattr(alert, "events", None)
    return list(events.order_by("pk")) if events is not None else []


def _scrub_user(user: User) -> None:
    """Unlink and close the traveller's login; its name and address go with it."""
    user.username = f"erased-user-{user.pk}"
    user.first_name = ""
    user.last_name = ""
    user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()


def _names(row_json: object, personal: set[str]) -> bool:
    text = json.dumps(row_json, cls=DjangoJSONEncoder, ensure_ascii=False)
    return any(value in text for value in personal)


def _delete_copies(traveller: Traveller, personal: set[str]) -> None:
    """Delete the copies of the traveller's data kept for a while: the API's stored answers
    (replayed on a retry), import previews, the emails' recipient rows and the webhook events.
    They are kept for a day at most, so deleting those that name the traveller loses nothing
    the law asks for."""
    for stored in IdempotencyKey.objects.filter(token__organisation_id=traveller.organisation_id):
        body = stored.response
        if _names(body, personal) or (isinstance(body, dict) and body.get("id") == traveller.pk):
            stored.delete()
    for preview in ImportPreview.objects.filter(user__organisation_id=traveller.organisation_id):
        if _names([preview.rows, preview.new_trips, preview.changes, preview.file_name], personal):
            preview.delete()
    EmailDelivery.objects.filter(alert__traveller=traveller, email__in=personal).delete()
    # Webhook events carry the traveller's data to HR's systems; those not yet delivered go
    # with the rest (the receivers have the delivered ones).
    WebhookEvent.objects.filter(
        organisation_id=traveller.organisation_id, traveller_id=traveller.pk
    ).delete()


@transaction.atomic
def erase(traveller: Traveller, *, on: date) -> Traveller:
    """Remove `traveller`'s personal data from current and historical rows; keep statistics.

    Related rows are changed with `update()`, which records no history of its own: the one
    history entry of the erasure is the traveller's, saved last with its reason, by the user of
    the request (HistoryRequestMiddleware).
    """
    traveller = Traveller.objects.select_for_update().get(pk=traveller.pk)
    trip_ids = set(Trip.history.filter(traveller_id=traveller.pk).values_list("id", flat=True))
    trip_ids |= set(traveller.trips.values_list("pk", flat=True))
    scopes: dict[Recorded, dict] = {
        Trip: {"traveller_id": traveller.pk},
        Visa: {"traveller_id": traveller.pk},
        AddressChange: {"trip_id__in": trip_ids},
        Notification: {"trip_id__in": trip_ids},
    }
    personal_values = _personal_values(traveller, trip_ids)
    for model, fields in SCRUBBED_FIELDS.items():
        model.objects.filter(**scopes[model]).update(**fields)
        model.history.filter(**scopes[model]).update(**fields)
    for alert in _alerts(traveller):
        # Free text a reviewer wrote may name the person, and the details name visas by their
        # number; the alert's facts (kind, dates, states, who acted when) stay.
        type(alert).objects.filter(pk=alert.pk).update(
            resolution_note="",
            closed_reason="",
            params=_without(alert.params, personal_values),
        )
        events = getattr(alert, "events", None)
        if events is not None:
            events.update(note="")

    evidence.erase(traveller)  # proof files: deleted, rows and stored files
    TripCorrection.objects.filter(trip_id__in=trip_ids).update(note="", answer="")
    _delete_copies(traveller, personal_values)
    if traveller.user is not None:
        _scrub_user(traveller.user)
    personal = {
        "name": erased_name(traveller),
        "email": "",
        "employee_number": erased_employee_number(traveller),
        "user_id": None,
    }
    Traveller.history.filter(id=traveller.pk).update(**personal)
    for field, value in personal.items():
        setattr(traveller, field, value)
    traveller.active = False
    traveller.erased_at = timezone.now()
    traveller._change_reason = ERASURE_REASON
    traveller.save()
    snapshots.refresh_snapshot(traveller, on=on)
    return traveller
