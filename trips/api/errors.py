"""The API's errors: one shape for all, `{"errors": [{"field", "code", "message"}]}`.

`field` is the name of the field a message belongs to (null for the request as a whole);
`code` is stable for programs; `message` is the same sentence the HR pages show.
"""

from __future__ import annotations

from django.forms import BaseForm
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from ninja import Schema


class Problem(Schema):
    field: str | None = None
    code: str
    message: str


class Errors(Schema):
    errors: list[Problem]


class ApiError(Exception):
    """Stops a request with `status` and the given problems."""

    def __init__(self, status: int, problems: list[dict]) -> None:
        super().__init__(problems[0]["message"] if problems else "")
        self.status = status
        self.problems = problems


def problem(code: str, message: str, field: str | None = None) -> dict:
    return {"field": field, "code": code, "message": str(message)}


def fail(status: int, code: str, message: str, field: str | None = None) -> ApiError:
    return ApiError(status, [problem(code, message, field)])


def form_problems(form: BaseForm) -> list[dict]:
    """A form's errors, each with its field, its code and its message."""
    problems = []
    for field, errors in form.errors.as_data().items():
        for error in errors:
            for message in error.messages:
                problems.append(
                    problem(error.code or "invalid", message, None if field == "__all__" else field)
                )
    return problems


def invalid(form: BaseForm) -> ApiError:
    return ApiError(422, form_problems(form))


# pydantic's error types, each said in the reader's language (pydantic's own are English).
SCHEMA_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "null_not_allowed": gettext_lazy("Leave this field out instead of sending null."),
    "string_pattern_mismatch": gettext_lazy("This field may not be empty."),
    "extra_forbidden": gettext_lazy("There is no such field."),
    "int_type": gettext_lazy("Enter a whole number."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "bool_type": gettext_lazy("Enter true or false."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "string_type": gettext_lazy("Enter text."),
    "date_type": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "datetime_type": gettext_lazy("Enter a time as YYYY-MM-DDTHH:MM:SSZ."),
    "datetime_parsing": gettext_lazy("Enter a time as YYYY-MM-DDTHH:MM:SSZ."),
    "datetime_from_date_parsing": gettext_lazy("Enter a time as YYYY-MM-DDTHH:MM:SSZ."),
    "enum": gettext_lazy("Choose one of the values the schema lists."),
    "literal_error": gettext_lazy("Choose one of the values the schema lists."),
    "json_invalid": gettext_lazy("The body is not valid JSON."),
    "model_attributes_type": gettext_lazy("Send a JSON object."),
    "model_type": gettext_lazy("Send a JSON object."),
    "dict_type": gettext_lazy("Send a JSON object."),
}


def schema_message(error: dict) -> str:
    """One pydantic error in words; limits name the number the schema gives."""
    kind, context = error.get("type", ""), error.get("ctx") or {}
    if kind in ("greater_than_equal", "greater_than"):
        limit = context.get("ge", context.get("gt"))
        return _("Give at least %(limit)s.") % {"limit": limit}
    if kind in ("less_than_equal", "less_than"):
        limit = context.get("le", context.get("lt"))
        return _("Give at most %(limit)s.") % {"limit": limit}
    if kind == "string_too_short":
        return _("This field may not be empty.")
    if kind == "string_too_long":
        count = context.get("max_length", 0)
        return ngettext(
            "Give at most %(count)d character.", "Give at most %(count)d characters.", count
        ) % {"count": count}
    return str(SCHEMA_MESSAGES.get(kind, gettext_lazy("This value does not fit the schema.")))


def schema_problems(errors: list[dict]) -> list[dict]:
    """pydantic's errors of a request that does not fit the schema (a wrong type, a typo)."""
    problems = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        # ("body", "payload", "entry") or ("query", "page"): the field is what follows the
        # request part and, in a body, the parameter's name. Enumerations and unions add
        # their member's name ("exit", "date"): the field is the first part.
        field = location[2:3] if location[:1] == ["body"] else location[1:2]
        problems.append(
            problem(error.get("type", "invalid"), schema_message(error), ".".join(field) or None)
        )
    return problems
