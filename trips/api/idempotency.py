"""Idempotent creates: a retried request with the same `Idempotency-Key` creates nothing new.

The key is stored per token, with the answer, in the same transaction as what was created:
either both are saved or neither is. A retry gets the stored answer again (with the header
`Idempotent-Replayed: true`); the same key with a different request is refused. Two requests
with one key at the same moment: the key's unique constraint lets one through, and the other
waits for it, then replays its answer. Only successful answers are stored: a request
refused as invalid created nothing, and may be corrected and sent again with the same key.
Keys are kept for a day (`KEEP`), long enough for any retry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trips.api.errors import fail
from trips.http import ApiRequest
from trips.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
KEEP = IdempotencyKey.KEEP


def _fingerprint(request: ApiRequest) -> str:
    digest = hashlib.sha256()
    for part in ((request.method or "").encode(), request.path.encode(), request.body):
        digest.update(part + b"\0")
    return digest.hexdigest()


def _replay(stored: IdempotencyKey, fingerprint: str):
    if stored.fingerprint != fingerprint:
        raise fail(
            422,
            "idempotency_key_reused",
            _("This Idempotency-Key was already used for a different request."),
        )
    return stored.status_code, stored.response, True


def once(request: ApiRequest, create: Callable[[], tuple[int, dict]]) -> tuple[int, dict, bool]:
    """`create()`'s status and body, run at most once per token and `Idempotency-Key`.

    Returns (status, body, replayed). Without the header, `create()` simply runs.
    """
    key = request.headers.get(HEADER, "")
    if not key:
        status, body = create()
        return status, body, False
    if len(key) > MAX_KEY_LENGTH:
        raise fail(
            400,
            "idempotency_key_too_long",
            _("An Idempotency-Key has at most %(count)d characters.") % {"count": MAX_KEY_LENGTH},
        )
    token = request.auth
    fingerprint = _fingerprint(request)
    token.idempotency_keys.filter(created_at__lt=timezone.now() - KEEP).delete()
    stored = IdempotencyKey.objects.filter(token=token, key=key).first()
    if stored is not None:
        return _replay(stored, fingerprint)
    try:
        with transaction.atomic():
            # The key first: a concurrent request with the same key waits here for this one's
            # commit, then fails on the unique constraint and replays this one's answer.
            stored = IdempotencyKey.objects.create(
                token=token, key=key, fingerprint=fingerprint, status_code=0, response={}
            )
            status, body = create()
            stored.status_code = status
            # Stored as the client receives it: dates as YYYY-MM-DD.
            stored.response = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
            stored.save(update_fields=["status_code", "response"])
    except IntegrityError:
        # Another request with this key committed first; what this one did is rolled back.
        stored = IdempotencyKey.objects.filter(token=token, key=key).first()
        if stored is None:
            raise
        return _replay(stored, fingerprint)
    return status, body, False
