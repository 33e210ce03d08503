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


@require_GET
def traveller_list(request: HttpRequest) -> HttpResponse:
    access.require(access.can_manage_travellers(request.user))
    travellers = access.visible_travellers(request.user).select_related("snapshot")
    return render(request, "trips/traveller_list.html", {"travellers": travellers})


urlpatterns = [
    path("travellers/", traveller_list, name="traveller_list"),
    path("travellers/<int:pk>/", traveller_detail, name="traveller_detail"),
]
