"""`stable_until` never promises too much: on every day up to it, the report is the same.

A property test over random histories (both regimes, visa stays, planned and open stays, the
organisation's choices, re-entry questions, citizenships): every day of two years is assessed,
and each day's `stable_until` must come before the first later day whose report differs. The
naive reference engine, where it covers the figures, gives the same report on `on` and on
`stable_until`. STAYSITE_STABILITY_EXAMPLES sets the number of histories (`make soak`).
"""

import os
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rules
from tests import counts
from tests.rules import naive

EXAMPLES = int(os.environ.get("STAYSITE_STABILITY_EXAMPLES", "25"))
SETTINGS = settings(
    deadline=None,
    max_examples=EXAMPLES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
START = date(2025, 1, 1)
DAYS = 731  # two years of evaluation days
MARGIN = 400  # and as many more as a report may hold, to see that it does


VISAS = [
    None,
    rules.Visa(rules.VisaKind.C3, date(2024, 6, 1), date(2027, 6, 1)),
    rules.Visa(rules.VisaKind.SCHENGEN_C, date(2025, 3, 1), date(2025, 9, 1)),
    rules.Visa(rules.VisaKind.DE_RESIDENCE_PERMIT, date(2025, 1, 1), date(2028, 1, 1)),
]


@st.composite
def histories(draw):
    """Stays around the two years (overlapping, same-day, adjacent, planned), maybe one open."""
    stays = []
    day = START + timedelta(days=draw(st.integers(-420, 200)))
    for _ in range(draw(st.integers(0, 14))):
        gap = draw(st.one_of(st.integers(-3, 2), st.integers(3, 200)))
        entry = day + timedelta(days=gap) if stays else day
        length = draw(st.one_of(st.integers(1, 35), st.integers(36, 200)))
        visa = draw(st.sampled_from(VISAS))
        stays.append(rules.Stay(entry, entry + timedelta(days=length - 1), visa=visa))
        day = max(day, stays[-1].exit)
    if stays and draw(st.integers(0, 3)) == 0:
        latest = max(range(len(stays)), key=lambda i: stays[i].entry)
        stays[latest] = replace(stays[latest], exit=None)
    return stays


@st.composite
def requests(draw):
    options = rules.Parameters(
        tax_window=draw(st.sampled_from(["12_months", "365_days"])),
        merge_same_day_reentry=draw(st.booleans()),
        kz_annual_cap=draw(st.booleans()),
        tax_threshold_days=draw(st.sampled_from([183, 60])),
    )
    return {
        "stays": draw(histories()),
        "regime": draw(st.sampled_from(list(rules.Regime))),
        "options": options,
        "reentry_lengths": draw(st.one_of(st.none(), st.lists(st.integers(1, 95), max_size=2))),
        "citizenship": draw(st.sampled_from([None, "DE", "US", "ZZ"])),
    }


def reports(request, days):
    """Each day's report without `stable_until`, and each day's `stable_until`."""
    figures, until = [], []
    for day in days:
        report = rules.assess(request["stays"], on=day, **_arguments(request)).to_dict()
        until.append(date.fromisoformat(report.pop("stable_until")))
        figures.append(report)
    return figures, until


def _arguments(request):
    return {k: v for k, v in request.items() if k != "stays"}


def evaluation_days(stays):
    """Two years of days; with an open stay, from its entry on (before it, it cannot be open)."""
    first = START
    for stay in stays:
        if stay.exit is None:
            first = max(first, stay.entry)
    return [first + timedelta(days=i) for i in range(DAYS + MARGIN)]


def first_changes(figures):
    """For each day, the index of the first later day whose report differs (None: none seen)."""
    changes = [None] * len(figures)
    for i in range(len(figures) - 2, -1, -1):
        changes[i] = i + 1 if figures[i + 1] != figures[i] else changes[i + 1]
    return changes


@SETTINGS
@given(request=requests())
def test_the_report_is_the_same_on_every_day_up_to_stable_until(request):
    days = evaluation_days(request["stays"])
    figures, until = reports(request, days)
    changes = first_changes(figures)
    for i in range(DAYS):
        assert until[i] >= days[i]
        if changes[i] is not None:
            assert until[i] < days[changes[i]], (days[i], until[i], days[changes[i]])
    counts.add("stable_until, rules", histories=1, days=DAYS)


def naive_request(request, on):
    options = request["options"]
    return {
        "regime": str(request["regime"]),
        "on": on.isoformat(),
        "stays": [
            {"entry": s.entry.isoformat(), "exit": s.exit and s.exit.isoformat()}
            for s in request["stays"]
        ],
        "options": {
            "tax_window": options.tax_window,
            "merge_same_day_reentry": options.merge_same_day_reentry,
            "tax_threshold_days": options.tax_threshold_days,
        },
    } | ({"reentry_lengths": request["reentry_lengths"]} if request["reentry_lengths"] else {})


@settings(SETTINGS, max_examples=max(5, EXAMPLES // 5))
@given(request=requests(), pick=st.integers(0, DAYS - 1))
def test_the_naive_engine_agrees_that_the_report_holds(request, pick):
    # The naive engine knows neither visas nor citizenships nor the calendar-year cap.
    request |= {"options": replace(request["options"], kz_annual_cap=False), "citizenship": None}
    request["stays"] = [replace(stay, visa=None) for stay in request["stays"]]
    on = evaluation_days(request["stays"])[pick]
    until = rules.assess(request["stays"], on=on, **_arguments(request)).stable_until
    keys = [key for key in naive.REPORT_KEYS if key not in ("depends_on", "citizenship_modelled")]
    before = naive.check(naive_request(request, on))
    after = naive.check(naive_request(request, until))
    assert {k: after[k] for k in keys} == {k: before[k] for k in keys}


@pytest.mark.parametrize(
    ("stays", "on", "until"),
    [
        pytest.param([], date(2026, 5, 1), date(2026, 12, 31), id="no-stay-holds-to-the-new-year"),
        pytest.param(
            [rules.Stay(date(2026, 4, 1), None)],
            date(2026, 4, 10),
            date(2026, 4, 10),
            id="an-open-stay-grows-tomorrow",
        ),
        pytest.param(
            [rules.Stay(date(2026, 1, 5), date(2026, 1, 20))],
            date(2026, 3, 1),
            date(2026, 7, 3),
            id="until-the-first-day-leaves-the-180-day-window",
        ),
        pytest.param(
            [
                rules.Stay(date(2026, 1, 5), date(2026, 1, 20)),
                rules.Stay(date(2026, 5, 1), date(2026, 5, 20)),
            ],
            date(2026, 3, 1),
            date(2026, 4, 30),
            id="until-a-planned-stay-begins",
        ),
    ],
)
def test_stable_until_of_simple_histories(stays, on, until):
    assert rules.assess(stays, regime="kz_visa_free", on=on).stable_until == until


@SETTINGS
@given(
    stays=histories(),
    year_mode=st.sampled_from(["calendar", "rolling_365", "visa_year"]),
    visa_from=st.dates(date(2023, 1, 1), date(2027, 12, 31)),
)
def test_the_montage_count_is_the_same_on_every_day_up_to_montage_stable_until(
    stays, year_mode, visa_from
):
    year = {"year_mode": year_mode, "visa_from": visa_from if year_mode == "visa_year" else None}
    days = evaluation_days(stays)
    figures = [rules.montage_days(stays, on=day, **year) for day in days]
    changes = first_changes(figures)
    for i in range(DAYS):
        until = rules.montage_stable_until(stays, on=days[i], **year)
        assert until >= days[i]
        if changes[i] is not None:
            assert until < days[changes[i]], (days[i], until, days[changes[i]])
    counts.add("montage_stable_until, rules", histories=1, days=DAYS)
