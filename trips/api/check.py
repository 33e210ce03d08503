"""`POST /api/v1/check`: the rules engine's JSON contract over HTTP; nothing is stored.

The body is the engine's request and the answer its report, exactly as `python -m rules check`
(docs/rules.md); malformed or impossible input is a 400 with the engine's error code and message.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from ninja import Router

from trips.api.schemas import EngineError
from trips.evaluation import planner

router = Router(tags=["check"])

REQUEST_EXAMPLE = {
    "regime": "kz_visa_free",
    "on": "2026-03-20",
    "stays": [{"entry": "2026-01-05", "exit": "2026-02-10"}, {"entry": "2026-03-01"}],
}


DAY = {"type": "string", "format": "date"}
# What the contract requires (docs/rules.md); the engine reads the optional fields itself.
REQUEST_SCHEMA = {
    "type": "object",
    "required": ["regime", "on", "stays"],
    "properties": {
        "regime": {"type": "string", "enum": planner.REGIMES},
        "on": DAY,
        "stays": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["entry"],
                "properties": {"entry": DAY, "exit": {"anyOf": [DAY, {"type": "null"}]}},
            },
        },
    },
    "additionalProperties": True,
}


@router.post(
    "/check",
    response={200: dict, 400: EngineError},
    summary="Run the rules engine on one request",
    operation_id="checkRules",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": REQUEST_SCHEMA, "example": REQUEST_EXAMPLE}},
        }
    },
)
def check(request: HttpRequest):
    """Fields: `regime`, `on`, `stays` (entry, exit or null), and optionally `planned_entry`,
    `reentry_lengths`, `holidays`, `extra_working_days`, `options` (docs/rules.md)."""
    try:
        body = json.loads(request.body or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        message = f"request: not valid JSON ({error})"
        return JsonResponse({"error": "bad_request", "message": message}, status=400)
    try:
        return planner.check_request(body)
    except planner.RequestError as error:
        return JsonResponse(error.to_dict(), status=400)
