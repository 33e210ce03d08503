"""Webhooks: the endpoints an organisation registers, the events it is told, each delivery.

An event is written in the transaction of the change it reports, with one delivery per
active endpoint; the worker sends them (trips/delivery/webhooks.py). Each endpoint signs with
its own secret; every attempt is kept with its status code, so compliance can read the log.
"""

from __future__ import annotations

import base64
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from trips.models.accounts import Organisation


class WebhookEventKind(models.TextChoices):
    TRAVELLER_STATUS_CHANGED = "traveller.status_changed", _("A traveller's status changed")
    ALERT_OPENED = "alert.opened", _("An alert opened")
    ALERT_RESOLVED = "alert.resolved", _("An alert was resolved")
    TRIP_CREATED = "trip.created", _("A trip was recorded")
    TRIP_CHANGED = "trip.changed", _("A trip was changed")
    TRIP_DELETED = "trip.deleted", _("A trip was deleted")


def new_secret() -> str:
    """A signing secret as Standard Webhooks spell it: "whsec_" and 32 random bytes, base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookEndpoint(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("organisation"),
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=80, default=new_secret)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Failed attempts in a row; past STAYSITE_WEBHOOK_DISABLE_AFTER the endpoint is disabled.
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url


class WebhookEvent(models.Model):
    """What happened, once per organisation: its id is the deliveries' `webhook-id`, so a
    receiver drops an event it has seen (a resend, a retry after a lost answer)."""

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="+")
    kind = models.CharField(_("event"), max_length=40, choices=WebhookEventKind)
    # The traveller it is about: a receiver gets one traveller's events in the order they
    # happened (delivery waits for the earlier ones).
    traveller_id = models.BigIntegerField(_("traveller"))
    data = models.JSONField(_("data"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(WebhookEndpoint, models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, models.CASCADE, related_name="deliveries")
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(
                fields=["endpoint", "next_attempt_at"],
                condition=Q(state="pending"),
                name="trips_webhook_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint}"


class WebhookAttempt(models.Model):
    """One try to deliver: the delivery log compliance reads."""

    delivery = models.ForeignKey(WebhookDelivery, models.CASCADE, related_name="log")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    # Why no status code came back (refused address, timeout, connection refused): data.
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.delivery}: {self.status_code or self.error}"
