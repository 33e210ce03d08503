"""The JSON contract: `check(request) -> report` (docs/rules.md, "The JSON contract")."""

import re
from dataclasses import fields, replace
from datetime import date
from functools import lru_cache
from typing import Any

from rules.engine import figures_of, report_of
from rules.errors import RequestError
from rules.types import DEFAULTS, OPTION_RANGES, TAX_WINDOWS, Parameters, Regime, Stay
from rules.visa_requests import counted_spans, parse_visas, visa_figures

_REGIMES = frozenset(regime.value for regime in Regime)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Each option takes the type of its default (bool, int, str or a date as YYYY-MM-DD).
_OPTION_TYPES: dict[str, object] = {field.name: type(field.default) for field in fields(Parameters)}


def _bad(message: str) -> RequestError:
    return RequestError("bad_request", message)


@lru_cache(maxsize=8192)
def _iso_date(value: str) -> date | None:
    """The date of a YYYY-MM-DD string, None if it is not one; cached, as histories repeat."""
    # Only YYYY-MM-DD: date.fromisoformat alone would also take "20260301".
    if len(value) != 10 or not _DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


# Day ordinals of the valid YYYY-MM-DD strings seen so far (bounded): histories repeat, and a
# request whose dates are all here skips the field-by-field parse of its stays.
_ORDINALS: dict[str, int] = {}


def _iso_ordinal(value: str) -> int | None:
    found = _ORDINALS.get(value)
    if found is not None:
        return found
    parsed = _iso_date(value)
    if parsed is None:
        return None
    if len(_ORDINALS) < 65536:
        _ORDINALS[value] = parsed.toordinal()
    return parsed.toordinal()


def _known_stays(raw_stays: list[Any]) -> list[tuple[int, int | None]] | None:
    """The stays as ordinals when every date is one seen before, else None (then the full
    parse runs and names the field of any error)."""
    known = _ORDINALS
    try:
        return [
            (known[s["entry"]], None if (x := s.get("exit")) is None else known[x])
            for s in raw_stays
        ]
    except (KeyError, TypeError, AttributeError):
        return None


def _date(value: object, field: str) -> date:
    parsed = _iso_date(value) if isinstance(value, str) else None
    if parsed is None:
        raise _bad(f"{field}: expected a valid date as YYYY-MM-DD, got {value!r}")
    return parsed


def _dates(value: object, field: str) -> list[date]:
    if not isinstance(value, list):
        raise _bad(f"{field}: expected a list of dates")
    return [_date(item, f"{field}[{i}]") for i, item in enumerate(value)]


def _options(value: object) -> Parameters:
    """Request options: any parameter of `Parameters` by name (§15); others are ignored."""
    if value is None:
        return DEFAULTS
    if not isinstance(value, dict):
        raise _bad("options: expected an object")
    changes = {}
    for name, option in value.items():
        field = f"options.{name}"
        kind = _OPTION_TYPES.get(name)
        if kind is None:
            # Like unknown top-level keys: a caller may send settings this engine has not got.
            continue
        if kind is bool:
            if not isinstance(option, bool):
                raise _bad(f"{field}: expected true or false")
        elif kind is int:
            least, most = OPTION_RANGES[name]
            if (
                isinstance(option, bool)
                or not isinstance(option, int)
                or not least <= option <= most
            ):
                raise _bad(f"{field}: expected a whole number from {least} to {most}")
        elif kind is date:
            option = _date(option, field)
        elif not isinstance(option, str):
            raise _bad(f"{field}: expected a string")
        changes[name] = option
    if changes.get("tax_window", DEFAULTS.tax_window) not in TAX_WINDOWS:
        raise _bad(f"options.tax_window: unknown window {changes['tax_window']!r}")
    try:
        return replace(DEFAULTS, **changes)
    except ValueError as error:
        raise _bad(f"options: {error}") from None


