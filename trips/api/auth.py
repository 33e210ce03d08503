"""Who is calling: the API token in `Authorization: Bearer ...`, its rate and its body size.

A token sees exactly its organisation (trips/access.py, "API tokens"). Requests are counted
per token and minute, atomically, where every process sees the count (the database, or Redis
where REDIS_URL is set: trips/accounts/rate_counts.py), so the limit holds across gunicorn
workers and parallel requests.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from trips import access
from trips.accounts import rate_counts, tokens
from trips.api.errors import ApiError, fail
from trips.http import ApiRequest
from trips.models import ApiToken

RATE_WINDOW_SECONDS = 60


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        _check_body_size(request)
        found = tokens.usable_token(token, on=timezone.localdate())
        if found is not None:
            _check_rate(found)
        return found


def _check_body_size(request: HttpRequest) -> None:
    limit = settings.STAYSITE_API_MAX_BODY_BYTES
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = 0
    if size > limit:
        raise fail(
            413,
            "body_too_large",
            _("The request body has %(size)d bytes; at most %(limit)d are accepted.")
            % {"size": size, "limit": limit},
        )


class RateLimited(ApiError):
    def __init__(self, retry_after: int, limit: int) -> None:
        super().__init__(
            429,
            [
                {
                    "field": None,
                    "code": "rate_limited",
                    "message": _(
                        "Too many requests for this token: at most %(limit)d a minute. "
                        "Try again in %(seconds)d seconds."
                    )
                    % {"limit": limit, "seconds": retry_after},
                }
            ],
        )
        self.retry_after = retry_after


def _check_rate(token: ApiToken) -> None:
    """Count the request in the token's current minute; refuse it past the limit."""
    limit = settings.STAYSITE_API_RATE_LIMIT
    now = time.time()
    window = int(now // RATE_WINDOW_SECONDS)
    count = rate_counts.count_request(token.pk, window)
    if count > limit:
        retry_after = max(1, int((window + 1) * RATE_WINDOW_SECONDS - now + 0.999))
        raise RateLimited(retry_after, limit)


def require_write(request: ApiRequest) -> ApiToken:
    """The calling token, if it may change things; a 403 for a read-only one."""
    token = request.auth
    if not access.token_can_write(token):
        raise PermissionDenied(_("This token is read-only: it may not change anything."))
    return token


def change_reason(token: ApiToken) -> str:
    """How the history names a change made through the API (data, not translated)."""
    return f"API token: {token.name}"[:100]


def attribute[M: models.Model](instance: M, token: ApiToken) -> M:
    """Record `instance`'s next save or delete as done by the token's creator, via the token."""
    # Read by django-simple-history on save; mypy knows them only on the models that declare them.
    instance._history_user = token.created_by  # type: ignore[attr-defined]
    instance._change_reason = change_reason(token)  # type: ignore[attr-defined]
    return instance
