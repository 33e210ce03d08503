"""The client's address behind reverse proxies, for login throttling and rate limits.

Behind a proxy, REMOTE_ADDR is the proxy's address: throttling on it would let one attacker
lock everybody out. Each proxy appends the address it received the request from to
X-Forwarded-For, so with N trusted proxies (STAYSITE_TRUSTED_PROXIES) the client is the N-th
entry from the right. Entries further left were written by the client and are not trusted.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address the request came from, as the nearest trusted proxy saw it."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.STAYSITE_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        # The request skipped a proxy (or came straight in): the peer is all we know.
        return remote
    return forwarded[-proxies]
