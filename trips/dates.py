"""How a day reads, on every page, form message and email: one format per language.

The format itself is the language's `DATE_FORMAT` (English's is set in `staysite/formats/`).
"""

from __future__ import annotations

from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _

# The days a trip, visa or notification can be on: a record outside them is a typing error.
# The law counts windows of up to a few years around every day; the engine refuses dates near
# the calendar's own ends (year 1, year 9999), which have no room for them.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2199, 12, 31)


def day(value: date | str | None) -> str:
    """A day as every page, form message and email shows it, in the reader's language."""
    if not value:
        return "–"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return formats.date_format(value, "DATE_FORMAT")


def span(entry: date, exit: date | None) -> str:
    """A trip's days: "March 2, 2026 – March 11, 2026", or the entry with no exit yet."""
    if exit is None:
        return _("%(entry)s - no exit date") % {"entry": day(entry)}
    if exit == entry:
        return day(entry)
    return f"{day(entry)} – {day(exit)}"
