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


# docs/rules.md §1 "Edge cases": the restarting 30-day counter is a Kazakh rule; §11 (SBC art. 6(2))
# counts presence days. Jan 1..Mar 31 is 90 days (31+28+31), so Apr 1..20 is 20 days over.
FRANCE_THEN_GERMANY = [("2025-01-01", "2025-04-10"), ("2025-04-10", "2025-04-20")]


@pytest.mark.parametrize(
    "options",
    [
        pytest.param(None, id="sbc-art-6-default"),
        pytest.param({"merge_same_day_reentry": False}, id="sbc-art-6-option-has-no-effect"),
        pytest.param({"merge_same_day_reentry": True}, id="sbc-art-6-option-true"),
    ],
)
def test_the_same_day_choice_does_not_touch_schengen(check, options):
    report = check(request_("schengen", "2025-04-20", FRANCE_THEN_GERMANY, options=options))
    keys = ("current_stay_entry", "latest_legal_exit", "overstay_days", "depends_on")
    assert figures(report, keys) == ("2025-01-01", "2025-03-31", 20, [])
