"""Temporary registration for visa-free stays longer than 30 days (§4, low confidence)."""

from dataclasses import dataclass
from datetime import date, timedelta

from rules.types import DEFAULTS, Parameters


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
    """A stay of more than 30 days needs a registration by its 30th day, entry + 29 (§4).

    The sources give no deadline; the permit must be in place before day 31, so the default is
    the last day of the exempt 30-day period.
    """
    if length > threshold_days:
        return Registration(True, entry + timedelta(days=deadline_day - 1))
    return Registration(False, None)


def registration_upcoming(entry: date, *, on: date, params: Parameters = DEFAULTS) -> date | None:
    """The registration deadline of an open stay, from `registration_lead_days` before it.

    An open stay has no exit yet, so it may pass 30 days: the registration must be in place by
    day 30 (docs/rules.md §4), and a warning that comes on day 31 comes too late. None when the
    stay is already past the threshold (then `registration` says it is required) or the
    deadline is further away than the lead days.
    """
    deadline = entry + timedelta(days=params.registration_deadline_day - 1)
    length = (on - entry).days + 1
    if length > params.registration_threshold_days:
        return None
    if on < deadline - timedelta(days=params.registration_lead_days):
        return None
    return deadline
