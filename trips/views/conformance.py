"""The conformance page: the engine's answers beside the published worked examples, computed
live, and the open points with what decides each. Public: anyone may check the engine."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from trips.evaluation import conformance
from trips.words.conformance import example_row, open_point_row


@login_not_required
@require_GET
def conformance_page(request: HttpRequest) -> HttpResponse:
    examples = [example_row(check) for check in conformance.example_checks()]
    points = [open_point_row(point) for point in conformance.open_points()]
    return render(
        request,
        "trips/conformance.html",
        {
            "examples": examples,
            "open_points": points,
            "all_agree": all(example.agrees for example in examples),
        },
    )


# The page reads no data: it need not wait for the day's run.
conformance_page.skips_daily_run = True  # type: ignore[attr-defined]  # trips/middleware.py

urlpatterns = [
    path("legal/examples/", conformance_page, name="conformance"),
]
