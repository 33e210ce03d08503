"""What the resource modules share: form data from JSON, pages of results, JSON answers."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.forms.models import model_to_dict
from django.http import JsonResponse
from ninja import Field, Schema

from trips.api.idempotency import HEADER as IDEMPOTENCY_HEADER

MAX_PAGE_SIZE = 200


class PageQuery(Schema):
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


def page_of(queryset: QuerySet, query: PageQuery, to_json) -> dict:
    """One page of `queryset`: `count` and `pages` in all, and this page's `items`."""
    paginator = Paginator(queryset, query.page_size)
    page = paginator.get_page(query.page)
    return {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "items": [to_json(item) for item in page.object_list],
    }


def form_data(instance: Model, fields: list[str], sent: dict) -> dict:
    """What the HR page's form would post: the record's values, with what was sent over them.

    A new record starts from the model's defaults, so a create may leave out what the form
    would have pre-filled; an update (PATCH) changes only the fields it sends.
    """
    return form_values(model_to_dict(instance, fields=fields) | sent)


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
