"""The forms every way in shares: travellers, trips, visas, address changes, eQonaq
notifications, and the alert queue's filter, assignment and resolution (pages and API alike).

Each form is made for one traveller (or one trip): the choices it offers are that traveller's
own, and the instance it validates already knows whose it is, so the model's `clean()` and
constraints see the whole record. A tampered choice from another traveller is refused with a
message, like any other bad input.
"""

from __future__ import annotations

from datetime import date
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from trips.choices import AlertKind
from trips.dates import EARLIEST_DAY, LATEST_DAY, day
from trips.evaluation import stays
from trips.models import (
    AddressChange,
    Alert,
    Evidence,
    Notification,
    Traveller,
    Trip,
    TripCorrection,
    User,
    Visa,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The browser's date picker sends and expects ISO dates, whatever the language.
        super().__init__(attrs, format="%Y-%m-%d")


def within_years(value: date) -> None:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValidationError(
            _("Give a date between %(first)s and %(last)s.")
            % {"first": day(EARLIEST_DAY), "last": day(LATEST_DAY)},
            code="out_of_range",
        )


class DayField(forms.DateField):
    """A calendar day, as the date picker sends it, within the years a stay can concern."""

    widget = DateInput
    default_validators = [within_years]


class TravellerForm(forms.ModelForm):
    class Meta:
        model = Traveller
        fields = [
            "name",
            "email",
            "employee_number",
            "citizenship",
            "user",
            "hr_owner",
            "language",
            "active",
        ]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        members = User.objects.filter(organisation=organisation, is_active=True)
        self.fields["user"].queryset = members.filter(role=User.Role.TRAVELLER).filter(
            # A login belongs to one traveller: offer the free ones and this one's own.
            traveller__isnull=True
        ) | members.filter(pk=self.instance.user_id)
        self.fields["hr_owner"].queryset = members.filter(
            role__in=[User.Role.HR, User.Role.COMPLIANCE]
        )


class VersionedForm(forms.ModelForm):
    """An edit form that refuses to overwrite a change saved since it was loaded.

    The record's `version` travels with the form as a hidden field. Saving checks it against
    the database (trips/evaluation/services.py re-validates under the traveller's lock, so two saves
    cannot both pass) and raises it by one: the second of two people editing the same record
    is told to reload, and nothing is silently overwritten.
    """

    # Text, not a number field: a hidden field's own error would show nowhere on the page.
    version = forms.CharField(widget=forms.HiddenInput, required=False, strip=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        model = type(self.instance)
        current = model.objects.filter(pk=self.instance.pk).values_list("version", flat=True)
        self.saved_version = current.first()
        sent = cleaned.get("version", "")
        # A client that sends no version asks for no check; one that sends one gets it.
        if self.saved_version is None or (sent and sent != str(self.saved_version)):
            raise forms.ValidationError(
                _(
                    "Someone else changed this %(record)s meanwhile. Reload the page to see "
                    "their change, then make yours again."
                )
                % {"record": model._meta.verbose_name},
                code="changed_meanwhile",
            )
        return cleaned

    def save(self, commit=True):
        if self.instance.pk is not None:
            self.instance.version = self.saved_version + 1
        return super().save(commit)


class TripForm(VersionedForm):
    class Meta:
        model = Trip
        fields = ["country", "entry", "exit", "purpose", "visa", "host", "address", "notes"]
        field_classes = {"entry": DayField, "exit": DayField}
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, traveller: Traveller, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.traveller = traveller
        visa = cast(forms.ModelChoiceField, self.fields["visa"])  # a foreign key's field
        visa.queryset = traveller.visas.all()
        visa.empty_label = _("Visa-free")
        self.fields["visa"].error_messages["invalid_choice"] = _(
            "Choose one of this traveller's own visas."
        )

    def clean(self):
        cleaned = super().clean()
        visa, country, entry = (cleaned.get(k) for k in ("visa", "country", "entry"))
        if visa and country and entry and not stays.visa_serves(visa, country=country, day=entry):
            self.add_error(
                "visa",
                forms.ValidationError(
                    _("No visa valid on %(day)s for this trip") % {"day": day(entry)},
                    code="visa_not_valid",
                ),
            )
        return cleaned


class VisaForm(forms.ModelForm):
    class Meta:
        model = Visa
        fields = [
            "country",
            "kind",
            "number",
            "valid_from",
            "valid_until",
            "entries_allowed",
            "days_allowed",
        ]
        field_classes = {"valid_from": DayField, "valid_until": DayField}

    def __init__(self, *args, traveller: Traveller, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.traveller = traveller


class AddressChangeForm(forms.ModelForm):
    class Meta:
        model = AddressChange
        fields = ["changed_on", "new_address"]
        field_classes = {"changed_on": DayField}

    def __init__(self, *args, trip: Trip, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.trip = trip


class NotificationForm(forms.ModelForm):
    class Meta:
        model = Notification
        fields = ["reason", "address_change", "address", "filed_on", "reference"]
        field_classes = {"filed_on": DayField}

    def __init__(self, *args, trip: Trip, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.trip = trip
        # A foreign key's form field.
        address_change = cast(forms.ModelChoiceField, self.fields["address_change"])
        address_change.queryset = trip.address_changes.all()
        self.fields["address_change"].help_text = _("Only for a notification of an address change.")
        self.fields["address_change"].error_messages["invalid_choice"] = _(
            "Choose one of this trip's address changes."
        )

    def _post_clean(self):
        # A refused choice leaves the instance without an address change; the model would then
        # add "choose one" to "not one of this trip's": keep the message about what was sent.
        refused = self.errors.get("address_change")
        refused = refused.copy() if refused else None
        super()._post_clean()
        if refused:
            self._errors["address_change"] = refused


class AlertFilterForm(forms.Form):
    STATES = [
        ("", _("Open and acknowledged")),
        *Alert.State.choices,
        ("all", _("All")),
    ]

    q = forms.CharField(label=_("Traveller"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All"))], required=False)
    state = forms.ChoiceField(label=_("State"), choices=STATES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All")), *AlertKind.choices]

    def filter(self, alerts):
        data = self.cleaned_data if self.is_valid() else {}
        alerts = alerts.in_state(data.get("state", ""))
        if data.get("kind"):
            alerts = alerts.filter(kind=data["kind"])
        if data.get("q", "").strip():
            alerts = alerts.filter(traveller__name__icontains=data["q"].strip())
        return alerts


class AssignForm(forms.Form):
    assignee: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Assign to"), queryset=None, empty_label=_("Nobody"), required=False
    )

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("Resolution note"),
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": _("What was done")}),
        error_messages={"required": _("Say how it was resolved: a note is required.")},
    )


def trip_form_with(trip: Trip, **changes) -> TripForm:
    """HR's own trip form, bound to `trip` as saved with `changes` made: a traveller's planned
    exit or a proposed correction passes exactly the checks an edit by HR would."""
    data = {
        "country": trip.country,
        "entry": trip.entry,
        "exit": trip.exit,
        "purpose": trip.purpose,
        "visa": trip.visa_id,
        "host": trip.host,
        "address": trip.address,
        "notes": trip.notes,
        "version": trip.version,
    } | changes
    data = {k: ("" if v is None else v) for k, v in data.items()}
    # A fresh copy: validating writes the changes into the instance, and `trip` stays as saved.
    fresh = Trip.objects.select_related("traveller", "visa").get(pk=trip.pk)
    return TripForm(data, instance=fresh, traveller=fresh.traveller)


class PlannedExitForm(forms.Form):
    """The day the traveller means to leave the country they are in."""

    exit = DayField(label=_("Planned exit"))

    def __init__(self, *args, trip: Trip, on: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.trip, self.on = trip, on

    def clean_exit(self):
        exit = self.cleaned_data["exit"]
        if exit < self.on:
            raise ValidationError(
                _("The planned exit cannot be before today, %(day)s.") % {"day": day(self.on)},
                code="exit_in_past",
            )
        return exit

    def trip_form(self) -> TripForm:
        """The trip form that saves it, with every check of an edit by HR."""
        return trip_form_with(self.trip, exit=self.cleaned_data["exit"])


class TripCorrectionForm(forms.ModelForm):
    """A traveller's proposed correction of a recorded trip, checked as HR's edit would be."""

    class Meta:
        model = TripCorrection
        fields = ["country", "entry", "exit", "note"]
        field_classes = {"entry": DayField, "exit": DayField}
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, trip: Trip, **kwargs):
        kwargs.setdefault(
            "initial", {"country": trip.country, "entry": trip.entry, "exit": trip.exit}
        )
        super().__init__(*args, **kwargs)
        self.instance.trip = trip
        self.fields["note"].help_text = _("What was wrong, and how you know (e.g. the stamp).")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        trip = self.instance.trip
        changes = {k: cleaned.get(k) for k in ("country", "entry", "exit")}
        if all(changes[k] == getattr(trip, k) for k in changes):
            raise ValidationError(
                _("The correction changes nothing: give the right dates or country."),
                code="no_change",
            )
        check = trip_form_with(trip, **changes)
        if not check.is_valid():
            for field, errors in check.errors.items():
                target = field if field in self.fields else None
                for error in errors:
                    self.add_error(target, error)
        return cleaned


class EvidenceForm(forms.Form):
    """A proof file and what it proves; its content is checked by `trips.files.evidence`."""

    subject = forms.ChoiceField(label=_("Proof of"))
    kind = forms.ChoiceField(label=_("Kind of proof"), choices=Evidence.Kind.choices)
    file = forms.FileField(
        label=_("Photo or PDF"),
        help_text=_("JPEG, PNG, HEIC or PDF. Location data is removed from photos."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/heic,application/pdf"}
        ),
    )

    def __init__(self, *args, subjects: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["subject"]).choices = subjects
