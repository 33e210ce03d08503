"""Temporary registration for visa-free stays longer than 30 days (RULES.md §4, low confidence)."""

from dataclasses import dataclass
from datetime import date, timedelta

from rules.types import DEFAULTS


@dataclass(frozen=True, slots=True)
class Registration:
    """Whether a stay needs a temporary registration and by when."""

    required: bool
    deadline: date | None


def registration(
    entry: date,
    length: int,
    *,
    threshold_days: int = DEFAULTS.registration_threshold_days,
    deadline_day: int = DEFAULTS.registration_deadline_day,
) -> Registration:
    """A stay of more than 30 days needs a registration by its 30th day, entry + 29 (RULES.md §4).

    The sources give no deadline; the permit must be in place before day 31, so the default is
    the last day of the exempt 30-day period.
    """
    if length > threshold_days:
        return Registration(True, entry + timedelta(days=deadline_day - 1))
    return Registration(False, None)
