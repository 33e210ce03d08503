"""HR pages: travellers, their trips, visas, address changes and eQonaq notifications."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from .. import access


@require_GET
def traveller_detail(request: HttpRequest, pk: int) -> HttpResponse:
    traveller = access.get_visible_traveller(request.user, pk)
    return render(request, "trips/traveller_detail.html", {"traveller": traveller})


urlpatterns = [
    path("travellers/<int:pk>/", traveller_detail, name="traveller_detail"),
]
