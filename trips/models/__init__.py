"""The records, one module per family, all under the app label `trips`."""

from trips.models.accounts import CalendarYear, Organisation, PasswordResetRequest, User
from trips.models.api import ApiRequestCount, ApiToken, ApiTokenQuerySet, IdempotencyKey
from trips.models.domain import Traveller, TravellerQuerySet, Trip, TripQuerySet, Visa
from trips.models.evidence import Evidence
from trips.models.files import CalendarFeed, ImportColumnName, ImportPreview
from trips.models.filings import AddressChange, Notification
from trips.models.proposals import TripCorrection
from trips.models.results import (
    Alert,
    AlertEvent,
    AlertQuerySet,
    EmailDelivery,
    StatusSnapshot,
)
from trips.models.upkeep import DailyRun, DataChange, RefreshChunk, RefreshRun, StatusCount
from trips.models.webhooks import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookEventKind,
)

__all__ = [
    "AddressChange",
    "Alert",
    "AlertEvent",
    "AlertQuerySet",
    "ApiRequestCount",
    "ApiToken",
    "ApiTokenQuerySet",
    "CalendarFeed",
    "CalendarYear",
    "DailyRun",
    "DataChange",
    "Evidence",
    "EmailDelivery",
    "IdempotencyKey",
    "ImportColumnName",
    "ImportPreview",
    "Notification",
    "Organisation",
    "PasswordResetRequest",
    "RefreshChunk",
    "RefreshRun",
    "StatusCount",
    "StatusSnapshot",
    "Traveller",
    "TravellerQuerySet",
    "Trip",
    "TripCorrection",
    "TripQuerySet",
    "User",
    "Visa",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "WebhookEventKind",
]
