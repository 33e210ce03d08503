"""The naive day-by-day reference of `rules.check` (the JSON contract in docs/rules.md).

Deliberately slow and plain: every figure is computed from a set of presence days by looping over
calendar days, so each line can be checked against the contract text by eye. The fast engine in
`rules/` must give exactly the same report; `tests/rules/test_against_naive.py` holds it to that.

Decisions where the contract leaves room (each also listed in docs/rules.md):

- Stays are merged when they overlap or share a day; a re-entry the day after an exit starts a new
  stay (RULES.md §1, `merge_adjacent = false`). "Presence days before E" include the days of an
  adjacent stay that ended on E-1.
- The KZ 90/180 rule's effective-from date (2023-01-27, RULES.md §2) is not applied: the contract
  defines every figure without it, so days before 2023-01-27 count like any other day.
- `stay_after_open_stay`: another stay whose entry is later than the open stay's entry. A stay that
  starts on or before the open stay's entry is merged with it like any other overlapping stay.
- Errors are checked in this order: `bad_request` (the whole request is parsed first), then
  `exit_before_entry`, `multiple_open_stays`, `open_stay_starts_after_query_date`,
  `stay_after_open_stay`, `planned_entry_is_a_presence_day`.
- Dates must be strings of exactly the form YYYY-MM-DD (`date.fromisoformat` alone would also
  accept "20260301"). `stays` is required (it may be empty); a missing `exit` means `null`.
  `reentry_lengths` must be a list of integers >= 1 (bools are not integers here). Unknown keys,
  at the top level or in `options`, are ignored.
- `earliest_reentry` is `null` when the request has no `reentry_lengths`, otherwise an object whose
  keys are the lengths as strings (JSON object keys are strings). "None within 1000 days" means no
  legal E in [S, S+999].
- `overstay_days` is 0 and `overstay_tier` / `overstay_band` are "none" when there is no current
  stay and no past stay (nothing is overstayed); tier and band stay null for `schengen`.
- Schengen nulls: `overstay_tier`, `overstay_band`, `relevant_stay_entry`, `registration_*` and
  `eqonaq_*` (Kazakh rules). The tax keys (DTA DE-KZ art. 15 applies in both directions) and
  `days_in_calendar_year` are computed for both regimes.
- `registration_required` is a boolean whenever there is a relevant stay (KZ);
  `registration_deadline` is null unless it is required. The length of a merged stay that contains
  the open stay runs up to `on`, or to a later exit of a stay merged with it.
- `eqonaq_deadline_calendar` is E+3 whatever `eqonaq_counts_arrival_day` says (the contract's
  formula).
- Working-day calendar. Without `holidays` in the request: the `holidays` package's KZ public
  holidays (holidays 0.109 lists the moved days off, e.g. "2025-01-03 Демалыс күні (05.01.2025
  бастап ауыстырылды)", and weekend holidays' substitute days) plus its `weekend_workdays`
  (Saturdays/Sundays made working days by government transfer, e.g. 2025-01-05), plus the request's
  `extra_working_days`. With `holidays` in the request, even empty, the built-in calendar is
  replaced whole (its transferred working days too): Monday-Friday not in `holidays`, or any day in
  `extra_working_days`.
- Tax window "(on minus one calendar year, on]": one calendar year before 29 Feb is 28 Feb, so the
  window after 29 Feb 2024 starts on 1 Mar 2023. The crossing date is searched over presence days
  only: the window's start never moves backwards, so the count can only go up on a presence day.
"""

import re
from datetime import date, timedelta

import holidays as holidays_package

try:
    from rules import RequestError
except ImportError:  # the fast engine is not there yet

    class RequestError(Exception):
        def __init__(self, code: str, message: str):
            super().__init__(message)
            self.code = code
            self.message = message


# The report's keys, in the contract's order.
REPORT_KEYS = [
    "present_on_query_date",
    "current_stay_entry",
    "current_stay_length",
    "days_used",
    "remaining",
    "excess_days",
    "latest_legal_exit",
    "overstay_stay_entry",
    "overstay_days",
    "overstay_tier",
    "overstay_band",
    "planned_latest_legal_exit",
    "planned_max_stay_days",
    "earliest_reentry",
    "plan_compliant",
    "first_violation_date",
    "relevant_stay_entry",
    "registration_required",
    "registration_deadline",
    "eqonaq_deadline",
    "eqonaq_deadline_calendar",
    "days_in_calendar_year",
    "tax_days",
    "tax_183_crossing_date",
    "tax_183_exceeded",
]
REGIMES = ("kz_visa_free", "schengen")
TAX_WINDOWS = ("12_months", "365_days")
WINDOW_DAYS = 180
MAX_DAYS = 90
KZ_PER_STAY_CAP = 30
REGISTRATION_THRESHOLD = 30
TAX_THRESHOLD = 183
TAX_PROJECTION_DAYS = 400
REENTRY_SEARCH_DAYS = 1000
ONE_DAY = timedelta(days=1)
# DAYS[k] is k days; made once, because building a timedelta in the inner loops is what makes
# this module slow.
DAYS = tuple(timedelta(days=k) for k in range(400))
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")


