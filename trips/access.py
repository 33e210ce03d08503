"""Who may see or change what: the whole access policy of staysite, in one place.

Views never test roles themselves; they start every lookup here. Someone else's record is a
404 (its existence is not disclosed); a record one may see but not change is a 403.

| role        | sees                             | changes                                        |
|-------------|----------------------------------|------------------------------------------------|
| HR          | the organisation's travellers    | travellers, trips, visas, notifications        |
| compliance  | as HR                            | as HR, plus alerts, settings, erasure, export  |
| traveller   | their own traveller record       | their own planned trips, the planned exit and  |
|             |                                  | address changes of their current stay; they    |
|             |                                  | propose corrections of recorded trips to HR    |
| staff       | the Django admin                 | organisations and users, in the admin          |
| API token   | the organisation's travellers    | read-write: as HR, plus alerts; read-only: none |
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from trips.models import (
    Alert,
    ApiToken,
    ImportPreview,
    Organisation,
    Traveller,
    Trip,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)
from trips.models.domain import TravellerQuerySet
from trips.models.results import AlertQuerySet


def _member(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.organisation_id)


def is_hr(user) -> bool:
    """HR staff and compliance admins: everyone who manages the organisation's travellers."""
    return _member(user) and user.role in {User.Role.HR, User.Role.COMPLIANCE}


def is_compliance(user) -> bool:
    return _member(user) and user.role == User.Role.COMPLIANCE


def is_traveller(user) -> bool:
    return _member(user) and user.role == User.Role.TRAVELLER


def needs_second_factor(user) -> bool:
    """Whether a login of `user` needs a code after the password: they are staff, their
    organisation requires it, or they set up an authenticator (or recovery codes) themselves.
    One query."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True  # the Django admin reaches every organisation's data
    with connection.cursor() as cursor:
        cursor.execute(NEEDS_SECOND_FACTOR, [user.organisation_id, user.pk, user.pk])
        return bool(cursor.fetchone()[0])


# Asked on every request of a user who has given no code: three index lookups, written out
# because the ORM's one query (a join of four tables) cost more to build than to run.
NEEDS_SECOND_FACTOR = f"""
    SELECT EXISTS (SELECT 1 FROM "{Organisation._meta.db_table}"
                   WHERE id = %s AND require_two_factor)
        OR EXISTS (SELECT 1 FROM "{TOTPDevice._meta.db_table}" WHERE user_id = %s AND confirmed)
        OR EXISTS (SELECT 1 FROM "{StaticDevice._meta.db_table}" WHERE user_id = %s AND confirmed)
"""


def visible_travellers(user) -> TravellerQuerySet:
    """The travellers `user` may see: the organisation's for HR, their own for a traveller."""
    if is_hr(user):
        return Traveller.objects.filter(organisation_id=user.organisation_id)
    if is_traveller(user):
        return Traveller.objects.filter(organisation_id=user.organisation_id, user=user)
    return Traveller.objects.none()


def managed_organisation_id(user) -> int | None:
    """The organisation whose travellers `user` manages as a whole (HR and compliance): the
    one whose summary their dashboard shows. None for anyone else."""
    return user.organisation_id if is_hr(user) else None


def get_visible_traveller(user, pk: int) -> Traveller:
    try:
        return visible_travellers(user).get(pk=pk)
    except Traveller.DoesNotExist:
        raise Http404("No such traveller.") from None


def own_traveller(user) -> Traveller | None:
    """The traveller record linked to `user`, if they are a traveller."""
    if not is_traveller(user):
        return None
    return visible_travellers(user).first()


def can_manage_travellers(user) -> bool:
    return is_hr(user)


def can_edit_traveller(user, traveller: Traveller) -> bool:
    return is_hr(user) and traveller.organisation_id == user.organisation_id


def can_edit_trip(user, trip: Trip, *, on: date) -> bool:
    """HR changes any trip; a traveller only their own planned trips, never past ones."""
    if can_edit_traveller(user, trip.traveller):
        return True
    return is_traveller(user) and trip.traveller.user_id == user.pk and trip.is_planned(on=on)


def can_plan_trips(user, traveller: Traveller) -> bool:
    """Who may add a planned trip for `traveller`: HR, or the traveller themself."""
    return can_edit_traveller(user, traveller) or _own(user, traveller)


def _own(user, traveller: Traveller) -> bool:
    return is_traveller(user) and traveller.user_id == user.pk


def is_current(trip: Trip, *, on: date) -> bool:
    """The trip the traveller is on today: entered, not yet left."""
    return trip.entry <= on and (trip.exit is None or trip.exit >= on)


def can_set_planned_exit(user, trip: Trip, *, on: date) -> bool:
    """Who may set the planned exit of the current stay: HR, or the traveller on it."""
    return is_current(trip, on=on) and (
        can_edit_traveller(user, trip.traveller) or _own(user, trip.traveller)
    )


def can_record_address_change(user, trip: Trip, *, on: date) -> bool:
    """HR for any trip; the traveller for the stay they are on (a new address to notify)."""
    if can_edit_traveller(user, trip.traveller):
        return True
    return _own(user, trip.traveller) and is_current(trip, on=on)


def can_propose_correction(user, trip: Trip, *, on: date) -> bool:
    """A traveller proposes a change to a trip they may not change themselves (a recorded one);
    HR changes it directly instead."""
    return _own(user, trip.traveller) and not can_edit_trip(user, trip, on=on)


def can_decide_corrections(user, traveller: Traveller) -> bool:
    """Who accepts or rejects a traveller's proposed correction: HR of the organisation."""
    return can_edit_traveller(user, traveller)


