"""The organisation's alert thresholds and rule parameters (compliance admins)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import access, audit, snapshots
from ..models import Organisation


class OrganisationSettingsForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "allowance_warning_days",
            "stay_day_warning",
            "exit_warning_days",
            "visa_expiry_warning_days",
            "montage_warning_days",
            "tax_warning_days",
            "eqonaq_counts_arrival_day",
            "tax_window",
            "montage_year",
        ]


@require_http_methods(["GET", "POST"])
def organisation_settings(request: HttpRequest) -> HttpResponse:
    access.require(access.can_change_settings(request.user))
    organisation = Organisation.objects.get(pk=request.user.organisation_id)
    data = request.POST if request.method == "POST" else None
    form = OrganisationSettingsForm(data, instance=organisation)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # HistoricalRecords keeps the old values, with who changed them and when.
            form.save()
        # New thresholds change the lights: the dashboard must not show the old ones.
        snapshots.refresh_snapshots(
            organisation.travellers.filter(erased_at__isnull=True), on=timezone.localdate()
        )
        messages.success(request, _("The settings were saved."))
        return redirect("trips:organisation_settings")
    return render(
        request,
        "trips/organisation_settings.html",
        {
            "form": form,
            "organisation": organisation,
            "history": audit.setting_changes(organisation),
        },
    )


urlpatterns = [
    path("settings/", organisation_settings, name="organisation_settings"),
]