def check(request: dict) -> dict:
    """The report for one request (docs/rules.md, "The JSON contract")."""
    req = parse(request)
    regime = req["regime"]
    on = req["on"]
    kz = regime == "kz_visa_free"
    stays = merged_stays(req["stays"], on)
    presence = presence_days(stays)

    report = {}

    current = stay_containing(stays, on)
    report["present_on_query_date"] = on in presence
    report["current_stay_entry"] = iso(current[0]) if current else None
    report["current_stay_length"] = days_between(current[0], on) if current else None

    used = used_on(presence, on)
    report["days_used"] = used
    report["remaining"] = max(0, MAX_DAYS - used)
    report["excess_days"] = max(0, used - MAX_DAYS)

    report["latest_legal_exit"] = (
        iso(latest_legal_day(presence, current[0], kz)) if current else None
    )

    # Overstay: the current stay, else the last stay that ended before `on`.
    if current:
        overstay_stay, overstay_end = current, on
    else:
        past = [stay for stay in stays if stay[1] < on]
        overstay_stay = past[-1] if past else None
        overstay_end = overstay_stay[1] if overstay_stay else None
    if overstay_stay:
        last_legal = latest_legal_day(presence, overstay_stay[0], kz)
        overstay = 0
        day = overstay_stay[0]
        while day <= overstay_end:
            if last_legal is None or day > last_legal:
                overstay += 1
            day += ONE_DAY
        report["overstay_stay_entry"] = iso(overstay_stay[0])
    else:
        overstay = 0
        report["overstay_stay_entry"] = None
    report["overstay_days"] = overstay
    report["overstay_tier"] = overstay_tier(overstay) if kz else None
    report["overstay_band"] = overstay_band(overstay) if kz else None

    planned = req["planned_entry"]
    if planned is not None:
        last_legal = latest_legal_day(presence, planned, kz)
        report["planned_latest_legal_exit"] = iso(last_legal)
        report["planned_max_stay_days"] = days_between(planned, last_legal) if last_legal else 0
    else:
        report["planned_latest_legal_exit"] = None
        report["planned_max_stay_days"] = None

    if req["reentry_lengths"] is None:
        report["earliest_reentry"] = None
    else:
        history = {day for day in presence if day <= on}
        start = on + ONE_DAY if on in presence else on
        report["earliest_reentry"] = {
            str(length): iso(earliest_reentry(history, start, length, kz))
            for length in req["reentry_lengths"]
        }

    violation = first_violation(stays, presence, kz)
    report["plan_compliant"] = violation is None
    report["first_violation_date"] = iso(violation)

    relevant = relevant_stay(stays, on, current) if kz else None
    if relevant:
        entry, end = relevant
        required = days_between(entry, end) > REGISTRATION_THRESHOLD
        report["relevant_stay_entry"] = iso(entry)
        report["registration_required"] = required
        report["registration_deadline"] = iso(entry + timedelta(days=29)) if required else None
        is_working = working_day_test(req, entry)
        counts_arrival = req["options"]["eqonaq_counts_arrival_day"]
        report["eqonaq_deadline"] = iso(third_working_day(entry, counts_arrival, is_working))
        report["eqonaq_deadline_calendar"] = iso(entry + timedelta(days=3))
    else:
        for key in (
            "relevant_stay_entry",
            "registration_required",
            "registration_deadline",
            "eqonaq_deadline",
            "eqonaq_deadline_calendar",
        ):
            report[key] = None

    first_of_year = date(on.year, 1, 1)
    report["days_in_calendar_year"] = sum(1 for day in presence if first_of_year <= day <= on)

    tax_window = req["options"]["tax_window"]
    report["tax_days"] = tax_days_on(presence, on, tax_window)
    crossing = tax_crossing(req["stays"], on, tax_window)
    report["tax_183_crossing_date"] = iso(crossing)
    report["tax_183_exceeded"] = crossing is not None and crossing <= on
    return report


