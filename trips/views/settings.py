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

from .. import access, audit, tasks
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
            # New thresholds change every light and alert: the worker re-evaluates them all,
            # queued in this transaction so that a saved change is never left unapplied.
            tasks.refresh_organisation.enqueue(organisation.pk, timezone.localdate().isoformat())
        messages.success(
            request,
            _("The settings were saved. Every traveller's status is being updated with them."),
        )
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
