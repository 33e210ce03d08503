"""The API's errors: one shape for all, `{"errors": [{"field", "code", "message"}]}`.

`field` is the name of the field a message belongs to (null for the request as a whole);
`code` is stable for programs; `message` is the same sentence the HR pages show.
"""

from __future__ import annotations

from django.forms import Form
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


def form_problems(form: Form) -> list[dict]:
    """A form's errors, each with its field, its code and its message."""
    problems = []
    for field, errors in form.errors.as_data().items():
        for error in errors:
            for message in error.messages:
                problems.append(
                    problem(error.code or "invalid", message, None if field == "__all__" else field)
                )
    return problems


def invalid(form: Form) -> ApiError:
    return ApiError(422, form_problems(form))


def schema_problems(errors: list[dict]) -> list[dict]:
    """pydantic's errors of a request that does not fit the schema (a wrong type, a typo)."""
    problems = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        # ("body", "payload", "entry") or ("query", "page"): the field is what follows the
        # request part and, in a body, the parameter's name.
        field = location[2:] if location[:1] == ["body"] else location[1:]
        problems.append(
            problem(error.get("type", "invalid"), error["msg"], ".".join(field) or None)
        )
    return problems
