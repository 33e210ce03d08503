"""Published worked examples as data, with staysite's answer computed live (a conformance page).

Each `Example` is one worked example as its source publishes it: the request (regime, dates,
stays) in the JSON contract's form, the official answer as report keys and values, and
`staysite()`, the engine's answer to the same request for the same keys. Sources: the Swiss
SEM's worked examples for the EU short-stay calculator (docs/rules.md §11) and the worked
statements of docs/rules.md itself (§1, §3, §5, §12). The European Commission's own examples
are not here: docs/rules.md §11 records that its PDF examples were not found, and no dated
example of its user manual is known, so none can be cited exactly.

`OPEN_POINTS` are the questions docs/rules.md §16 leaves to a lawyer, each with the option that
decides it (`Parameters` field, its choices and its default). Labels are short English text;
the web app translates them.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rules.check import check
from rules.types import DEFAULTS


@dataclass(frozen=True, slots=True)
class Source:
    """Where an example is published: who, which page, and the words of its answer."""

    publisher: str
    title: str
    url: str
    quote: str


@dataclass(frozen=True, slots=True)
class Example:
    """One published example: its request, the official answer and staysite's."""

    key: str
    label: str
    source: Source
    request: Mapping[str, Any]
    # Report keys and values, in the report's form (dates as YYYY-MM-DD).
    official: Mapping[str, Any]

    def staysite(self) -> dict[str, Any]:
        """The engine's answer to the request, for the keys of the official answer (and of a
        visa, for the figures the official answer gives)."""
        report = check(dict(self.request))
        answer: dict[str, Any] = _same_shape(report, dict(self.official))
        return answer

    def agrees(self) -> bool:
        return self.staysite() == dict(self.official)


def _same_shape(found: Any, official: Any) -> Any:
    """The part of `found` with the keys of `official`, in lists and objects alike."""
    if isinstance(official, list) and isinstance(found, list):
        return [_same_shape(f, o) for f, o in zip(found, official, strict=False)]
    if isinstance(official, dict) and isinstance(found, dict):
        return {key: _same_shape(found.get(key), value) for key, value in official.items()}
    return found


def _stays(*pairs: tuple[str, str | None]) -> list[dict[str, str | None]]:
    return [{"entry": entry, "exit": exit_} for entry, exit_ in pairs]


def _sem(number: int, quote: str) -> Source:
    return Source(
        "Swiss State Secretariat for Migration (SEM)",
        f"Short-stay calculator, example {number}",
        f"https://www.sem.admin.ch/sem/en/home/themen/einreise/aufenthaltsrechner/bsp-{number}.html",
        quote,
    )


def _rules_md(section: str, quote: str, url: str = "") -> Source:
    return Source("staysite", f"docs/rules.md {section}", url, quote)


