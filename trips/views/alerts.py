"""The compliance review queue (issue 6)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from .. import access


@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    access.require(access.can_review_alerts(request.user))
    return render(request, "trips/alert_list.html", {})


urlpatterns = [
    path("alerts/", alert_list, name="alert_list"),
]