def _parse_stays(raw_stays: list[Any]) -> list[tuple[int, int | None]]:
    """The stays as ordinals, field by field; raises `RequestError` naming a malformed one."""
    stays = []
    for i, raw in enumerate(raw_stays):
        if not isinstance(raw, dict):
            raise _bad(f"stays[{i}]: expected an object with entry and exit")
        # The field name is only formatted on an error: this loop is the hot path of check().
        entry = raw.get("entry")
        entry_day = _iso_ordinal(entry) if isinstance(entry, str) else None
        if entry_day is None:
            entry_day = _date(entry, f"stays[{i}].entry").toordinal()
        exit_ = raw.get("exit")
        exit_day = None
        if exit_ is not None:
            exit_day = _iso_ordinal(exit_) if isinstance(exit_, str) else None
            if exit_day is None:
                _date(exit_, f"stays[{i}].exit")
        stays.append((entry_day, exit_day))
    return stays


def _parse(request: object) -> tuple[list[tuple[int, int | None]], dict[str, Any]]:
    """The stays as day ordinals and the other arguments of `assess`; raises `RequestError`."""
    if not isinstance(request, dict):
        raise _bad("request: expected a JSON object")
    regime = request.get("regime")
    if not isinstance(regime, str) or regime not in _REGIMES:
        raise _bad(f"regime: unknown regime {regime!r}")
    on = _date(request.get("on"), "on")

    raw_stays = request.get("stays")
    if not isinstance(raw_stays, list):
        raise _bad("stays: expected a list of stays")
    stays = _known_stays(raw_stays) or _parse_stays(raw_stays)

    planned = request.get("planned_entry")
    planned = None if planned is None else _date(planned, "planned_entry")

    lengths = request.get("reentry_lengths")
    if lengths is not None:
        if not isinstance(lengths, list):
            raise _bad("reentry_lengths: expected a list of whole numbers of days")
        for i, n in enumerate(lengths):
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise _bad(f"reentry_lengths[{i}]: expected a whole number of days >= 1")

    holidays = request.get("holidays")
    holidays = None if holidays is None else _dates(holidays, "holidays")
    extra = request.get("extra_working_days")
    extra = [] if extra is None else _dates(extra, "extra_working_days")
    transferred = request.get("transferred_working_days")
    if transferred is not None:
        transferred = _dates(transferred, "transferred_working_days")
    years = request.get("calendar_years")
    if years is not None and not (
        isinstance(years, list)
        and all(isinstance(y, int) and not isinstance(y, bool) and 1 <= y <= 9999 for y in years)
    ):
        raise _bad("calendar_years: expected a list of years such as 2026")
    citizenship = request.get("citizenship")
    if citizenship is not None and not (
        isinstance(citizenship, str) and len(citizenship) == 2 and citizenship.isupper()
    ):
        raise _bad(f"citizenship: expected a two-letter code such as DE, not {citizenship!r}")

    return stays, {
        "regime": Regime(regime),
        "on": on,
        "planned_entry": planned,
        "reentry_lengths": lengths,
        "holidays": holidays,
        "extra_working_days": extra,
        "options": _options(request.get("options")),
        "transferred_working_days": transferred,
        "calendar_years": years,
        "citizenship": citizenship,
    }


def parse_request(request: object) -> dict[str, Any]:
    """The keyword arguments of `assess` (stays as `Stay`) for a JSON request."""
    stays, arguments = _parse(request)
    return {
        "stays": [
            Stay(date.fromordinal(entry), None if exit_ is None else date.fromordinal(exit_))
            for entry, exit_ in stays
        ],
        **arguments,
    }


def check(request: dict[str, Any]) -> dict[str, Any]:
    """The report for one JSON request, as JSON-ready values.

    Raises `RequestError` with the contract's code: `bad_request` for anything malformed
    (checked first, the message names the field), then `exit_before_entry`,
    `multiple_open_stays`, `open_stay_starts_after_query_date`, `stay_after_open_stay`,
    `planned_entry_is_a_presence_day`.
    """
    stays, arguments = _parse(request)
    given = request.get("visas")
    if given is None:
        return report_of(figures_of(stays, **arguments))
    params = arguments["options"]
    visas, links = parse_visas(given, request["stays"], params)
    found = figures_of(stays, counted=counted_spans(stays, visas, links), **arguments)
    found["visas"] = visa_figures(stays, visas, links, on=arguments["on"], params=params)
    return report_of(found)
