"""The eQonaq filings: a traveller's address changes and the notifications the host sends."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trips import dates
from trips.models.accounts import User
from trips.models.domain import Trip


class AddressChange(models.Model):
    """A move during a trip: it creates the duty to notify eQonaq again (docs/rules.md §3)."""

    trip = models.ForeignKey(
        Trip, models.CASCADE, related_name="address_changes", verbose_name=_("trip")
    )
    changed_on = models.DateField(_("moved on"))
    new_address = models.CharField(_("new address"), max_length=300)
    recorded_by_traveller = models.BooleanField(_("recorded by the traveller"), default=False)

    history = HistoricalRecords()
    # Set before save() for django-simple-history's row: who made the change and why.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("address change")
        verbose_name_plural = _("address changes")
        ordering = ["changed_on", "pk"]

    def __str__(self) -> str:
        return f"{dates.day(self.changed_on)}: {self.new_address}"

    def clean(self) -> None:
        if self.changed_on is None or not self.trip_id:
            return
        trip = self.trip
        if self.changed_on < trip.entry or (trip.exit is not None and self.changed_on > trip.exit):
            raise ValidationError(
                {
                    "changed_on": _("%(day)s is outside the trip %(span)s")
                    % {"day": dates.day(self.changed_on), "span": trip.span}
                }
            )


class Notification(models.Model):
    """An eQonaq notification the host filed for an arrival or an address change."""

    class Reason(models.TextChoices):
        ARRIVAL = "arrival", _("Arrival")
        ADDRESS_CHANGE = "address_change", _("Address change")

    trip = models.ForeignKey(
        Trip, models.CASCADE, related_name="notifications", verbose_name=_("trip")
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason, default=Reason.ARRIVAL)
    address_change = models.ForeignKey(
        AddressChange,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("address change"),
    )
    address = models.CharField(_("address"), max_length=300)
    filed_on = models.DateField(_("filed on"))
    reference = models.CharField(_("reference number"), max_length=60, blank=True)

    history = HistoricalRecords()
    # Set before save() for django-simple-history's row: who made the change and why.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("eQonaq notification")
        verbose_name_plural = _("eQonaq notifications")
        ordering = ["filed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason="arrival", address_change__isnull=True)
                | Q(reason="address_change", address_change__isnull=False),
                name="trips_notification_reason_matches_address_change",
                violation_error_message=_(
                    "A notification for an address change names that change; "
                    "one for an arrival names none."
                ),
            ),
        ]

    def __str__(self) -> str:
        filed = dates.day(self.filed_on)
        return f"{self.get_reason_display()} {filed} {self.reference}".strip()

    def clean(self) -> None:
        """A notification follows its event, and an address change's one names a change of its trip.

        The reason/address change pairing is also a constraint; saying it here puts the words
        next to the field.
        """
        if not self.trip_id:
            return
        errors: dict[str, str | Promise] = {}
        event_day = self.trip.entry
        if self.reason == self.Reason.ADDRESS_CHANGE:
            if self.address_change is None:
                errors["address_change"] = _("Choose the address change this notification is for.")
            elif self.address_change.trip_id != self.trip_id:
                errors["address_change"] = _("This address change belongs to another trip.")
            else:
                event_day = self.address_change.changed_on
        elif self.address_change_id is not None:
            errors["address_change"] = _("An arrival notification names no address change.")
        late_enough = self.filed_on is None or self.filed_on >= event_day
        if not late_enough and "address_change" not in errors:
            errors["filed_on"] = _("Filed on %(filed)s, before the event on %(day)s") % {
                "filed": dates.day(self.filed_on),
                "day": dates.day(event_day),
            }
        if errors:
            raise ValidationError(errors)
