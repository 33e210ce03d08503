"""Table tests of answers that were wrong, each with the source that says what is right.

Report cases run against the fast engine and the naive reference (`tests/rules/naive.py`).
"""

import pytest

import rules
from tests.rules import naive


def fast_check(request):
    return rules.check(request)


@pytest.fixture(params=[fast_check, naive.check], ids=["rules", "naive"])
def check(request):
    return request.param


def request_(regime, on, stays, **extra):
    return {
        "regime": regime,
        "on": on,
        "stays": [{"entry": entry, "exit": exit_} for entry, exit_ in stays],
        **extra,
    }


def figures(report, keys):
    return tuple(report[key] for key in keys)


# docs/rules.md §9: "not more than 183" means day 184 breaks the rule; the window slides over
# every day. A stay from 1 Jan 2024 reaches its 184th day on 2 Jul 2024 (31+29+31+30+31+30 = 182
# days to 30 Jun), and every window since has held more than 183 days.
LONG_STAY = [("2024-01-01", "2025-12-31")]


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        pytest.param("2024-07-01", ("2024-07-02", False), id="dta-art-15-day-183-not-yet"),
        pytest.param("2024-07-02", ("2024-07-02", True), id="dta-art-15-day-184"),
        pytest.param("2025-07-10", ("2024-07-02", True), id="dta-art-15-still-day-184-a-year-on"),
        pytest.param("2025-07-11", ("2024-07-02", True), id="dta-art-15-the-next-day-too"),
        pytest.param("2026-03-01", ("2024-07-02", True), id="dta-art-15-after-exit-still-over"),
    ],
)
def test_the_183_day_crossing_stays_on_day_184_while_the_run_lasts(check, on, expected):
    report = check(request_("schengen", on, LONG_STAY))
    assert figures(report, ("tax_183_crossing_date", "tax_183_exceeded")) == expected