# Parsing and validation


def bad_request(message: str) -> RequestError:
    return RequestError("bad_request", message)


def parse_date(value, field: str) -> date:
    if not isinstance(value, str) or not DATE_PATTERN.fullmatch(value):
        raise bad_request(f"{field}: expected a date as YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise bad_request(f"{field}: {value!r} is not a valid date") from None


def parse_date_list(value, field: str) -> list[date]:
    if not isinstance(value, list):
        raise bad_request(f"{field}: expected a list of dates")
    return [parse_date(item, f"{field}[{i}]") for i, item in enumerate(value)]


def parse(request) -> dict:
    if not isinstance(request, dict):
        raise bad_request("request: expected a JSON object")
    regime = request.get("regime")
    if regime not in REGIMES:
        raise bad_request(f"regime: unknown regime {regime!r}")
    on = parse_date(request.get("on"), "on")

    raw_stays = request.get("stays")
    if not isinstance(raw_stays, list):
        raise bad_request("stays: expected a list of stays")
    stays = []
    for i, raw in enumerate(raw_stays):
        if not isinstance(raw, dict):
            raise bad_request(f"stays[{i}]: expected an object with entry and exit")
        entry = parse_date(raw.get("entry"), f"stays[{i}].entry")
        exit_ = raw.get("exit")
        exit_ = None if exit_ is None else parse_date(exit_, f"stays[{i}].exit")
        stays.append((entry, exit_))

    planned = request.get("planned_entry")
    planned = None if planned is None else parse_date(planned, "planned_entry")

    lengths = request.get("reentry_lengths")
    if lengths is not None and not (
        isinstance(lengths, list)
        and all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in lengths)
    ):
        raise bad_request("reentry_lengths: expected a list of whole numbers of days >= 1")

    given_holidays = request.get("holidays")
    if given_holidays is not None:
        given_holidays = set(parse_date_list(given_holidays, "holidays"))
    extra = request.get("extra_working_days")
    extra = set() if extra is None else set(parse_date_list(extra, "extra_working_days"))

    raw_options = request.get("options")
    if raw_options is None:
        raw_options = {}
    if not isinstance(raw_options, dict):
        raise bad_request("options: expected an object")
    counts_arrival = raw_options.get("eqonaq_counts_arrival_day", True)
    if not isinstance(counts_arrival, bool):
        raise bad_request("options.eqonaq_counts_arrival_day: expected true or false")
    tax_window = raw_options.get("tax_window", "12_months")
    if tax_window not in TAX_WINDOWS:
        raise bad_request(f"options.tax_window: unknown window {tax_window!r}")

    for i, (entry, exit_) in enumerate(stays):
        if exit_ is not None and exit_ < entry:
            raise RequestError("exit_before_entry", f"stays[{i}]: exit {exit_} is before entry")
    open_stays = [entry for entry, exit_ in stays if exit_ is None]
    if len(open_stays) > 1:
        raise RequestError("multiple_open_stays", "stays: more than one stay has no exit")
    if open_stays:
        open_entry = open_stays[0]
        if open_entry > on:
            raise RequestError(
                "open_stay_starts_after_query_date",
                f"stays: the open stay starts on {open_entry}, after on {on}",
            )
        if any(entry > open_entry for entry, _ in stays):
            raise RequestError(
                "stay_after_open_stay", "stays: a stay starts after the open stay began"
            )
    if planned is not None and planned in presence_days(merged_stays(stays, on)):
        raise RequestError(
            "planned_entry_is_a_presence_day",
            f"planned_entry: {planned} is already a day of presence",
        )

    return {
        "regime": regime,
        "on": on,
        "stays": stays,
        "planned_entry": planned,
        "reentry_lengths": lengths,
        "holidays": given_holidays,
        "extra_working_days": extra,
        "options": {"eqonaq_counts_arrival_day": counts_arrival, "tax_window": tax_window},
    }


# Stays and presence days


def merged_stays(stays: list, on: date) -> list[tuple[date, date]]:
    """Stays as (entry, last day) with overlapping or day-sharing stays merged, sorted.

    An open stay's last day is `on`. A stay that starts the day after another ends is kept
    separate (adjacent stays are not merged).
    """
    spans = sorted((entry, on if exit_ is None else exit_) for entry, exit_ in stays)
    merged = []
    for entry, end in spans:
        if merged and entry <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((entry, end))
    return merged


def presence_days(stays: list[tuple[date, date]]) -> set[date]:
    days = set()
    for entry, end in stays:
        day = entry
        while day <= end:
            days.add(day)
            day += ONE_DAY
    return days