EXAMPLES: tuple[Example, ...] = (
    Example(
        "sem-1-reentry-after-47-days",
        "Re-entry on 1 Jan 2015 after 47 days in Aug-Sep 2014",
        _sem(1, "Stay 15.08.2014-30.09.2014; re-entry 01.01.2015: up to 90 days."),
        {
            "regime": "schengen",
            "on": "2014-09-30",
            "stays": _stays(("2014-08-15", "2014-09-30")),
            "planned_entry": "2015-01-01",
        },
        {"planned_max_stay_days": 90},
    ),
    Example(
        "sem-2-possible-stay-until",
        "Exit on 30 Nov 2014 at Geneva",
        _sem(2, "Exit 30.11.2014: a stay would have been possible until 13.12.2014."),
        {
            "regime": "schengen",
            "on": "2014-11-30",
            "stays": _stays(("2014-08-15", "2014-09-30"), ("2014-11-01", "2014-11-30")),
        },
        {"latest_legal_exit": "2014-12-13"},
    ),
    Example(
        "sem-4-days-rolling-off",
        "Exit control on 30 Jan 2014, old days rolling off",
        _sem(4, "Exit control on 30.01.2014: could have stayed legally until 31.03.2014."),
        {
            "regime": "schengen",
            "on": "2014-01-30",
            "stays": _stays(
                ("2013-06-01", "2013-07-13"),
                ("2013-08-15", "2013-09-30"),
                ("2014-01-01", "2014-01-30"),
            ),
        },
        {"latest_legal_exit": "2014-03-31"},
    ),
    Example(
        "sem-5-overstay",
        "Exit on 9 Jun 2014 with an overstay",
        _sem(5, "Exit 09.06.2014: overstay of 9 days."),
        {
            "regime": "schengen",
            "on": "2014-06-09",
            "stays": _stays(
                ("2013-09-01", "2013-09-30"),
                ("2014-02-21", "2014-04-20"),
                ("2014-05-01", "2014-06-09"),
            ),
        },
        {"excess_days": 9},
    ),
    Example(
        "sem-5-planning",
        "Re-entry on 30 Aug 2014 after the overstay",
        _sem(5, "Re-entry 30.08.2014: the stay may be authorised for up to 50 days."),
        {
            "regime": "schengen",
            "on": "2014-06-09",
            "stays": _stays(
                ("2013-09-01", "2013-09-30"),
                ("2014-02-21", "2014-04-20"),
                ("2014-05-01", "2014-06-09"),
            ),
            "planned_entry": "2014-08-30",
        },
        {"planned_max_stay_days": 50},
    ),
    Example(
        "sem-6-control-on-1-march-2014",
        "Control on exit on 1 Mar 2014",
        _sem(
            6,
            "28.06.2013-09.08.2013, entry 19.09.2013, control on exit 01.03.2014: reference "
            "period 03.09.2013-01.03.2014, overstay 74 days.",
        ),
        {
            "regime": "schengen",
            "on": "2014-03-01",
            "stays": _stays(("2013-06-28", "2013-08-09"), ("2013-09-19", None)),
        },
        {"excess_days": 74},
    ),
    Example(
        "rules-1-entry-day-is-day-1",
        "Kazakhstan visa-free: entry on 1 Jan, last legal day 30 Jan",
        _rules_md("§1", "Entry 1 Jan -> last legal day 30 Jan (default)."),
        {"regime": "kz_visa_free", "on": "2026-01-01", "stays": _stays(("2026-01-01", None))},
        {"latest_legal_exit": "2026-01-30"},
    ),
    Example(
        "rules-3-friday-arrival",
        "eQonaq: arrival on a Friday, deadline on Tuesday",
        _rules_md(
            "§3",
            "Arrival at 23:50 on Friday, so Friday is day 1, Monday day 2 and Tuesday the "
            "deadline. (The source names weekdays; 20 Feb 2026 is a Friday with no holiday "
            "before the Tuesday.)",
            "https://dos-immigration.kz/en/services/submission-of-notification-on-arrival",
        ),
        {"regime": "kz_visa_free", "on": "2026-02-20", "stays": _stays(("2026-02-20", None))},
        {"eqonaq_deadline": "2026-02-24"},
    ),
    *(
        Example(
            f"rules-5-overstay-{days}-days",
            f"Kazakhstan overstay of {days} day{'s' if days > 1 else ''}: {tier}",
            _rules_md(
                "§5",
                "Leaving on the day after the last legal day is 1 day; 3 days is still a "
                "warning; the 4th day moves to a fine (KoAP art. 517(3)).",
            ),
            {"regime": "kz_visa_free", "on": "2026-02-10", "stays": _stays(("2026-01-01", exit_))},
            {"overstay_days": days, "overstay_tier": tier},
        )
        for days, exit_, tier in (
            (1, "2026-01-31", "warning"),
            (3, "2026-02-02", "warning"),
            (4, "2026-02-03", "sanction"),
        )
    ),
    Example(
        "rules-12-d-visa-insurance",
        "German D visa: insurance for the first 90 days of the stay",
        _rules_md(
            "§12",
            "A travel health insurance valid for the first 90 days of the stay (Auswärtiges "
            "Amt, 'Nationale Visa'): entry 10 Mar 2026, cover until 7 Jun 2026.",
        ),
        {
            "regime": "schengen",
            "on": "2026-03-10",
            "citizenship": "KZ",
            "stays": [{"entry": "2026-03-10", "exit": None, "visa": 0}],
            "visas": [{"kind": "de_national_d", "valid_from": "2026-03-01", "country": "DE"}],
        },
        {"visas": [{"insurance_cover_until": "2026-06-07"}]},
    ),
)


@dataclass(frozen=True, slots=True)
class OpenPoint:
    """A question docs/rules.md §16 leaves open and the option that decides it.

    `kind`: "option" (a `Parameters` field decides it), "table" (a value in the engine's
    data is unknown and stays None), or "not_modelled" (the engine does not answer it).
    """

    key: str
    section: str
    label: str
    kind: str
    option: str = ""
    choices: tuple[str, ...] = ()
    default: str = ""
    data: tuple[str, ...] = field(default=())


def _option(key: str, number: int, label: str, option: str, choices: tuple[str, ...]) -> OpenPoint:
    default = getattr(DEFAULTS, option)
    value = str(default).lower() if isinstance(default, bool) else str(default)
    return OpenPoint(key, f"docs/rules.md §16.{number}", label, "option", option, choices, value)


OPEN_POINTS: tuple[OpenPoint, ...] = (
    OpenPoint(
        "koap_517_amounts",
        "docs/rules.md §16.1",
        "KoAP art. 517(3) fines for overstays of 6-10 and more than 10 days",
        "table",
        data=("rules.BANDS[6-10].fine_mci", "rules.BANDS[>10].fine_mci"),
    ),
    _option(
        "dta_12_months",
        2,
        "DTA art. 15(2)(a): 12 months, or a calendar or tax year",
        "tax_window",
        ("12_months", "365_days"),
    ),
    _option(
        "kz_entry_day",
        3,
        "Kazakhstan: whether the 30 days count the entry day (30 or 31)",
        "per_stay_cap_days",
        ("30", "31"),
    ),
    OpenPoint(
        "kz_window_includes_check_day",
        "docs/rules.md §16.3",
        "Kazakhstan: whether the 180-day window includes the checked day",
        "not_modelled",
        default="includes",
    ),
    _option(
        "eqonaq_arrival_day",
        4,
        "eQonaq: whether the arrival day is working day 1",
        "eqonaq_counts_arrival_day",
        ("true", "false"),
    ),
    OpenPoint(
        "german_residence_permit",
        "docs/rules.md §16.5",
        "Whether Germans can get a temporary residence permit for more than 30 days",
        "not_modelled",
    ),
    _option(
        "b12_1_extensions",
        6,
        "B12-1: one extension or three",
        "b12_1_max_extensions",
        ("1", "3"),
    ),
    _option(
        "montage_year",
        7,
        "Montage 120 days within a year: calendar, rolling or visa year",
        "montage_year_mode",
        ("calendar", "rolling_365", "visa_year"),
    ),
    _option(
        "egov_annual_cap",
        8,
        "egov.kz's 120 days in a calendar year for visa-free visitors: in force or stale",
        "kz_annual_cap",
        ("false", "true"),
    ),
)
