"""What a request carries in staysite, written down for the type checker.

A page's request has a logged-in user (`LoginRequiredMiddleware`; public views take a plain
`HttpRequest`), htmx's details (django-htmx's middleware) and the freshness of the day's
figures (trips/middleware.py). An API call's request carries the token it came with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from trips.models import ApiToken, User
    from trips.upkeep.daily import Freshness


class StaysiteRequest(HttpRequest):
    user: User  # never anonymous behind the login middleware
    htmx: HtmxDetails
    freshness: Freshness


class ApiRequest(HttpRequest):
    auth: ApiToken