def stay_containing(stays, day: date):
    for entry, end in stays:
        if entry <= day <= end:
            return (entry, end)
    return None


def relevant_stay(stays, on: date, current):
    if current:
        return current
    future = [stay for stay in stays if stay[0] > on]
    if future:
        return future[0]
    past = [stay for stay in stays if stay[1] < on]
    return past[-1] if past else None


def days_between(first: date, last: date) -> int:
    """Number of days in [first, last], both included."""
    return (last - first).days + 1


# 90/180 and the per-stay cap


def used_on(presence: set[date], day: date) -> int:
    """Presence days in the 180-day window [day-179, day]."""
    return sum(1 for back in range(WINDOW_DAYS) if day - DAYS[back] in presence)


def latest_legal_day(history: set[date], entry: date, kz: bool):
    """L(entry): the last day L >= entry such that every day x of [entry, L] passes the test.

    The contract's test: (presence days before entry within [x-179, x]) + (x-entry+1) <= 90, and
    for KZ also x-entry+1 <= 30. None when entry itself fails.
    """
    before = {day for day in history if day < entry}
    last = None
    day = entry
    while True:
        days_of_stay = days_between(entry, day)
        if kz and days_of_stay > KZ_PER_STAY_CAP:
            return last
        if used_on(before, day) + days_of_stay > MAX_DAYS:
            return last
        last = day
        day += ONE_DAY


def earliest_reentry(history: set[date], start: date, length: int, kz: bool):
    """First E >= start whose stay [E, E+length-1] is legal, i.e. L(E) >= E+length-1."""
    if length > MAX_DAYS or (kz and length > KZ_PER_STAY_CAP):
        return None
    for offset in range(REENTRY_SEARCH_DAYS):
        entry = start + timedelta(days=offset)
        last_legal = latest_legal_day(history, entry, kz)
        if last_legal is not None and days_between(entry, last_legal) >= length:
            return entry
    return None


def first_violation(stays, presence: set[date], kz: bool):
    for entry, end in stays:
        day = entry
        while day <= end:
            if used_on(presence, day) > MAX_DAYS:
                return day
            if kz and days_between(entry, day) > KZ_PER_STAY_CAP:
                return day
            day += ONE_DAY
    return None


def overstay_tier(days: int) -> str:
    if days == 0:
        return "none"
    return "warning" if days <= 3 else "sanction"


def overstay_band(days: int) -> str:
    if days == 0:
        return "none"
    if days <= 3:
        return "1-3"
    if days <= 5:
        return "4-5"
    if days <= 10:
        return "6-10"
    return ">10"


# eQonaq working days


def working_day_test(req: dict, entry: date):
    """A function telling whether a day is a Kazakh working day (see the module docstring)."""
    extra = set(req["extra_working_days"])
    if req["holidays"] is not None:
        days_off = req["holidays"]
    else:
        calendar = holidays_package.country_holidays(
            "KZ", years=range(entry.year - 1, entry.year + 2)
        )
        days_off = set(calendar.keys())
        extra |= set(calendar.weekend_workdays)

    def is_working(day: date) -> bool:
        return (day.weekday() < 5 and day not in days_off) or day in extra

    return is_working


def third_working_day(entry: date, counts_arrival_day: bool, is_working) -> date:
    day = entry if counts_arrival_day else entry + ONE_DAY
    found = 0
    while True:
        if is_working(day):
            found += 1
            if found == 3:
                return day
        day += ONE_DAY


# Tax: DTA DE-KZ art. 15


def one_calendar_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 Feb
        return date(day.year - 1, 2, 28)


def tax_window_days(day: date, tax_window: str) -> list[date]:
    """The days of the window ending on `day`: [day-364, day] or (day minus a year, day]."""
    if tax_window == "365_days":
        return [day - DAYS[back] for back in range(365)]
    first = one_calendar_year_before(day) + ONE_DAY
    return [first + DAYS[i] for i in range((day - first).days + 1)]


def tax_days_on(presence: set[date], day: date, tax_window: str) -> int:
    return sum(1 for d in tax_window_days(day, tax_window) if d in presence)


def tax_crossing(raw_stays: list, on: date, tax_window: str):
    projected_end = on + timedelta(days=TAX_PROJECTION_DAYS)
    projected = presence_days(merged_stays(raw_stays, projected_end))
    for day in sorted(projected):
        if tax_days_on(projected, day, tax_window) > TAX_THRESHOLD:
            return day
    return None


def iso(day):
    return None if day is None else day.isoformat()
