"""staysite's JSON API for HR systems and scripts, at /api/v1/ (django-ninja).

One module per resource; this one assembles them, answers every error in one shape
(`errors.Errors`) and serves the OpenAPI schema and its docs page from our own static files.
Each request is authenticated by an API token (`auth.TokenAuth`), not by a login.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from trips.api import alerts, check, status, travellers, trips
from trips.api.auth import RateLimited, TokenAuth
from trips.api.errors import ApiError, problem, schema_problems

# What any operation may answer besides its own: each with the error shape. 400: a malformed
# request; 401: no valid token; 413: a body too large; 422: a parameter or field that does
# not fit the schema; 429: too many requests (with Retry-After).
COMMON_ANSWERS = {
    400: "The request cannot be read, e.g. a body that is not JSON.",
    401: "No valid API token.",
    413: "The body is larger than the API accepts.",
    422: "A parameter or field does not fit: each problem names its field.",
    429: "Too many requests for this token; Retry-After says when to try again.",
}
OWN_ANSWERS = {
    403: "The token is read-only.",
    404: "Not found in the token's organisation.",
    409: "Refused: it would lose recorded data, or it was changed meanwhile.",
}


class StaysiteAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """The schema with every answer each operation can give, in the error shape."""
        schema = super().get_openapi_schema(*args, **kwargs)
        errors = {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}
        for item in schema["paths"].values():
            for operation in item.values():
                answers = operation["responses"]
                for code, description in COMMON_ANSWERS.items():
                    answers.setdefault(code, {"description": description, "content": errors})
                for code, answer in answers.items():
                    if code in OWN_ANSWERS or code in COMMON_ANSWERS:
                        answer["description"] = OWN_ANSWERS.get(code) or COMMON_ANSWERS[code]
                answers[429]["headers"] = {
                    "Retry-After": {
                        "description": "Seconds until the next request is accepted.",
                        "schema": {"type": "integer"},
                    }
                }
        return schema


api = StaysiteAPI(
    title="staysite API",
    version="1",
    description=(
        "Travellers, trips, status and alerts of one organisation, and the rules engine. "
        "Send an API token (made on the organisation's settings page) as "
        "`Authorization: Bearer <token>`."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    # Swagger UI from django-ninja's static files; no call to an outside validator.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
)
for module in (travellers, trips, status, alerts, check):
    api.add_router("", module.router)


def _errors(request: HttpRequest, status: int, problems: list[dict]) -> HttpResponse:
    return api.create_response(request, {"errors": problems}, status=status)


@api.exception_handler(ApiError)
def api_error(request: HttpRequest, error: ApiError) -> HttpResponse:
    response = _errors(request, error.status, error.problems)
    if isinstance(error, RateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response


@api.exception_handler(AuthenticationError)
def unauthorised(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    message = _(
        "Send a valid API token as “Authorization: Bearer <token>”; "
        "revoked and expired tokens are refused."
    )
    response = _errors(request, 401, [problem("unauthorised", message)])
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    message = str(error) or _("This token may not do this.")
    return _errors(request, 403, [problem("forbidden", message)])


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    message = _("Not found in this token's organisation.")
    return _errors(request, 404, [problem("not_found", message)])


@api.exception_handler(ValidationError)
def does_not_fit(request: HttpRequest, error: ValidationError) -> HttpResponse:
    return _errors(request, 422, schema_problems(error.errors))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    # django-ninja's own (English) words for a body it cannot parse, in the reader's language.
    message = _("The body is not valid JSON.")
    return _errors(request, error.status_code, [problem("bad_request", message)])


def urls() -> tuple:
    """The API's URL patterns: each request brings a token, so none asks for a login."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if pattern.callback is not None:  # a URLPattern always has its view
            pattern.callback = login_not_required(pattern.callback)
    return patterns, app_name, namespace
