"""`/healthz`: whether staysite can serve and is up to date, for a load balancer or a monitor.

No login, and nothing else revealed: the database answers, and the day of the last daily run.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from trips.upkeep import daily

# A day's run missing, with half a day's grace: time to page someone.
DAILY_RUN_LATE = timedelta(hours=36)


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        run = daily.last_run()
    except DatabaseError:
        return JsonResponse({"database": "unreachable"}, status=503)
    late = (
        run is None or run.finished_at is None or timezone.now() - run.finished_at > DAILY_RUN_LATE
    )
    body = {"database": "ok", "last_daily_run": run.on.isoformat() if run else None}
    return JsonResponse(body, status=503 if late else 200)


# Served before the day's data is brought up to date: a monitor's poll must stay quick.
healthz.skips_daily_run = True  # type: ignore[attr-defined]  # read by trips/middleware.py

urlpatterns = [
    path("healthz", healthz, name="healthz"),
]
