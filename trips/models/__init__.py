"""The records, one module per family, all under the app label `trips`."""

from trips.models.accounts import CalendarYear, Organisation, PasswordResetRequest, User
from trips.models.api import ApiToken, ApiTokenQuerySet, IdempotencyKey
from trips.models.domain import Traveller, TravellerQuerySet, Trip, TripQuerySet, Visa
from trips.models.files import CalendarFeed, ImportColumnName, ImportPreview
from trips.models.filings import AddressChange, Notification
from trips.models.results import Alert, AlertEvent, AlertQuerySet, StatusSnapshot
from trips.models.upkeep import DailyRun, DataChange, RefreshChunk, RefreshRun

__all__ = [
    "AddressChange",
    "Alert",
    "AlertEvent",
    "AlertQuerySet",
    "ApiToken",
    "ApiTokenQuerySet",
    "CalendarFeed",
    "CalendarYear",
    "DailyRun",
    "DataChange",
    "IdempotencyKey",
    "ImportColumnName",
    "ImportPreview",
    "Notification",
    "Organisation",
    "PasswordResetRequest",
    "RefreshChunk",
    "RefreshRun",
    "StatusSnapshot",
    "Traveller",
    "TravellerQuerySet",
    "Trip",
    "TripQuerySet",
    "User",
    "Visa",
]
