"""Webhooks (compliance): the organisation's endpoints, the delivery log, resending.

Each endpoint has its own signing secret, shown here: the receiver needs it to check the
signatures (docs/api.md, "Webhooks"). The worker sends (trips/delivery/webhooks.py).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from trips import access
from trips.http import StaysiteRequest
from trips.models import Organisation, WebhookEndpoint
from trips.upkeep import tasks

LOG_LENGTH = 50


class WebhookEndpointForm(forms.ModelForm):
    class Meta:
        model = WebhookEndpoint
        fields = ["url"]
        help_texts = {
            "url": gettext_lazy(
                "An HTTPS address of your HR system, e.g. https://hr.example.com/staysite."
            )
        }

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        loopback = settings.STAYSITE_WEBHOOK_ALLOW_LOOPBACK and url.startswith("http://")
        if not url.startswith("https://") and not loopback:
            raise forms.ValidationError(
                _("Give an HTTPS address: events are sent over HTTPS only."), code="not_https"
            )
        return url


@require_http_methods(["GET", "POST"])
def webhook_list(request: StaysiteRequest) -> HttpResponse:
    access.require(access.can_manage_webhooks(request.user))
    organisation = Organisation.objects.get(pk=access.own_organisation_id(request.user))
    form = WebhookEndpointForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        endpoint = form.save(commit=False)
        endpoint.created_by = request.user
        endpoint.save()
        messages.success(request, _("Events will be sent to %(url)s.") % {"url": endpoint.url})
        return redirect("trips:webhook_list")
    deliveries = (
        access.visible_webhook_deliveries(request.user)
        .select_related("event", "endpoint")
        .prefetch_related("log")[:LOG_LENGTH]
    )
    context = {
        "form": form,
        "endpoints": access.visible_webhook_endpoints(request.user),
        "deliveries": deliveries,
    }
    return render(request, "trips/webhook_list.html", context)


@require_POST
def webhook_resend(request: StaysiteRequest, delivery_pk: int) -> HttpResponse:
    access.require(access.can_manage_webhooks(request.user))
    delivery = get_object_or_404(access.visible_webhook_deliveries(request.user), pk=delivery_pk)
    tasks.resend_webhook(delivery)
    messages.success(request, _("The event will be sent again."))
    return redirect("trips:webhook_list")


@require_POST
def webhook_enable(request: StaysiteRequest, endpoint_pk: int) -> HttpResponse:
    """Send to a disabled endpoint again, with a clean count of failures."""
    access.require(access.can_manage_webhooks(request.user))
    endpoint = get_object_or_404(access.visible_webhook_endpoints(request.user), pk=endpoint_pk)
    endpoint.failures, endpoint.disabled_at = 0, None
    endpoint.save(update_fields=["failures", "disabled_at"])
    messages.success(request, _("Events will be sent to %(url)s.") % {"url": endpoint.url})
    return redirect("trips:webhook_list")


@require_POST
def webhook_delete(request: StaysiteRequest, endpoint_pk: int) -> HttpResponse:
    access.require(access.can_manage_webhooks(request.user))
    endpoint = get_object_or_404(access.visible_webhook_endpoints(request.user), pk=endpoint_pk)
    endpoint.delete()
    messages.success(request, _("No more events go to %(url)s.") % {"url": endpoint.url})
    return redirect("trips:webhook_list")


urlpatterns = [
    path("settings/webhooks/", webhook_list, name="webhook_list"),
    path("settings/webhooks/<int:endpoint_pk>/enable/", webhook_enable, name="webhook_enable"),
    path("settings/webhooks/<int:endpoint_pk>/delete/", webhook_delete, name="webhook_delete"),
    path(
        "settings/webhooks/deliveries/<int:delivery_pk>/resend/",
        webhook_resend,
        name="webhook_resend",
    ),
]
