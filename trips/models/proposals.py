"""A traveller's proposed correction of a recorded trip, which HR accepts or rejects.

A recorded border crossing is HR's to change; the traveller proposes, and the trip changes
only when HR accepts (through the same form and checks as HR's own edit).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trips import dates
from trips.countries import COUNTRIES
from trips.models.domain import Trip


class TripCorrection(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    trip = models.ForeignKey(
        Trip, models.CASCADE, related_name="corrections", verbose_name=_("trip")
    )
    country = models.CharField(_("country"), max_length=2, choices=COUNTRIES)
    entry = models.DateField(_("entry"))
    exit = models.DateField(_("exit"), null=True, blank=True, help_text=_("Empty: still there."))
    note = models.TextField(_("why"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("proposed correction")
        verbose_name_plural = _("proposed corrections")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(exit__isnull=True) | Q(exit__gte=F("entry")),
                name="trips_correction_exit_after_entry",
                violation_error_message=_("The exit date is before the entry date."),
            ),
            models.UniqueConstraint(
                fields=["trip"],
                condition=Q(state="proposed"),
                name="trips_correction_one_open_per_trip",
                violation_error_message=_("This trip already has a correction waiting for HR."),
            ),
            models.CheckConstraint(
                condition=Q(state="proposed", decided_at__isnull=True)
                | (~Q(state="proposed") & Q(decided_at__isnull=False)),
                name="trips_correction_decided_when_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trip}: {dates.span(self.entry, self.exit)}"

    @property
    def span(self) -> str:
        return dates.span(self.entry, self.exit)
