"""The first request of a new day brings the day's data up to date before a page shows it.

Normally the worker has run the day just after midnight (trips/upkeep/daily.py) and this costs
nothing: once a process has seen today's run finished it does not ask again until the date changes.
When the worker has not (it is down, or the server was off at midnight), the first request claims
the day and runs it inline, so that no page shows yesterday's verdict as today's; requests that come
while it runs get the data they have, marked as being updated (`request.freshness`).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from trips.upkeep import daily


class DailyRunMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.fresh_on: date | None = None  # the last day this process saw run

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        today = timezone.localdate()
        if self.fresh_on == today:
            request.freshness = daily.Freshness(today, today)
        elif getattr(view_func, "skips_daily_run", False) or not (
            settings.STAYSITE_DAILY_RUN_IN_REQUESTS
        ):
            # Asked only by the pages that show it.
            request.freshness = SimpleLazyObject(lambda: daily.freshness(today))
        else:
            request.freshness = daily.ensure(today)
            if not request.freshness.stale:
                self.fresh_on = today
        return None
