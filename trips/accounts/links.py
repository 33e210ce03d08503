"""Where links in emails sent during a request point (password reset, two-factor set-up)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def base_url(request: HttpRequest) -> str:
    """STAYSITE_BASE_URL, never the request's Host header in production (a client chooses
    it, port included); in development without it, the address the request came to."""
    if settings.STAYSITE_LINKS_FROM_REQUEST:
        return request.build_absolute_uri("/").rstrip("/")
    return settings.STAYSITE_BASE_URL
