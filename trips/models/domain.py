"""Travellers and what the law is applied to: their trips and visas.

Invariants live in the database: the constraints below, and on PostgreSQL the exclusion
constraint on trip dates (migration 0002). `clean()` adds only what SQLite cannot say.
"""

from __future__ import annotations

import math
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trips import dates
from trips.choices import Purpose, Status, VisaKind, visa_name
from trips.countries import COUNTRIES, country_name
from trips.models.accounts import Organisation, User
from trips.models.search import Fold, fold


class TravellerQuerySet(models.QuerySet["Traveller"]):
    def active(self) -> TravellerQuerySet:
        return self.filter(active=True)

    def lock(self) -> list[int]:
        """Lock these travellers' rows until the transaction ends; their pks, in order.

        Every change to a traveller's records and every refresh of their figures takes this
        lock first, so that a refresh never computes from data an edit is about to replace.
        Always in pk order, so that two callers locking several travellers cannot deadlock.
        SQLite has no row locks: there its write transactions already run one at a time.
        """
        return list(self.select_for_update().order_by("pk").values_list("pk", flat=True))

    def search(self, text: str) -> TravellerQuerySet:
        # No stored text holds a NUL (PostgreSQL cannot store one): it matches nothing, and
        # PostgreSQL would refuse the query.
        text = text.replace("\x00", "").strip()
        if not text:
            return self
        # Names and emails without case or accents (trips/models/search.py), each compared
        # as the trigram indexes of migration 0022 hold it.
        folded = fold(text).upper()
        return self.annotate(
            name_folded=Upper(Fold("name")), email_folded=Upper(Fold("email"))
        ).filter(
            Q(name_folded__contains=folded)
            | Q(employee_number__icontains=text)
            | Q(email_folded__contains=folded)
        )

    def with_status(self, status: str) -> TravellerQuerySet:
        """Travellers whose status light is `status`; an unknown or empty one filters nothing."""
        if status == Status.OK:
            # No snapshot yet: nothing recorded, so nothing to worry about.
            return self.filter(Q(snapshot__status=status) | Q(snapshot__isnull=True))
        if status in Status.values:
            return self.filter(snapshot__status=status)
        return self


class Traveller(models.Model):
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="travellers", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    employee_number = models.CharField(_("employee number"), max_length=40)
    citizenship = models.CharField(
        _("citizenship"),
        max_length=2,
        choices=COUNTRIES,
        help_text=_(
            "Decides which rules apply: a German in Kazakhstan is visa-free, "
            "a Kazakh in the Schengen area needs a visa."
        ),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="traveller",
        verbose_name=_("user account"),
        help_text=_("Lets the traveller log in and see their own page."),
    )
    hr_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_travellers",
        verbose_name=_("HR owner"),
        help_text=_("Receives this traveller's alerts by email."),
    )
    language = models.CharField(
        _("language for emails"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    active = models.BooleanField(_("active"), default=True)
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    objects = TravellerQuerySet.as_manager()
    history = HistoricalRecords()
    # Set before save() for django-simple-history's row: who made the change and why.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("traveller")
        verbose_name_plural = _("travellers")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "employee_number"],
                name="trips_traveller_unique_employee_number",
                violation_error_message=_(
                    "Another traveller in this organisation has this employee number."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_number})"

    def get_absolute_url(self) -> str:
        return reverse("trips:traveller_detail", args=[self.pk])

    def clean(self) -> None:
        # The form has no organisation field, so Django skips the unique constraint there.
        if self.organisation_id and self.employee_number:
            taken = Traveller.objects.filter(
                organisation_id=self.organisation_id, employee_number=self.employee_number
            ).exclude(pk=self.pk)
            if taken.exists():
                raise ValidationError(
                    {
                        "employee_number": _(
                            "Another traveller in this organisation has this employee number."
                        )
                    }
                )


