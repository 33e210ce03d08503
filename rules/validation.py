"""Impossible input, refused in the contract's order (docs/rules.md, "The JSON contract")."""

from collections.abc import Sequence
from datetime import date

from rules.errors import RequestError
from rules.types import EARLIEST_DAY, LATEST_DAY

Span = tuple[int, int | None]  # (entry, exit) as day ordinals; exit None: still present

_EARLIEST = EARLIEST_DAY.toordinal()
_LATEST = LATEST_DAY.toordinal()


def _d(day: int) -> str:
    return date.fromordinal(day).isoformat()


def _in_range(day: int, field: str) -> None:
    if not _EARLIEST <= day <= _LATEST:
        raise RequestError(
            "bad_request",
            f"{field}: {_d(day)} is outside the dates this engine counts "
            f"({EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()})",
        )


def validate(raw: Sequence[Span], *, on: int, planned_entry: int | None = None) -> None:
    """Raises `RequestError` for impossible input, in the contract's order of precedence."""
    # Windows reach a year back and projections years on: dates near the ends of the calendar
    # would overflow, so they are refused first, like any malformed field.
    _in_range(on, "on")
    for i, (entry, exit_) in enumerate(raw):
        # The field name is only formatted on an error: this loop runs for every request.
        if not _EARLIEST <= entry <= _LATEST:
            _in_range(entry, f"stays[{i}].entry")
        if exit_ is not None and not _EARLIEST <= exit_ <= _LATEST:
            _in_range(exit_, f"stays[{i}].exit")
    if planned_entry is not None:
        _in_range(planned_entry, "planned_entry")
    for i, (entry, exit_) in enumerate(raw):
        if exit_ is not None and exit_ < entry:
            raise RequestError(
                "exit_before_entry", f"stays[{i}]: exit {_d(exit_)} is before entry {_d(entry)}"
            )
    _validate_open_stay(raw, on)
    if planned_entry is not None:
        for i, (entry, exit_) in enumerate(raw):
            if entry <= planned_entry <= (on if exit_ is None else exit_):
                raise RequestError(
                    "planned_entry_is_a_presence_day",
                    f"planned_entry: {_d(planned_entry)} is already a day of stays[{i}]",
                )


def _validate_open_stay(raw: Sequence[Span], on: int) -> None:
    """At most one open stay, begun by `on`, and no stay entered after it began."""
    open_stays = [i for i, (_, exit_) in enumerate(raw) if exit_ is None]
    if len(open_stays) > 1:
        raise RequestError(
            "multiple_open_stays",
            f"stays: stays {', '.join(str(i) for i in open_stays)} all have no exit; "
            "only one stay can still be running",
        )
    if not open_stays:
        return
    i = open_stays[0]
    open_entry = raw[i][0]
    if open_entry > on:
        raise RequestError(
            "open_stay_starts_after_query_date",
            f"stays[{i}]: the open stay starts on {_d(open_entry)}, after the query date {_d(on)}",
        )
    for j, (entry, _) in enumerate(raw):
        # Entering again after the open stay began is impossible without an exit.
        if entry > open_entry:
            raise RequestError(
                "stay_after_open_stay",
                f"stays[{j}]: starts on {_d(entry)}, after the open stay "
                f"stays[{i}] began on {_d(open_entry)}",
            )
