"""A compliance admin's correction of one year's Kazakh working-day calendar (docs/rules.md §3).

Kazakhstan moves its days off by decree every year; the built-in calendar may lack a year's
transfers. The form takes the year's days off and its transferred working days as two lists of
dates, one a line, prefilled from the saved year or else from the built-in calendar.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from trips.dates import EARLIEST_DAY, LATEST_DAY
from trips.evaluation import stays
from trips.models import CalendarYear, Organisation


def _lines(dates: list[date]) -> str:
    return "\n".join(day.isoformat() for day in dates)


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(
        label=_("year"),
        min_value=EARLIEST_DAY.year,
        max_value=LATEST_DAY.year,
    )
    holidays = forms.CharField(
        label=_("days off"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One date a line, as YYYY-MM-DD: public holidays and transferred days off."),
    )
    transferred_working_days = forms.CharField(
        label=_("transferred working days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One date a line: Saturdays or Sundays made working days by decree."),
    )

    def _dates(self, name: str) -> list[date]:
        year = self.cleaned_data.get("year")
        found = set()
        for number, line in enumerate(self.cleaned_data.get(name, "").splitlines(), start=1):
            text = line.strip()
            if not text:
                continue
            try:
                day = date.fromisoformat(text) if len(text) == 10 else None
            except ValueError:
                day = None
            if day is None:
                raise forms.ValidationError(
                    _("Line %(number)d: %(text)s is not a date as YYYY-MM-DD.")
                    % {"number": number, "text": text}
                )
            if year is not None and day.year != year:
                raise forms.ValidationError(
                    _("Line %(number)d: %(day)s is not in %(year)d.")
                    % {"number": number, "day": text, "year": year}
                )
            found.add(day)
        return sorted(found)

    def clean_holidays(self) -> list[date]:
        return self._dates("holidays")

    def clean_transferred_working_days(self) -> list[date]:
        return self._dates("transferred_working_days")


def initial(organisation: Organisation, year: int) -> dict:
    """The form's values for `year`: the saved calendar, else the built-in one."""
    saved = organisation.calendar_years.filter(year=year).first()
    if saved is not None:
        days_off, working = saved.days_off(), saved.working_days()
    else:
        days_off, working = stays.built_in_calendar(year)
    return {
        "year": year,
        "holidays": _lines(days_off),
        "transferred_working_days": _lines(working),
    }


def save(organisation: Organisation, form: CalendarYearForm) -> CalendarYear:
    """Saves the year's two lists; the history records who changed them."""
    data = form.cleaned_data
    calendar, _created = CalendarYear.objects.update_or_create(
        organisation=organisation,
        year=data["year"],
        defaults={
            "holidays": [day.isoformat() for day in data["holidays"]],
            "transferred_working_days": [
                day.isoformat() for day in data["transferred_working_days"]
            ],
        },
    )
    return calendar