def can_attach_evidence(user, record) -> bool:
    """Whoever may change a trip, visa or notification attaches proof to it: HR; and the
    traveller to their own trips (a plan, the stay of today, or the proof of a correction)."""
    traveller = record.traveller if hasattr(record, "traveller") else record.trip.traveller
    if can_edit_traveller(user, traveller):
        return True
    return isinstance(record, Trip) and _own(user, traveller)


def can_attach_evidence_to_some(user, traveller: Traveller) -> bool:
    """Whether the traveller page offers to attach proof: HR, and the traveller on their own
    page (to their trips, `can_attach_evidence`)."""
    return can_edit_traveller(user, traveller) or _own(user, traveller)


def can_review_alerts(user) -> bool:
    return is_compliance(user)


def visible_alerts(user) -> AlertQuerySet:
    """The alerts of the organisation's travellers, for those who work the queue."""
    if not can_review_alerts(user):
        return Alert.objects.none()
    return Alert.objects.filter(organisation_id=user.organisation_id)


def get_visible_alert(user, pk: int) -> Alert:
    try:
        return visible_alerts(user).select_related("traveller", "assigned_to").get(pk=pk)
    except Alert.DoesNotExist:
        raise Http404("No such alert.") from None


def alert_assignees(user) -> QuerySet[User]:
    """Whom an alert may be assigned to: the organisation's active HR and compliance staff."""
    return _staff(user.organisation_id)


def _staff(organisation_id: int) -> QuerySet[User]:
    return User.objects.filter(
        organisation_id=organisation_id,
        is_active=True,
        role__in=[User.Role.HR, User.Role.COMPLIANCE],
    ).order_by("first_name", "last_name", "username")


def can_see_history(user) -> bool:
    return is_hr(user)


def can_change_settings(user) -> bool:
    return is_compliance(user)


def can_handle_personal_data(user) -> bool:
    """Who answers data access and erasure requests: compliance admins."""
    return is_compliance(user)


def can_erase(user, traveller: Traveller) -> bool:
    return can_handle_personal_data(user) and traveller.organisation_id == user.organisation_id


def can_export(user, traveller: Traveller) -> bool:
    """Who may download everything staysite holds about `traveller` (a data access request)."""
    return can_handle_personal_data(user) and traveller.organisation_id == user.organisation_id


def can_exchange_trips(user) -> bool:
    """Who may import trips from a CSV file and export the organisation's trips as CSV."""
    return is_hr(user)


def visible_import_previews(user) -> QuerySet[ImportPreview]:
    """A checked trip file is its uploader's alone, while they may still import."""
    if not can_exchange_trips(user):
        return ImportPreview.objects.none()
    return ImportPreview.objects.filter(user=user)


def can_see_import_batches(user) -> bool:
    """The page of confirmed imports: whoever imports files, and compliance."""
    return can_exchange_trips(user) or is_compliance(user)


def visible_import_batches(user) -> QuerySet[ImportPreview]:
    """Confirmed imports a user may see and revert: their own, and for compliance every
    import of the organisation."""
    confirmed = ImportPreview.objects.filter(saved_at__isnull=False)
    if is_compliance(user):
        return confirmed.filter(user__organisation_id=user.organisation_id)
    if can_exchange_trips(user):
        return confirmed.filter(user=user)
    return ImportPreview.objects.none()


def can_have_calendar_feed(user) -> bool:
    """Who gets a private calendar feed: HR (their visible travellers) and travellers (their own).

    Asked again at every request of the feed, so a changed role or organisation changes it.
    """
    return is_hr(user) or is_traveller(user)


def require(allowed: bool) -> None:
    """Raise 403 unless `allowed`: for records the user may see but not change."""
    if not allowed:
        raise PermissionDenied


def own_organisation_id(user: User) -> int:
    """The organisation a member works in; a user of none (platform staff) is refused."""
    if user.organisation_id is None:
        raise PermissionDenied
    return user.organisation_id


# --- API tokens: an HR system acting for one organisation --------------------------------


def can_manage_api_tokens(user) -> bool:
    return is_compliance(user)


def visible_api_tokens(user) -> QuerySet[ApiToken]:
    if not can_manage_api_tokens(user):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(organisation_id=user.organisation_id)


def can_manage_webhooks(user) -> bool:
    return is_compliance(user)


def visible_webhook_endpoints(user) -> QuerySet[WebhookEndpoint]:
    if not can_manage_webhooks(user):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(organisation_id=user.organisation_id)


def visible_webhook_deliveries(user) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint__in=visible_webhook_endpoints(user))


def token_travellers(token: ApiToken) -> TravellerQuerySet:
    """Exactly the token's organisation: anyone else's traveller is a 404."""
    return Traveller.objects.filter(organisation_id=token.organisation_id)


def token_alerts(token: ApiToken) -> AlertQuerySet:
    return Alert.objects.filter(organisation_id=token.organisation_id)


def token_assignees(token: ApiToken) -> QuerySet[User]:
    """Whom a token may assign an alert to: as for the organisation's compliance admins."""
    return _staff(token.organisation_id)


def token_can_write(token: ApiToken) -> bool:
    """A read-write token changes what HR and compliance change; a read-only one nothing."""
    return token.can_write


def get_token_traveller(token: ApiToken, pk: int) -> Traveller:
    try:
        return token_travellers(token).select_related("snapshot", "organisation").get(pk=pk)
    except Traveller.DoesNotExist:
        raise Http404("No such traveller.") from None


def get_token_alert(token: ApiToken, pk: int) -> Alert:
    try:
        return token_alerts(token).select_related("traveller", "assigned_to").get(pk=pk)
    except Alert.DoesNotExist:
        raise Http404("No such alert.") from None
