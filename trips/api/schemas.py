"""What the API reads and writes, as pydantic schemas: the OpenAPI schema is made from these.

Inputs are deliberately loose (dates as strings, every field optional): the values go through
the same ModelForms as the HR pages, so that a wrong date or a missing field gets the same
words as on the page. The schema only refuses what no form could read (a number where text
belongs) and fields that do not exist.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

DATE = {"format": "date", "example": "2026-03-02"}


def _date(description: str):
    return Field(None, description=description, json_schema_extra=DATE)


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class TravellerIn(Input):
    name: str | None = None
    email: str | None = None
    employee_number: str | None = Field(None, description="Unique in the organisation.")
    citizenship: str | None = Field(None, description="ISO 3166-1 alpha-2, e.g. DE or KZ.")
    hr_owner: int | None = Field(None, description="The id of an HR user who gets the alerts.")
    language: str | None = Field(None, description="Language of the traveller's emails: en, de.")
    active: bool | None = None


class TravellerOut(Schema):
    id: int
    name: str
    email: str
    employee_number: str
    citizenship: str
    hr_owner: int | None
    language: str
    active: bool
    status: str | None = Field(description="The status light: ok, attention, action, overstay.")


class TripIn(Input):
    country: str | None = Field(None, description="ISO 3166-1 alpha-2, e.g. KZ or DE.")
    entry: str | None = _date("The day of entry, YYYY-MM-DD.")
    exit: str | None = _date("The day of exit, YYYY-MM-DD; null: still there.")
    purpose: str | None = Field(
        None,
        description="business_meeting, conference, tourism, montage, employment, remote_work "
        "or transit.",
    )
    visa: int | None = Field(None, description="The id of the traveller's visa; null: visa-free.")
    host: str | None = None
    address: str | None = None
    notes: str | None = None


class TripOut(Schema):
    id: int
    traveller: int
    country: str
    entry: date
    exit: date | None
    purpose: str
    visa: int | None
    host: str
    address: str
    notes: str


class FindingOut(Schema):
    kind: str
    severity: str
    subject: str
    due_on: date | None
    message: str
    rule_key: str
    source: str
    params: dict[str, Any]


class SnapshotOut(Schema):
    evaluated_on: date
    status: str
    reason: str
    location: str
    location_since: date | None
    stay_day: int | None
    stay_cap: int | None
    kz_days_used: int
    kz_days_left: int
    schengen_days_used: int | None
    schengen_days_left: int | None
    latest_legal_exit: date | None
    next_deadline: date | None
    next_deadline_label: str
    tax_days: int
    overstay_days: int


class RegimeOut(Schema):
    regime: str
    report: dict[str, Any] = Field(description="The engine's report (docs/rules.md).")
    explanation: dict[str, Any] = Field(
        description="The window, the stays in it, the days coming back and the deciding rule."
    )


class StatusOut(Schema):
    on: date
    status: str
    snapshot: SnapshotOut | None
    regimes: list[RegimeOut]
    findings: list[FindingOut]


class AlertOut(Schema):
    id: int
    traveller: int
    traveller_name: str
    kind: str
    severity: str
    state: str
    subject: str
    message: str
    source: str
    due_on: date | None
    assigned_to: int | None
    opened_at: datetime
    resolved_at: datetime | None
    resolution_note: str


class AssignIn(Input):
    assignee: int | None = Field(
        None, description="The id of an HR or compliance user; null: nobody."
    )


class ResolveIn(Input):
    note: str | None = Field(None, description="What was done; required.")


class EngineError(Schema):
    error: str = Field(description="The contract's error code, e.g. bad_request.")
    message: str


class Page(Schema):
    count: int = Field(description="Results in all.")
    page: int
    pages: int


class TravellerPage(Page):
    items: list[TravellerOut]


class AlertPage(Page):
    items: list[AlertOut]
