"""The organisation's settings (compliance admins): alert thresholds, rule parameters, API
tokens, and the corrected years of the Kazakh working-day calendar.

An API token's key is shown once, in the answer to the request that made it, and never stored.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from trips import access
from trips.accounts import tokens
from trips.evaluation import calendars, snapshots, stays
from trips.forms import DateInput
from trips.http import StaysiteRequest
from trips.models import ApiToken, Organisation
from trips.upkeep import tasks
from trips.words import audit


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
            "require_two_factor",
            "merge_same_day_reentry",
            "registration_lead_days",
            "kz_annual_cap",
        ]


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "role", "valid_until"]
        widgets = {"valid_until": DateInput()}

    def __init__(self, *args, organisation: Organisation, on, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.on = on
        self.fields["valid_until"].initial = tokens.default_valid_until(on)

    def clean_name(self):
        name = self.cleaned_data["name"]
        # The form has no organisation field, so Django skips the unique constraint here.
        if tokens.name_taken(self.instance.organisation.pk, name):
            raise forms.ValidationError(
                _("Another token of this organisation has this name."), code="unique"
            )
        return name

    def clean_valid_until(self):
        valid_until = self.cleaned_data["valid_until"]
        if valid_until < self.on:
            raise forms.ValidationError(
                _("The last valid day is in the past."), code="valid_until_past"
            )
        return valid_until


@require_http_methods(["GET", "POST"])
def organisation_settings(request: StaysiteRequest) -> HttpResponse:
    access.require(access.can_change_settings(request.user))
    organisation = Organisation.objects.get(pk=access.own_organisation_id(request.user))
    data = request.POST if request.method == "POST" else None
    form = OrganisationSettingsForm(data, instance=organisation)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # HistoricalRecords keeps the old values, with who changed them and when.
            form.save()
            # New thresholds change every light and alert: the worker re-evaluates them all,
            # queued in this transaction so that a saved change is never left unapplied.
            tasks.refresh_organisation.enqueue(organisation.pk, timezone.localdate().isoformat())
            # Until the worker gets to it, the daily run knows these figures no longer hold.
            snapshots.organisation_changed(organisation.pk)
        messages.success(
            request,
            _("The settings were saved. Every traveller's status is being updated with them."),
        )
        return redirect("trips:organisation_settings")
    return _page(request, organisation, form=form)


@require_POST
def api_token_create(request: StaysiteRequest) -> HttpResponse:
    access.require(access.can_manage_api_tokens(request.user))
    organisation = Organisation.objects.get(pk=access.own_organisation_id(request.user))
    token_form = ApiTokenForm(request.POST, organisation=organisation, on=timezone.localdate())
    if not token_form.is_valid():
        return _page(request, organisation, token_form=token_form)
    token, key = tokens.create_token(
        created_by=request.user,
        name=token_form.cleaned_data["name"],
        role=token_form.cleaned_data["role"],
        valid_until=token_form.cleaned_data["valid_until"],
    )
    # Not a redirect: the key is shown in this answer only, and stored nowhere.
    return _page(request, organisation, new_token=token, new_key=key)


@require_POST
def api_token_revoke(request: StaysiteRequest, token_pk: int) -> HttpResponse:
    access.require(access.can_manage_api_tokens(request.user))
    token = access.visible_api_tokens(request.user).filter(pk=token_pk).first()
    if token is None:
        raise Http404("No such token.")
    tokens.revoke(token, by=request.user)
    messages.success(request, _("The token %(name)s was revoked.") % {"name": token.name})
    return redirect("trips:organisation_settings")


def _page(request: StaysiteRequest, organisation: Organisation, **context) -> HttpResponse:
    today = timezone.localdate()
    context.setdefault("form", OrganisationSettingsForm(instance=organisation))
    context.setdefault("token_form", ApiTokenForm(organisation=organisation, on=today))
    api_tokens = access.visible_api_tokens(request.user).select_related("created_by")
    return render(
        request,
        "trips/organisation_settings.html",
        context
        | {
            "organisation": organisation,
            "history": audit.setting_changes(organisation),
            "api_tokens": [(token, token.is_usable(on=today)) for token in api_tokens],
            "calendar_years": organisation.calendar_years.all(),
            "this_year": timezone.localdate().year,
            "confirmed_until": stays.BUILT_IN_CONFIRMED_UNTIL,
        },
    )


@require_http_methods(["GET", "POST"])
def calendar_year_update(request: StaysiteRequest) -> HttpResponse:
    """One year's Kazakh days off and transferred working days; `?year=` picks the year."""
    access.require(access.can_change_settings(request.user))
    organisation = Organisation.objects.get(pk=access.own_organisation_id(request.user))
    if request.method == "POST":
        form = calendars.CalendarYearForm(request.POST)
        if form.is_valid():
            with transaction.atomic():
                calendar = calendars.save(organisation, form)
                # New working days move eQonaq deadlines: the worker re-evaluates everyone,
                # queued in this transaction so that a saved calendar is never left unapplied.
                tasks.refresh_organisation.enqueue(
                    organisation.pk, timezone.localdate().isoformat()
                )
                snapshots.organisation_changed(organisation.pk)
            messages.success(
                request, _("The calendar of %(year)d was saved.") % {"year": calendar.year}
            )
            return redirect("trips:organisation_settings")
    else:
        chosen = calendars.CalendarYearForm.base_fields["year"]
        try:
            year = chosen.clean(request.GET.get("year") or timezone.localdate().year)
        except forms.ValidationError:
            year = timezone.localdate().year
        form = calendars.CalendarYearForm(initial=calendars.initial(organisation, year))
    return render(
        request,
        "trips/calendar_year_form.html",
        {"form": form, "organisation": organisation},
    )


urlpatterns = [
    path("settings/", organisation_settings, name="organisation_settings"),
    path("settings/api-tokens/", api_token_create, name="api_token_create"),
    path("settings/api-tokens/<int:token_pk>/revoke/", api_token_revoke, name="api_token_revoke"),
    path("settings/calendar/", calendar_year_update, name="calendar_year_update"),
]
