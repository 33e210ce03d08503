"""API tokens: made, found by their key, and revoked. Only a key's SHA-256 hash is stored.

A key is 32 random bytes, so a fast hash is enough: there is nothing to guess by brute force
that a slow password hash would protect. The first characters are kept in clear, so that
people can tell their tokens apart on the settings page.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

from django.utils import timezone

from trips import access
from trips.models import ApiToken, User

KEY_PREFIX = "sts_"
# How long a token made by `create_api_token` works unless told otherwise.
DEFAULT_VALID_DAYS = 365


def key_hash(key: str) -> str:
    """What is stored of a random secret (an API key, a calendar feed's token): its SHA-256."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(
    *, created_by: User, name: str, role: str, valid_until: date
) -> tuple[ApiToken, str]:
    """A new token of `created_by`'s organisation, and its key (the only time it is known)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        # Only compliance admins make tokens (may_own_tokens); every one is in an organisation.
        organisation_id=created_by.organisation_id,  # type: ignore[misc]
        name=name,
        role=role,
        valid_until=valid_until,
        created_by=created_by,
        prefix=key[: len(KEY_PREFIX) + 6],
        key_hash=key_hash(key),
    )
    token._history_user = created_by
    token.save()
    return token, key


def may_own_tokens(user: User) -> bool:
    """Whether `user` may make tokens: a token is never more than its creator's delegate."""
    return access.can_manage_api_tokens(user)


def name_taken(organisation_id: int, name: str) -> bool:
    """Whether a token of the organisation that is not revoked has `name` (names a token once)."""
    return ApiToken.objects.filter(
        organisation_id=organisation_id, name=name, revoked_at__isnull=True
    ).exists()


def default_valid_until(on: date) -> date:
    return on + timedelta(days=DEFAULT_VALID_DAYS)


def usable_token(key: str, *, on: date) -> ApiToken | None:
    """The token whose key this is, if it is neither revoked nor expired."""
    if not key.startswith(KEY_PREFIX):
        return None
    token = (
        ApiToken.objects.usable(on=on)
        .select_related("created_by", "organisation")
        .filter(key_hash=key_hash(key))
        .first()
    )
    if token is not None:
        now = timezone.now()
        # Recorded at most once a minute: a busy sync should not write a row per request.
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def revoke(token: ApiToken, *, by: User) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token._history_user = by
    token.save(update_fields=["revoked_at"])
