"""A traveller's personal data: export it (a data access request) and erase it (compliance)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from trips import access
from trips.files import privacy
from trips.http import StaysiteRequest


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that this cannot be undone."),
        error_messages={"required": gettext_lazy("Tick the box to confirm the erasure.")},
    )


@require_GET
def traveller_export(request: StaysiteRequest, pk: int) -> HttpResponse:
    traveller = access.get_visible_traveller(request.user, pk)
    access.require(access.can_export(request.user, traveller))
    response = HttpResponse(
        privacy.export_json(traveller), content_type="application/json; charset=utf-8"
    )
    day = timezone.localdate().isoformat()
    filename = f"staysite-traveller-{traveller.pk}-{day}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
def traveller_erase(request: StaysiteRequest, pk: int) -> HttpResponse:
    traveller = access.get_visible_traveller(request.user, pk)
    access.require(access.can_erase(request.user, traveller))
    if traveller.erased_at is not None:
        messages.info(request, _("This traveller's personal data is already erased."))
        return redirect(traveller)
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        privacy.erase(traveller, on=timezone.localdate())
        messages.success(request, _("The traveller's personal data was erased."))
        return redirect(traveller)
    return render(request, "trips/privacy_erase.html", {"traveller": traveller, "form": form})


urlpatterns = [
    path("travellers/<int:pk>/export/", traveller_export, name="traveller_export"),
    path("travellers/<int:pk>/erase/", traveller_erase, name="traveller_erase"),
]
