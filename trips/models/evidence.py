"""Proof attached to a trip, a visa or an eQonaq notification: a photo or PDF of a stamp, a
boarding pass, an eQonaq receipt, a registration certificate.

The file itself lives in the `evidence` storage (settings.STORAGES, a file system by default),
named by its SHA-256; only an access-checked view serves it (trips/views/evidence.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trips.models.domain import Traveller, Trip, Visa
from trips.models.filings import Notification


def evidence_storage():
    return storages["evidence"]


class Evidence(models.Model):
    class Kind(models.TextChoices):
        STAMP = "stamp", _("passport stamp")
        BOARDING_PASS = "boarding_pass", _("boarding pass")
        EQONAQ_RECEIPT = "eqonaq_receipt", _("eQonaq receipt")
        REGISTRATION = "registration", _("registration certificate")
        OTHER = "other", _("other proof")

    traveller = models.ForeignKey(
        Traveller, models.CASCADE, related_name="evidence", verbose_name=_("traveller")
    )
    trip = models.ForeignKey(
        Trip,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("trip"),
    )
    visa = models.ForeignKey(
        Visa,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("visa"),
    )
    notification = models.ForeignKey(
        Notification,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("eQonaq notification"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.STAMP)
    content_type = models.CharField(_("content type"), max_length=40)
    file = models.FileField(_("file"), storage=evidence_storage, max_length=200)
    thumbnail = models.FileField(
        _("thumbnail"), storage=evidence_storage, max_length=200, blank=True
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(trip__isnull=False, visa__isnull=True, notification__isnull=True)
                    | Q(trip__isnull=True, visa__isnull=False, notification__isnull=True)
                    | Q(trip__isnull=True, visa__isnull=True, notification__isnull=False)
                ),
                name="trips_evidence_one_subject",
                violation_error_message=_("Proof belongs to one trip, visa or notification."),
            ),
            models.CheckConstraint(
                condition=Q(content_type__in=["image/jpeg", "image/png", "application/pdf"]),
                name="trips_evidence_content_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.sha256[:12]})"

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"
