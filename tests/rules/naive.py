"""The naive day-by-day reference of `rules.check` (the JSON contract in docs/rules.md).

Deliberately slow and plain: every figure is computed from a set of presence days by looping over
calendar days, so each line can be checked against the contract text by eye. The fast engine in
`rules/` must give exactly the same report; `tests/rules/test_against_naive.py` holds it to that.

Decisions where the contract leaves room (each also listed in docs/rules.md):

- Stays are merged when they overlap or share a day; a re-entry the day after an exit starts a new
  stay (docs/rules.md §1, `merge_adjacent = false`). "Presence days before E" include the days of an
  adjacent stay that ended on E-1.
- The KZ 90/180 rule binds stays entered from 2023-01-27 (§2, option `kz_90_180_from`);
  earlier stays are held to the 30-day cap only. A stay entered later counts every presence day
  in its windows, those before 2023-01-27 included.
- Same-day re-entry (docs/rules.md §1): merged by default; with `merge_same_day_reentry` false the
  re-entry is a stay of its own that shares its first day with the stay before. `depends_on`
  names the option when the other choice changes a key of `VERDICT_KEYS`.
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
- Working-day calendar: the `holidays` package's KZ public holidays (holidays 0.109 lists the
  moved days off, e.g. "2025-01-03 Демалыс күні (05.01.2025 бастап ауыстырылды)", and weekend
  holidays' substitute days) are the days off; its `weekend_workdays` (Saturdays/Sundays made
  working days by government transfer, e.g. 2025-01-05) the transferred working days. A request's
  `holidays` replaces the days off, its `transferred_working_days` the transferred working days,
  each only in `calendar_years` when those are given; `extra_working_days` are always working.
- Tax window "(on minus one calendar year, on]": one calendar year before 29 Feb is 28 Feb, so the
  window after 29 Feb 2024 starts on 1 Mar 2023. The crossing date is searched over presence days
  only: the window's start never moves backwards, so the count can only go up on a presence day.
  The crossing reported is the first one from the start of on's own window on; the next one is
  the first after a day from `on` on whose window is back at 183 days or fewer.
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
    "tax_183_next_crossing_date",
    "registration_upcoming_deadline",
    "eqonaq_calendar_confirmed",
    "citizenship_modelled",
    "depends_on",
]
# The keys that make the verdict: `depends_on` names the same-day choice when one differs.
VERDICT_KEYS = [
    "latest_legal_exit",
    "overstay_days",
    "overstay_tier",
    "planned_latest_legal_exit",
    "earliest_reentry",
    "plan_compliant",
    "first_violation_date",
    "registration_required",
    "registration_deadline",
    "registration_upcoming_deadline",
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
EARLIEST_DAY = date(100, 1, 1)
LATEST_DAY = date(9899, 12, 31)
KZ_90_180_FROM = date(2023, 1, 27)
# The limits by citizenship (docs/rules.md §15): per-stay cap and the limit in 180 days.
EAEU = {"AM", "BY", "KG", "RU"}
FOURTEEN_DAYS = {"CN", "IN", "IR"}
SCHENGEN_LAW = {"periods": [(None, None, MAX_DAYS)], "annual": None}
# docs/rules.md §15a: 14/42 for India, Iran and China from 8 Jul 2022; China 30/90 from 10 Nov 2023.
CHINA_THIRTY_FROM = date(2023, 11, 10)
# SBC art. 6 binds third-country nationals only: EU, EEA and Swiss citizens are not counted.
FREE_MOVEMENT = {
    *("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT"),
    *("LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO"),
    "CH",
}


def limits_for(law: dict, entry: date):
    """(cap, limit) of a stay entered on `entry`: the last period starting on or before it."""
    cap, limit = None, None
    for start, period_cap, period_limit in law["periods"]:
        if start is None or start <= entry:
            cap, limit = period_cap, period_limit
    return cap, limit


def check(request: dict) -> dict:
    """The report for one request (docs/rules.md, "The JSON contract").

    Later keys: `depends_on` lists `merge_same_day_reentry` when the other choice changes one
    of `VERDICT_KEYS`; `citizenship_modelled` is null without a citizenship.
    """
    req = parse(request)
    # The same-day choice is a Kazakh rule (docs/rules.md §1); Schengen counts presence days.
    schengen = req["regime"] == "schengen"
    merge_same_day = schengen or req["options"]["merge_same_day_reentry"]
    report = figures(req, merge_same_day)
    depends_on = []
    if not schengen and len(merged_stays(req["stays"], req["on"])) != len(
        merged_stays(req["stays"], req["on"], join_same_day=False)
    ):
        other = figures(req, not merge_same_day)
        if any(report[key] != other[key] for key in VERDICT_KEYS):
            depends_on = ["merge_same_day_reentry"]
    if schengen and req["citizenship_modelled"] is False:
        # SBC art. 6 does not bind EU, EEA and Swiss citizens: no limit, no overstay.
        start = req["on"] + ONE_DAY if report["present_on_query_date"] else req["on"]
        report["excess_days"] = 0
        report["latest_legal_exit"] = None
        report["overstay_days"] = 0
        report["planned_latest_legal_exit"] = None
        report["planned_max_stay_days"] = None
        if report["earliest_reentry"] is not None:
            report["earliest_reentry"] = {n: iso(start) for n in report["earliest_reentry"]}
        report["plan_compliant"] = True
        report["first_violation_date"] = None
    report["citizenship_modelled"] = req["citizenship_modelled"]
    report["depends_on"] = depends_on
    return report


def figures(req: dict, merge_same_day: bool) -> dict:
    """Every key but `citizenship_modelled` and `depends_on`, with one same-day choice."""
    regime = req["regime"]
    on = req["on"]
    kz = regime == "kz_visa_free"
    law = req["law"] if kz else SCHENGEN_LAW
    # Border crossings: stays sharing a day are one stay only when `merge_same_day`.
    stays = merged_stays(req["stays"], on, join_same_day=merge_same_day)
    presence = presence_days(stays)

    report = {}

    current = stay_containing(stays, on)
    report["present_on_query_date"] = on in presence
    report["current_stay_entry"] = iso(current[0]) if current else None
    report["current_stay_length"] = days_between(current[0], on) if current else None

    used = used_on(presence, on)
    report["days_used"] = used
    limit_now = limits_for(law, current[0] if current else on)[1] or MAX_DAYS
    report["remaining"] = max(0, limit_now - used)
    report["excess_days"] = max(0, used - limit_now)

    report["latest_legal_exit"] = (
        iso(latest_legal_day(presence, current[0], law)) if current else None
    )

    # Overstay: the current stay, else the last stay that ended before `on`.
    if current:
        overstay_stay, overstay_end = current, on
    else:
        past = [stay for stay in stays if stay[1] < on]
        overstay_stay = past[-1] if past else None
        overstay_end = overstay_stay[1] if overstay_stay else None
    if overstay_stay:
        last_legal = latest_legal_day(presence, overstay_stay[0], law)
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
        last_legal = latest_legal_day(presence, planned, law)
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
            str(length): iso(earliest_reentry(history, start, length, law))
            for length in req["reentry_lengths"]
        }

    violation = first_violation(stays, presence, law)
    report["plan_compliant"] = violation is None
    report["first_violation_date"] = iso(violation)

    relevant = relevant_stay(stays, on, current) if kz else None
    upcoming = None
    if relevant:
        entry, end = relevant
        required = days_between(entry, end) > REGISTRATION_THRESHOLD
        report["relevant_stay_entry"] = iso(entry)
        report["registration_required"] = required
        report["registration_deadline"] = iso(entry + timedelta(days=29)) if required else None
        open_entry = next((e for e, exit_ in req["stays"] if exit_ is None), None)
        if relevant == current and open_entry is not None and entry <= open_entry:
            # An open stay may pass 30 days: its deadline shows from the lead days before it.
            deadline = entry + timedelta(days=29)
            lead = timedelta(days=req["options"]["registration_lead_days"])
            if days_between(entry, on) <= REGISTRATION_THRESHOLD and on >= deadline - lead:
                upcoming = deadline
        is_working = working_day_test(req, entry)
        counts_arrival = req["options"]["eqonaq_counts_arrival_day"]
        deadline = third_working_day(entry, counts_arrival, is_working)
        report["eqonaq_deadline"] = iso(deadline)
        report["eqonaq_deadline_calendar"] = iso(entry + timedelta(days=3))
        calendar_confirmed = all(
            year_confirmed(req, year) for year in range(entry.year, deadline.year + 1)
        )
    else:
        for key in (
            "relevant_stay_entry",
            "registration_required",
            "registration_deadline",
            "eqonaq_deadline",
            "eqonaq_deadline_calendar",
        ):
            report[key] = None
        calendar_confirmed = None

    first_of_year = date(on.year, 1, 1)
    report["days_in_calendar_year"] = sum(1 for day in presence if first_of_year <= day <= on)

    tax_window = req["options"]["tax_window"]
    report["tax_days"] = tax_days_on(presence, on, tax_window)
    crossing, next_crossing = tax_crossings(req["stays"], on, tax_window)
    report["tax_183_crossing_date"] = iso(crossing)
    report["tax_183_exceeded"] = crossing is not None and crossing <= on
    report["tax_183_next_crossing_date"] = iso(next_crossing)
    report["registration_upcoming_deadline"] = iso(upcoming)
    report["eqonaq_calendar_confirmed"] = calendar_confirmed
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
    transferred = request.get("transferred_working_days")
    if transferred is not None:
        transferred = set(parse_date_list(transferred, "transferred_working_days"))
    years = request.get("calendar_years")
    if years is not None and not (
        isinstance(years, list)
        and all(isinstance(y, int) and not isinstance(y, bool) and 1 <= y <= 9999 for y in years)
    ):
        raise bad_request("calendar_years: expected a list of years")
    citizenship = request.get("citizenship")
    if citizenship is not None and not (
        isinstance(citizenship, str) and len(citizenship) == 2 and citizenship.isupper()
    ):
        raise bad_request("citizenship: expected a two-letter country code")

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
    merge_same_day = raw_options.get("merge_same_day_reentry", True)
    annual_on = raw_options.get("kz_annual_cap", False)
    for name, value in (("merge_same_day_reentry", merge_same_day), ("kz_annual_cap", annual_on)):
        if not isinstance(value, bool):
            raise bad_request(f"options.{name}: expected true or false")
    lead = raw_options.get("registration_lead_days", 7)
    annual_days = raw_options.get("kz_annual_cap_days", 120)
    for name, value, least, most in (
        ("registration_lead_days", lead, 0, 3660),
        ("kz_annual_cap_days", annual_days, 1, 366),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
            raise bad_request(f"options.{name}: expected a whole number from {least} to {most}")
    kz_from = raw_options.get("kz_90_180_from")
    kz_from = KZ_90_180_FROM if kz_from is None else parse_date(kz_from, "options.kz_90_180_from")

    # The Kazakh visa-free limits of the traveller's citizenship by entry date (§15a); others
    # keep the German ones.
    periods = [(None, KZ_PER_STAY_CAP, None), (kz_from, KZ_PER_STAY_CAP, MAX_DAYS)]
    modelled = None
    if citizenship is not None:
        if regime == "schengen":
            modelled = citizenship not in FREE_MOVEMENT
        else:
            modelled = citizenship in {"DE"} | EAEU | FOURTEEN_DAYS
        if citizenship in EAEU:
            periods = [(None, 90, None), (kz_from, 90, MAX_DAYS)]
        elif citizenship in FOURTEEN_DAYS:
            periods = [(None, 14, 42)]
            if citizenship == "CN":
                periods.append((CHINA_THIRTY_FROM, KZ_PER_STAY_CAP, MAX_DAYS))
    largest_cap = max(cap for _, cap, _ in periods)
    if regime == "kz_visa_free" and annual_on and annual_days < largest_cap:
        raise bad_request("options.kz_annual_cap_days: must be at least the per-stay cap")
    annual = annual_days if annual_on else None
    law = {"periods": periods, "annual": annual}

    for field, day in [("on", on), ("planned_entry", planned)] + [
        (f"stays[{i}]", day) for i, stay in enumerate(stays) for day in stay
    ]:
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise bad_request(f"{field}: {day} is outside the dates counted")

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
        "transferred_working_days": transferred,
        "calendar_years": years,
        "citizenship_modelled": modelled,
        "law": law,
        "options": {
            "eqonaq_counts_arrival_day": counts_arrival,
            "tax_window": tax_window,
            "merge_same_day_reentry": merge_same_day,
            "registration_lead_days": lead,
        },
    }


# Stays and presence days


def merged_stays(stays: list, on: date, *, join_same_day: bool = True) -> list[tuple[date, date]]:
    """Stays as (entry, last day) with overlapping or day-sharing stays merged, sorted.

    An open stay's last day is `on`. A stay that starts the day after another ends is kept
    separate (adjacent stays are not merged). With `join_same_day` False a stay entered on
    the day another ends is kept separate too: a new border crossing (docs/rules.md §1).
    """
    spans = sorted((entry, on if exit_ is None else exit_) for entry, exit_ in stays)
    merged = []
    for entry, end in spans:
        if merged and (entry <= merged[-1][1] if join_same_day else entry < merged[-1][1]):
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
    """The stay containing `day`; on a same-day re-entry, the stay entered that day."""
    found = None
    for entry, end in stays:
        if entry <= day <= end:
            found = (entry, end)
    return found


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


def latest_legal_day(history: set[date], entry: date, law: dict):
    """L(entry): the last day L >= entry such that every day x of [entry, L] passes the test.

    The contract's test: (presence days before entry within [x-179, x]) + (x-entry+1) <= 90, and
    for KZ also x-entry+1 <= 30. None when entry itself fails. The 90/180 part only binds KZ
    stays entered from 27 Jan 2023; with egov.kz's annual cap on, the days of x's calendar
    year (before entry, plus this stay's) are at most the cap.
    """
    before = {day for day in history if day < entry}
    cap, limit = limits_for(law, entry)
    last = None
    day = entry
    while True:
        days_of_stay = days_between(entry, day)
        if cap is not None and days_of_stay > cap:
            return last
        if limit is not None and used_on(before, day) + days_of_stay > limit:
            return last
        if law["annual"] is not None:
            in_year = sum(1 for d in before if d.year == day.year)
            in_year += days_between(max(entry, date(day.year, 1, 1)), day)
            if in_year > law["annual"]:
                return last
        last = day
        day += ONE_DAY


def earliest_reentry(history: set[date], start: date, length: int, law: dict):
    """First E >= start whose stay [E, E+length-1] is legal, i.e. L(E) >= E+length-1."""
    # No entry fits when no period allows `length` days.
    if all(
        (limit is not None and length > limit) or (cap is not None and length > cap)
        for _, cap, limit in law["periods"]
    ):
        return None
    for offset in range(REENTRY_SEARCH_DAYS):
        entry = start + timedelta(days=offset)
        last_legal = latest_legal_day(history, entry, law)
        if last_legal is not None and days_between(entry, last_legal) >= length:
            return entry
    return None


def first_violation(stays, presence: set[date], law: dict):
    for entry, end in stays:
        cap, limit = limits_for(law, entry)
        day = entry
        while day <= end:
            if limit is not None and used_on(presence, day) > limit:
                return day
            if cap is not None and days_between(entry, day) > cap:
                return day
            if law["annual"] is not None:
                first_of_year = date(day.year, 1, 1)
                if sum(1 for d in presence if first_of_year <= d <= day) > law["annual"]:
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
    """A function telling whether a day is a Kazakh working day (see the module docstring).

    Given `holidays` replace the built-in days off and given `transferred_working_days` the
    built-in transferred working days, each in the `calendar_years` only when those are given.
    """
    calendar = holidays_package.country_holidays("KZ", years=range(entry.year - 1, entry.year + 2))
    built_in_off = set(calendar.keys())
    built_in_work = set(calendar.weekend_workdays)
    # A transfer's two halves: "Демалыс күні (05.01.2025 бастап ауыстырылды)" is the day off
    # bought by the working day 05.01.2025; a built-in half is kept only with its other half.
    pairs = {}
    for day, name in calendar.items():
        moved = re.search(r"(\d{2})\.(\d{2})\.(\d{4})", name)
        if moved:
            pairs[date(int(moved[3]), int(moved[2]), int(moved[1]))] = day
    extra = set(req["extra_working_days"])
    years = req["calendar_years"]

    def is_working(day: date) -> bool:
        if day in extra:
            return True
        given = years is None or day.year in years
        given_off = req["holidays"] if given else None
        given_work = req["transferred_working_days"] if given else None
        days_off = built_in_off if given_off is None else given_off
        workdays = built_in_work if given_work is None else given_work
        if given_off is not None and given_work is None:
            workdays = {w for w in built_in_work if w not in pairs or pairs[w] in given_off}
        if given_work is not None and given_off is None:
            days_off = built_in_off - {off for w, off in pairs.items() if w not in given_work}
        return day in workdays or (day.weekday() < 5 and day not in days_off)

    return is_working


def year_confirmed(req: dict, year: int) -> bool:
    """Built-in years 2017-2025 with neither list given, or a year with both lists given; a year
    mixing a given list with a built-in one is not confirmed."""
    years = req["calendar_years"]
    given = years is None or year in years
    lists = (req["holidays"] is not None, req["transferred_working_days"] is not None)
    if not given or lists == (False, False):
        return 2017 <= year <= 2025
    return lists == (True, True)


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


def tax_crossings(raw_stays: list, on: date, tax_window: str):
    """The crossing that matters on `on` and the next fresh crossing after `on`.

    The first: the first presence day from the start of on's tax window on (planned and
    projected days too) whose window holds more than 183 days. The second: the first such day
    after the first day from `on` on whose window holds at most 183.
    """
    projected_end = on + timedelta(days=TAX_PROJECTION_DAYS)
    projected = presence_days(merged_stays(raw_stays, projected_end))
    days = sorted(projected)
    window_first = min(tax_window_days(on, tax_window))
    current = next(
        (
            d
            for d in days
            if d >= window_first and tax_days_on(projected, d, tax_window) > TAX_THRESHOLD
        ),
        None,
    )
    # While every day stays above 183, the crossing is the day the run began (day 184).
    while (
        current is not None
        and tax_days_on(projected, current - ONE_DAY, tax_window) > TAX_THRESHOLD
    ):
        current -= ONE_DAY
    back_under = on
    while tax_days_on(projected, back_under, tax_window) > TAX_THRESHOLD:
        back_under += ONE_DAY
    upcoming = next(
        (
            d
            for d in days
            if d > back_under and tax_days_on(projected, d, tax_window) > TAX_THRESHOLD
        ),
        None,
    )
    return current, upcoming


def iso(day):
    return None if day is None else day.isoformat()
