"""Files between steps: an import waiting for confirmation, the column names an organisation's
files use, and the private calendar feeds."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ImportPreview(models.Model):
    """A checked trip file waiting for HR's confirmation (trips/files/import_preview.py).

    Nothing of the file is saved as trips until the uploader confirms; then `new_trips` is
    saved in one transaction, provided the trips of the travellers it names still have the
    `fingerprint` they had when the file was checked.
    """

    # How long a preview waits for its confirmation; the daily run deletes older ones.
    KEEP = timedelta(hours=24)

    token = models.CharField(_("token"), max_length=43, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="import_previews",
        verbose_name=_("uploaded by"),
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("checked at"), auto_now_add=True)
    checked_on = models.DateField(_("checked on"))
    rows = models.JSONField(_("rows and their outcome"), default=list)
    new_trips = models.JSONField(_("trips to save"), default=list)
    new_travellers = models.JSONField(_("travellers to create"), default=list)
    changes = models.JSONField(_("status changes"), default=list)
    fingerprint = models.CharField(_("fingerprint of the affected trips"), max_length=64)
    saved_at = models.DateTimeField(_("saved at"), null=True, blank=True)
    # How the file was read (encoding, delimiter, header row, columns read and ignored), and
    # its lines as text until it is confirmed, so that its columns can be mapped again.
    reading = models.JSONField(_("how the file was read"), default=dict)
    lines = models.JSONField(_("the file's lines"), default=list)
    # Once confirmed, the preview is the import's batch: what it created, by kind and pk
    # ({"trips": [...], "visas": [...], "travellers": [...]}), so it can be reverted.
    created = models.JSONField(_("records created"), default=dict)
    reverted_at = models.DateTimeField(_("reverted at"), null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reverted by"),
    )
    # What the revert kept, and why: [{"kind": "trip", "label": "...", "reason": "changed"}].
    not_reverted = models.JSONField(_("records kept by the revert"), default=list)

    class Meta:
        verbose_name = _("trip import preview")
        verbose_name_plural = _("trip import previews")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("trips:import_preview", args=[self.token])


class ImportColumnName(models.Model):
    """A column name an organisation's files use for a field, as a user mapped it in a preview;
    the next file with a column of that name is read alike."""

    organisation = models.ForeignKey(
        "trips.Organisation",
        models.CASCADE,
        related_name="import_column_names",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("column name, normalised"), max_length=100)
    field = models.CharField(_("field"), max_length=20)

    class Meta:
        verbose_name = _("import column name")
        verbose_name_plural = _("import column names")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="trips_importcolumnname_one_per_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.field}"


class CalendarFeed(models.Model):
    """A user's private calendar address: only a hash of its secret token is kept."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("user"),
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder, days before"),
        default=3,
        help_text=_("Days before each latest legal exit and deadline; 0: no reminder."),
    )

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reminder_days__lte=60),
                name="trips_calendarfeed_reminder_within_60_days",
                violation_error_message=_("A reminder comes at most 60 days before."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"
