"""What the API reads and writes, as pydantic schemas: the OpenAPI schema is made from these.

Inputs say what a client must send: a create has its required fields required, a change
(PATCH) has none; dates are `format: date`, choices are enumerations, ids are bounded
integers, and a field the schema does not name is refused. Then the values go through the
same ModelForms as the HR pages, so that what no schema can say (a trip overlapping another,
an employee number taken) gets the same words as on the page.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from django.conf import settings
from ninja import Field, Schema
from pydantic import (
    ConfigDict,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from trips.choices import AlertKind, Purpose, Status
from trips.countries import COUNTRIES
from trips.models import Alert

# The largest id a database gives (a 64-bit signed integer): a bigger number names nothing,
# and SQLite cannot even compare with it.
MAX_ID = 2**63 - 1

# Members made from the data, which mypy cannot read: each is a code, named by itself.
Country = StrEnum("Country", {code: code for code, _name in COUNTRIES})  # type: ignore[misc]
Language = StrEnum("Language", {code: code for code, _name in settings.LANGUAGES})  # type: ignore[misc]
PurposeCode = StrEnum("Purpose", {code: code for code in Purpose.values})  # type: ignore[misc]
StatusCode = StrEnum("Status", {code: code for code in Status.values})  # type: ignore[misc]
AlertState = StrEnum("AlertState", {code: code for code in [*Alert.State.values, "all"]})  # type: ignore[misc]
AlertKindCode = StrEnum("AlertKind", {code: code for code in AlertKind.values})  # type: ignore[misc]

Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]


def text(max_length: int, *, required: bool = False, **extra) -> Any:
    """A text field of the model's length; a required one holds more than blanks (the forms
    strip them)."""
    if required:
        return Field(..., max_length=max_length, pattern=r"\S", **extra)
    return Field(None, max_length=max_length, **extra)


def optional(**extra) -> Any:
    """A field that may be left out but not sent as null: the form needs a value for it."""
    return Field(None, json_schema_extra=_not_null, **extra)


def _not_null(schema: dict) -> None:
    """What a client sees of an optional field that takes no null: only its type."""
    kinds = [kind for kind in schema.pop("anyOf", []) if kind.get("type") != "null"]
    if kinds:
        schema.update(kinds[0])
    schema.pop("default", None)


class Input(Schema):
    # Python's regular expressions, as the forms and the schema's readers use them.
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

    @field_validator("*", mode="before")
    @classmethod
    def _no_null_where_none_is_taken(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            # A field validator's info always names its field (pydantic types it as optional).
            field = cls.model_fields[info.field_name]  # type: ignore[index]
            if field.json_schema_extra is _not_null:
                raise PydanticCustomError("null_not_allowed", "null is not allowed here")
        return value


class TravellerCreate(Input):
    name: StrictStr = text(200, required=True, examples=["Aigerim Bekova"])
    employee_number: StrictStr = text(
        40, required=True, description="Unique in the organisation.", examples=["E-1042"]
    )
    citizenship: Country = Field(description="ISO 3166-1 alpha-2.", examples=["KZ"])
    email: StrictStr | None = text(254, examples=["aigerim@example.com"])
    hr_owner: Id | None = Field(None, description="The id of an HR user who gets the alerts.")
    language: Language | None = optional(description="Language of the traveller's emails.")
    active: StrictBool | None = optional(description="Left out: active.")


class TravellerChange(Input):
    """Only the fields sent change."""

    name: StrictStr | None = optional(max_length=200, pattern=r"\S")
    employee_number: StrictStr | None = optional(
        max_length=40, pattern=r"\S", description="Unique in the organisation."
    )
    citizenship: Country | None = optional()
    email: StrictStr | None = text(254)
    hr_owner: Id | None = Field(None, description="The id of an HR user; null: nobody.")
    language: Language | None = optional()
    active: StrictBool | None = optional()


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


TRIP_PURPOSES = "What the trip is for: it decides which rule sets and visas apply."


class TripCreate(Input):
    country: Country = Field(description="ISO 3166-1 alpha-2.", examples=["KZ"])
    entry: date = Field(description="The day of entry.", examples=["2026-03-02"])
    exit: date | None = Field(
        None, description="The day of exit; null: still there.", examples=["2026-03-11"]
    )
    purpose: PurposeCode | None = optional(description=TRIP_PURPOSES + " Left out: business.")
    visa: Id | None = Field(None, description="The id of the traveller's visa; null: visa-free.")
    host: StrictStr | None = text(200)
    address: StrictStr | None = text(300)
    notes: StrictStr | None = None


class TripChange(Input):
    """Only the fields sent change; `"exit": null` for a trip that has not ended."""

    country: Country | None = optional()
    entry: date | None = optional()
    exit: date | None = None
    purpose: PurposeCode | None = optional()
    visa: Id | None = None
    host: StrictStr | None = text(200)
    address: StrictStr | None = text(300)
    notes: StrictStr | None = None


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
    message: str = Field(description="In the language of Accept-Language.")
    rule_key: str
    source: str
    params: dict[str, Any]


class SnapshotOut(Schema):
    evaluated_on: date
    status: str
    reason: str = Field(description="In the language of Accept-Language.")
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
    next_deadline_kind: str = Field(description="The finding behind the next deadline.")
    next_deadline_label: str = Field(description="In the language of Accept-Language.")
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
    message: str = Field(description="In the language of Accept-Language.")
    source: str
    due_on: date | None
    assigned_to: int | None
    opened_at: datetime
    resolved_at: datetime | None
    resolution_note: str


class AssignIn(Input):
    assignee: Id | None = Field(description="The id of an HR or compliance user; null: nobody.")


class ResolveIn(Input):
    note: StrictStr = text(2000, required=True, description="What was done.")


class EngineError(Schema):
    error: str = Field(description="The contract's error code, e.g. bad_request.")
    message: str


class Page(Schema):
    count: int = Field(description="Results in all.")
    page: int
    pages: int
    next: str | None = Field(description="The next page's URL; null on the last page.")
    previous: str | None = Field(description="The previous page's URL; null on the first.")
    deleted: list[int] = Field(
        description="With `updated_since`: the ids deleted since then; otherwise empty."
    )


class TravellerPage(Page):
    items: list[TravellerOut]


class TripPage(Page):
    items: list[TripOut]


class AlertPage(Page):
    items: list[AlertOut]
