"""The home page: the HR dashboard, or a traveller's own page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET

from .. import access


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if access.is_traveller(request.user):
        return redirect("trips:me")
    return render(request, "trips/dashboard.html", {})


@require_GET
def me(request: HttpRequest) -> HttpResponse:
    traveller = access.own_traveller(request.user)
    if traveller is None:
        return redirect("trips:home")
    return redirect(traveller)


urlpatterns = [
    path("", home, name="home"),
    path("me/", me, name="me"),
]
