"""What the resource modules share: form data from JSON, pages of results, JSON answers."""

from __future__ import annotations

import re
from typing import Annotated, Any

from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.forms.models import model_to_dict
from django.http import HttpRequest, JsonResponse
from ninja import Field, Schema
from pydantic import AwareDatetime, BeforeValidator
from pydantic_core import PydanticCustomError

from trips.api.idempotency import HEADER as IDEMPOTENCY_HEADER

MAX_PAGE_SIZE = 200
# Beyond any list (200 a page times this is more than a database holds).
MAX_PAGE = 2**40


def _iso_only(value: Any) -> Any:
    """An ISO 8601 time only: pydantic would read a bare number as seconds since 1970."""
    if not isinstance(value, str) or not ISO_TIME.match(value):
        raise PydanticCustomError("datetime_parsing", "not an ISO 8601 time")
    return value


ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
Timestamp = Annotated[AwareDatetime, BeforeValidator(_iso_only)]


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Past the last page: no items.")
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    updated_since: Timestamp | None = Field(
        None,
        description="Only what was created or changed at or after this time (e.g. "
        "2026-03-01T00:00:00Z), by id, with the ids deleted since then in `deleted`.",
    )


def _link(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def page_of(
    request: HttpRequest, queryset: QuerySet, query: PageQuery, to_json, deleted=()
) -> dict:
    """One page of `queryset`: `count` and `pages` in all, this page's `items`, links to the
    pages before and after. A page past the last has no items, so "next until empty" ends."""
    paginator = Paginator(queryset, query.page_size)
    pages = paginator.num_pages
    items = paginator.page(query.page).object_list if query.page <= pages else []
    return {
        "count": paginator.count,
        "page": query.page,
        "pages": pages,
        "next": _link(request, query.page + 1) if query.page < pages else None,
        "previous": _link(request, min(query.page - 1, pages)) if query.page > 1 else None,
        "items": [to_json(item) for item in items],
        "deleted": sorted(deleted),
    }


def form_data(instance: Model, fields: list[str], sent: dict) -> dict:
    """What the HR page's form would post: the record's values, with what was sent over them.

    A new record starts from the model's defaults, so a create may leave out what the form
    would have pre-filled; an update (PATCH) changes only the fields it sends.
    """
    return form_values(model_to_dict(instance, fields=fields) | sent)


def sent(payload: Schema) -> dict:
    """The fields a request sent, as JSON has them: dates as YYYY-MM-DD, choices as codes."""
    return payload.model_dump(mode="json", exclude_unset=True)


def form_values(sent: dict) -> dict:
    """JSON values as a form reads them: null is an empty field."""
    return {name: "" if value is None else value for name, value in sent.items()}


def created(status: int, body: dict, replayed: bool) -> JsonResponse:
    response = JsonResponse(body, status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


IDEMPOTENCY_PARAMETER = {
    "parameters": [
        {
            "in": "header",
            "name": IDEMPOTENCY_HEADER,
            "required": False,
            "schema": {"type": "string", "maxLength": 200},
            "description": "Any unique string; a retry with the same key and body creates "
            "nothing new and gets the first answer again.",
        }
    ]
}