class Visa(models.Model):
    """A visa or residence permit; a trip may name one as its stay basis."""

    Kind = VisaKind

    traveller = models.ForeignKey(
        Traveller, models.CASCADE, related_name="visas", verbose_name=_("traveller")
    )
    country = models.CharField(_("issued by"), max_length=2, choices=COUNTRIES)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind)
    number = models.CharField(_("number"), max_length=60, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    entries_allowed = models.PositiveSmallIntegerField(
        _("entries allowed"), null=True, blank=True, help_text=_("Empty: multiple entries.")
    )
    days_allowed = models.PositiveSmallIntegerField(
        _("days of stay allowed"),
        null=True,
        blank=True,
        help_text=_("Empty: the whole validity (the sticker's 'duration of stay' otherwise)."),
    )

    history = HistoricalRecords()
    # Set before save() for django-simple-history's row: who made the change and why.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("visa or permit")
        verbose_name_plural = _("visas and permits")
        ordering = ["-valid_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")),
                name="trips_visa_valid_until_after_valid_from",
                violation_error_message=_("The visa expires before it becomes valid."),
            ),
            models.CheckConstraint(
                condition=Q(entries_allowed__isnull=True) | Q(entries_allowed__gte=1),
                name="trips_visa_at_least_one_entry",
                violation_error_message=_("A visa allows at least one entry."),
            ),
            models.CheckConstraint(
                condition=Q(days_allowed__isnull=True) | Q(days_allowed__gte=1),
                name="trips_visa_at_least_one_day",
                violation_error_message=_("A visa allows at least one day of stay."),
            ),
        ]

    def __str__(self) -> str:
        return visa_name(self.kind, self.number)

    def clean(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError(
                {
                    "valid_until": _("Valid until %(until)s is before valid from %(from)s")
                    % {"until": dates.day(self.valid_until), "from": dates.day(self.valid_from)}
                }
            )

    def covers(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_until


class TripQuerySet(models.QuerySet["Trip"]):
    def overlapping(self, entry: date, exit: date | None) -> TripQuerySet:
        """Trips sharing at least one day with [entry, exit] (exit None: still there)."""
        trips = self.filter(Q(exit__isnull=True) | Q(exit__gte=entry))
        return trips if exit is None else trips.filter(entry__lte=exit)

    def open(self) -> TripQuerySet:
        return self.filter(exit__isnull=True)

    def in_country(self, country: str) -> TripQuerySet:
        return self.filter(country=country)


class Trip(models.Model):
    traveller = models.ForeignKey(
        Traveller, models.CASCADE, related_name="trips", verbose_name=_("traveller")
    )
    country = models.CharField(_("country"), max_length=2, choices=COUNTRIES)
    entry = models.DateField(_("entry"))
    exit = models.DateField(_("exit"), null=True, blank=True, help_text=_("Empty: still there."))
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose, default=Purpose.BUSINESS_MEETING
    )
    visa = models.ForeignKey(
        Visa,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="trips",
        verbose_name=_("stay basis"),
        help_text=_("Empty: visa-free."),
    )
    host = models.CharField(_("host / inviting party"), max_length=200, blank=True)
    address = models.CharField(_("address in the country"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The traveller's own plan (a planned trip, or the planned exit of the current stay): it
    # counts at once, and the page marks it as theirs until HR saves the trip.
    traveller_planned = models.BooleanField(_("planned by the traveller"), default=False)
    # Raised by every save through a form (trips/forms.py, VersionedForm): an edit made from
    # an older version is refused instead of overwriting what someone saved meanwhile.
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    objects = TripQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])
    # Set before save() for django-simple-history's row: who made the change and why.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("trip")
        verbose_name_plural = _("trips")
        ordering = ["-entry", "-pk"]
        indexes = [models.Index(fields=["traveller", "entry"], name="trips_trip_traveller_entry")]
        constraints = [
            models.CheckConstraint(
                condition=Q(exit__isnull=True) | Q(exit__gte=F("entry")),
                name="trips_trip_exit_after_entry",
                violation_error_message=_("The exit date is before the entry date."),
            ),
            models.UniqueConstraint(
                fields=["traveller"],
                condition=Q(exit__isnull=True),
                name="trips_trip_one_open_trip",
                violation_error_message=_(
                    "This traveller already has a trip without an exit date."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country_name} {self.period}"

    def clean(self) -> None:
        """What the constraints say, in words next to the field, plus what they cannot say.

        The no-overlap rule is a PostgreSQL exclusion constraint (migration 0002); SQLite has
        none, and a form would only see PostgreSQL's error as a crash, so it is checked here.
        """
        if self.entry is None or not self.traveller_id:
            return
        # Each message has a code, which the API passes on (trips/api/errors.py).
        errors: dict[str, list[ValidationError]] = {}
        if self.exit is not None and self.exit < self.entry:
            errors.setdefault("exit", []).append(
                ValidationError(
                    _("Exit %(exit)s is before entry %(entry)s")
                    % {"exit": dates.day(self.exit), "entry": dates.day(self.entry)},
                    code="exit_before_entry",
                )
            )
        else:
            others = Trip.objects.filter(traveller_id=self.traveller_id).exclude(pk=self.pk)
            if self.exit is None and others.open().exists():
                errors.setdefault("exit", []).append(
                    ValidationError(
                        _("This traveller already has a trip without an exit date"),
                        code="open_trip",
                    )
                )
            for other in self.conflicting_trips():
                # Name the conflict next to the date that runs into it.
                field = "exit" if other.entry > self.entry else "entry"
                errors.setdefault(field, []).append(
                    ValidationError(
                        _("Overlaps the trip %(span)s") % {"span": other.span}, code="overlap"
                    )
                )
        if self.visa is not None and self.visa.traveller_id != self.traveller_id:
            errors.setdefault("visa", []).append(
                ValidationError(_("This visa belongs to another traveller."), code="other_visa")
            )
        if errors:
            raise ValidationError(errors)

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def span(self) -> str:
        return dates.span(self.entry, self.exit)

    @property
    def period(self) -> str:
        if self.exit is None:
            return _("%(entry)s – still there") % {"entry": dates.day(self.entry)}
        return dates.span(self.entry, self.exit)

    def is_planned(self, *, on: date) -> bool:
        """A trip that starts after `on` is a plan, not a record of a border crossing."""
        return self.entry > on

    def half_day_span(self) -> tuple[int, float]:
        """The trip as a closed range of half-days, for the no-overlap rule.

        A person is in one place, but leaving one country and entering another on the same day
        counts as a day in both (docs/rules.md §11, SBC art. 6(2)): one trip may begin on the day
        another ends. A trip of several days claims its inner half-days only, so that it may
        touch a neighbour at either end; a one-day trip claims its whole day. Migration 0002
        states the same rule as a PostgreSQL exclusion constraint.
        """
        entry = self.entry.toordinal()
        if self.exit == self.entry:
            return 2 * entry, 2 * entry
        high = math.inf if self.exit is None else 2 * self.exit.toordinal() - 1
        return 2 * entry + 1, high

    def conflicts_with(self, other: Trip) -> bool:
        low, high = self.half_day_span()
        other_low, other_high = other.half_day_span()
        return low <= other_high and other_low <= high

    def conflicting_trips(self) -> list[Trip]:
        candidates = Trip.objects.filter(traveller_id=self.traveller_id).overlapping(
            self.entry, self.exit
        )
        if self.pk:
            candidates = candidates.exclude(pk=self.pk)
        return [trip for trip in candidates.order_by("entry") if self.conflicts_with(trip)]
