"""Table tests of the JSON contract, with every expected value derived by hand.

Each case runs against the fast engine (`rules.check`) and the naive reference
(`tests.rules.naive.check`). A comment above each case shows the arithmetic. The Schengen cases
come from the Swiss SEM's worked examples for the EU short-stay calculator
(https://www.sem.admin.ch/sem/en/home/themen/einreise/aufenthaltsrechner/bsp-1.html to bsp-6).
"""

import re

import pytest

import rules
from tests.rules import naive

REPORT_KEYS = naive.REPORT_KEYS


def fast_check(request):
    return rules.check(request)


@pytest.fixture(params=[fast_check, naive.check], ids=["rules", "naive"])
def check(request):
    return request.param


def make_request(regime, on, stays, **extra):
    """A request; `stays` is a list of (entry, exit) pairs, exit None for an open stay."""
    return {
        "regime": regime,
        "on": on,
        "stays": [{"entry": entry, "exit": exit_} for entry, exit_ in stays],
        **extra,
    }


def kz(on, stays, **extra):
    return make_request("kz_visa_free", on, stays, **extra)


def schengen(on, stays, **extra):
    return make_request("schengen", on, stays, **extra)


def figures(report, expected):
    return {key: report[key] for key in expected}


def request_error(check, request):
    error_class = getattr(rules, "RequestError", naive.RequestError)
    with pytest.raises(error_class) as info:
        check(request)
    return info.value


# SEM example 2: exit 30.11.2014 at Geneva; "a stay would have been possible until 13.12.2014".
SEM_2 = [("2014-08-15", "2014-09-30"), ("2014-11-01", "2014-11-30")]
# SEM example 4: exit control on 30.01.2014; "could have stayed legally until 31.03.2014".
SEM_4 = [("2013-06-01", "2013-07-13"), ("2013-08-15", "2013-09-30"), ("2014-01-01", "2014-01-30")]
# SEM example 5: exit 09.06.2014 with an overstay of 9 days; re-entry 30.08.2014 for 50 days.
SEM_5 = [("2013-09-01", "2013-09-30"), ("2014-02-21", "2014-04-20"), ("2014-05-01", "2014-06-09")]
# SEM example 6 (English page): 28.06.2013-09.08.2013, then entry 19.09.2013, control on exit
# 01.03.2014; window 03.09.2013-01.03.2014, "overstay" 74 days; docs/rules.md §11: 117 days illegal.
SEM_6 = [("2013-06-28", "2013-08-09"), ("2013-09-19", None)]

# Three KZ stays of 30 days each: Oct 1-30 (30), Nov 10-Dec 9 (21+9), Dec 20-Jan 18 (12+18).
# All 90 days lie in the window of any day from 18 Jan 2026 to 29 Mar 2026, because
# 1 Oct 2025 + 179 days = 29 Mar 2026 (Oct +30, Nov +30, Dec +31, Jan +31, Feb +28, Mar +29).
KZ_90 = [("2025-10-01", "2025-10-30"), ("2025-11-10", "2025-12-09"), ("2025-12-20", "2026-01-18")]


def test_report_has_every_key_of_the_contract(check):
    report = check(kz("2026-03-01", [("2026-01-05", "2026-01-20"), ("2026-02-20", None)]))
    assert set(REPORT_KEYS) <= set(report)


PRESENCE_CASES = [
    # Exit day counts: Jan 5..20 is 16 days, and on the exit day the person is present.
    (kz("2026-01-20", [("2026-01-05", "2026-01-20")]), (True, "2026-01-05", 16, 16)),
    # The day after the exit: absent, the 16 days still in the window.
    (kz("2026-01-21", [("2026-01-05", "2026-01-20")]), (False, None, None, 16)),
    # Entry day = day 1: on the entry day the stay is 1 day long.
    (kz("2026-01-05", [("2026-01-05", None)]), (True, "2026-01-05", 1, 1)),
    # entry = exit is one day.
    (kz("2026-03-10", [("2026-03-10", "2026-03-10")]), (True, "2026-03-10", 1, 1)),
    # Overlapping stays merge: Jan 1..20 is one stay of 20 days.
    (
        kz("2026-01-20", [("2026-01-01", "2026-01-10"), ("2026-01-05", "2026-01-20")]),
        (True, "2026-01-01", 20, 20),
    ),
    # Stays sharing a day merge, the shared 10 Jan counted once: Jan 1..15 = 15 days.
    (
        kz("2026-01-15", [("2026-01-01", "2026-01-10"), ("2026-01-10", "2026-01-15")]),
        (True, "2026-01-01", 15, 15),
    ),
    # Adjacent stays stay separate: the current stay is Jan 11..15 (5 days); 15 days used.
    (
        kz("2026-01-15", [("2026-01-01", "2026-01-10"), ("2026-01-11", "2026-01-15")]),
        (True, "2026-01-11", 5, 15),
    ),
    # Open stay covers [entry, on]: Feb 20..28 (9) + Mar 1 = 10 days.
    (kz("2026-03-01", [("2026-02-20", None)]), (True, "2026-02-20", 10, 10)),
    # Open stay plus an earlier closed one: Jan 5..20 (16) + Feb 20..Mar 1 (10) = 26.
    (
        kz("2026-03-01", [("2026-01-05", "2026-01-20"), ("2026-02-20", None)]),
        (True, "2026-02-20", 10, 26),
    ),
    # A future (planned) stay is not in the window of `on`: only Jan 1..10 counts.
    (
        kz("2026-02-01", [("2026-05-01", "2026-05-10"), ("2026-01-01", "2026-01-10")]),
        (False, None, None, 10),
    ),
    # A current stay with a planned exit after `on`: its length runs to `on` (Jan 1..10).
    (kz("2026-01-10", [("2026-01-01", "2026-02-15")]), (True, "2026-01-01", 10, 10)),
    # Any order: the same as the overlap case above, listed backwards.
    (
        kz("2026-01-20", [("2026-01-05", "2026-01-20"), ("2026-01-01", "2026-01-10")]),
        (True, "2026-01-01", 20, 20),
    ),
]


@pytest.mark.parametrize(("request_", "expected"), PRESENCE_CASES)
def test_presence_and_current_stay(check, request_, expected):
    report = check(request_)
    present, entry, length, used = expected
    assert figures(report, ["present_on_query_date", "current_stay_entry"]) == {
        "present_on_query_date": present,
        "current_stay_entry": entry,
    }
    assert report["current_stay_length"] == length
    assert report["days_used"] == used


USED_CASES = [
    # Window [on-179, on]: 1 Jul 2025 + 179 days = 27 Dec 2025 (Jul +30, Aug +31, Sep +30,
    # Oct +31, Nov +30, Dec +27), so on 27 Dec all 10 days of Jul 1..10 are in the window...
    (kz("2025-12-27", [("2025-07-01", "2025-07-10")]), (10, 80, 0)),
    # ... and on 28 Dec the window starts on 2 Jul: 9 days.
    (kz("2025-12-28", [("2025-07-01", "2025-07-10")]), (9, 81, 0)),
    # Exactly 90: Jan 31 + Feb 28 + Mar 31 = 90; remaining 0 and no excess.
    (schengen("2026-03-31", [("2026-01-01", "2026-03-31")]), (90, 0, 0)),
    # SEM 2 on 30.11.2014: Aug 15..Sep 30 (17+30 = 47) + Nov 1..30 (30) = 77; 13 remain.
    (schengen("2014-11-30", SEM_2), (77, 13, 0)),
    # SEM 5 on 09.06.2014, window 11.12.2013-09.06.2014: Feb 21..Apr 20 (8+31+20 = 59) +
    # May 1..Jun 9 (31+9 = 40) = 99; the calculator's "overstay" of 9 days is the excess.
    (schengen("2014-06-09", SEM_5), (99, 0, 9)),
    # SEM 6 on 01.03.2014, window 03.09.2013-01.03.2014: Sep 19..30 (12) + Oct..Feb
    # (31+30+31+31+28) + Mar 1 (1) = 164 days; the first stay is outside; excess 74.
    (schengen("2014-03-01", SEM_6), (164, 0, 74)),
    # KZ_90 checked on 18 Jan 2026, the last day of the third stay: 90 used.
    (kz("2026-01-18", KZ_90), (90, 0, 0)),
]


@pytest.mark.parametrize(("request_", "expected"), USED_CASES)
def test_days_used_remaining_and_excess_days(check, request_, expected):
    report = check(request_)
    assert (report["days_used"], report["remaining"], report["excess_days"]) == expected


LATEST_LEGAL_EXIT_CASES = [
    # KZ cap, entry day = day 1: entry 1 Jan -> last legal day 30 Jan.
    (kz("2026-01-10", [("2026-01-01", None)]), "2026-01-30"),
    # Across 29 Feb: Feb 15..29 (15) + Mar 1..15 (15) = 30 -> 15 Mar 2024.
    (kz("2024-02-20", [("2024-02-15", None)]), "2024-03-15"),
    # KZ 90/180 binding before the cap: 80 earlier days (Oct 1-30, Nov 10-Dec 9, Dec 20-Jan 8)
    # all lie in the window until late March, so 80 + 10 = 90 -> E + 9 = 29 Jan.
    (
        kz(
            "2026-01-22",
            [
                ("2025-10-01", "2025-10-30"),
                ("2025-11-10", "2025-12-09"),
                ("2025-12-20", "2026-01-08"),
                ("2026-01-20", None),
            ],
        ),
        "2026-01-29",
    ),
    # KZ_90 then entry on 1 Feb: 90 days in [6 Aug 2025, 1 Feb 2026], 90 + 1 > 90: L is null.
    (kz("2026-02-03", [*KZ_90, ("2026-02-01", None)]), None),
    # Not present on `on`: no current stay.
    (kz("2026-02-01", [("2026-01-01", "2026-01-10")]), None),
    # Schengen has no per-stay cap: 90 days from 1 Jan 2026 = 31 Mar 2026.
    (schengen("2026-02-15", [("2026-01-01", None)]), "2026-03-31"),
    # SEM 2: 47 days before 1 Nov stay in the window until 10 Feb 2015: 47 + 43 = 90 ->
    # 1 Nov + 42 = 13 Dec 2014.
    (schengen("2014-11-30", SEM_2), "2014-12-13"),
    # SEM 4, old days rolling off during the stay: the window of 1 Jan 2014 starts 6 Jul 2013,
    # so it holds Jul 6..13 (8 days, gone by 9 Jan) and Aug 15..Sep 30 (47 days, in the window
    # up to 10 Feb): 47 + 41 = 88 on 10 Feb; from 11 Feb one leaves as one is added, 88 until
    # 29 Mar; 89 on 30 Mar, 90 on 31 Mar, 91 on 1 Apr -> 31 Mar 2014.
    (schengen("2014-01-30", SEM_4), "2014-03-31"),
    # SEM 5: the 59 days Feb 21..Apr 20 stay in the window until mid-August: 59 + 31 = 90 ->
    # 1 May + 30 = 31 May 2014.
    (schengen("2014-06-09", SEM_5), "2014-05-31"),
    # SEM 6: the 43 days Jun 28..Aug 9 stay in the window until 24 Dec: 43 + 47 = 90 ->
    # 19 Sep + 46 = 4 Nov 2013.
    (schengen("2014-03-01", SEM_6), "2013-11-04"),
]


@pytest.mark.parametrize(("request_", "expected"), LATEST_LEGAL_EXIT_CASES)
def test_latest_legal_exit_is_l_of_the_current_stay(check, request_, expected):
    assert check(request_)["latest_legal_exit"] == expected


OVERSTAY_CASES = [
    # A stay from 1 Jan 2026 (open), L = 30 Jan; overstay = days from 31 Jan up to `on`.
    (kz("2026-01-30", [("2026-01-01", None)]), ("2026-01-01", 0, "none", "none")),
    (kz("2026-01-31", [("2026-01-01", None)]), ("2026-01-01", 1, "warning", "1-3")),
    # Jan 31, Feb 1, Feb 2: 3 days is still a warning.
    (kz("2026-02-02", [("2026-01-01", None)]), ("2026-01-01", 3, "warning", "1-3")),
    # The 4th day moves to the sanction band 4-5.
    (kz("2026-02-03", [("2026-01-01", None)]), ("2026-01-01", 4, "sanction", "4-5")),
    (kz("2026-02-04", [("2026-01-01", None)]), ("2026-01-01", 5, "sanction", "4-5")),
    (kz("2026-02-05", [("2026-01-01", None)]), ("2026-01-01", 6, "sanction", "6-10")),
    # Jan 31 .. Feb 9 = 10 days.
    (kz("2026-02-09", [("2026-01-01", None)]), ("2026-01-01", 10, "sanction", "6-10")),
    (kz("2026-02-10", [("2026-01-01", None)]), ("2026-01-01", 11, "sanction", ">10")),
    # Current stay with a planned exit after `on`: counted only up to `on` (Jan 31, Feb 1).
    (kz("2026-02-01", [("2026-01-01", "2026-02-20")]), ("2026-01-01", 2, "warning", "1-3")),
    # Past stay: Jan 1..Feb 5, L = Jan 30: Jan 31..Feb 5 = 6 days.
    (kz("2026-03-01", [("2026-01-01", "2026-02-05")]), ("2026-01-01", 6, "sanction", "6-10")),
    # The last stay that ended before `on`; a future stay does not count.
    (
        kz("2026-03-01", [("2026-06-01", "2026-06-10"), ("2026-01-01", "2026-02-02")]),
        ("2026-01-01", 3, "warning", "1-3"),
    ),
    # The last of two past stays, which is legal: 0 days.
    (
        kz("2026-03-01", [("2025-01-01", "2025-03-01"), ("2026-01-01", "2026-01-10")]),
        ("2026-01-01", 0, "none", "none"),
    ),
    # L(E) is null (KZ_90, then entry 1 Feb): the whole stay Feb 1..3 is overstay.
    (kz("2026-02-03", [*KZ_90, ("2026-02-01", None)]), ("2026-02-01", 3, "warning", "1-3")),
    # Same, a past stay Feb 1..12 of 12 days, all of it overstay.
    (
        kz("2026-03-01", [*KZ_90, ("2026-02-01", "2026-02-12")]),
        ("2026-02-01", 12, "sanction", ">10"),
    ),
    # SEM 5 on 09.06.2014: L = 31 May, Jun 1..9 = 9 days; no KZ tier or band for Schengen.
    (schengen("2014-06-09", SEM_5), ("2014-05-01", 9, None, None)),
    # SEM 6: L = 4 Nov 2013; 164 days present in the stay up to 1 Mar, 47 legal: 117.
    (schengen("2014-03-01", SEM_6), ("2013-09-19", 117, None, None)),
    # SEM 6 checked later, after the exit on 1 Mar 2014: the last past stay, still 117.
    (
        schengen("2014-04-01", [("2013-06-28", "2013-08-09"), ("2013-09-19", "2014-03-01")]),
        ("2013-09-19", 117, None, None),
    ),
]


@pytest.mark.parametrize(("request_", "expected"), OVERSTAY_CASES)
def test_overstay_days_tier_and_band(check, request_, expected):
    report = check(request_)
    keys = ["overstay_stay_entry", "overstay_days", "overstay_tier", "overstay_band"]
    assert tuple(report[key] for key in keys) == expected


PLANNED_CASES = [
    # SEM 5, planning mode: at 30.08.2014 the window [04.03.2014, 29.08.2014] holds
    # Mar 4..31 (28) + Apr 1..20 (20) + May (31) + Jun 1..9 (9) = 88 days: 2 remain at entry.
    # At x = E + k, k <= 48, one of the 48 March/April days leaves as one is added (89); at
    # k = 49 the window starts 22 Apr: 40 + 50 = 90; at k = 50: 91. So 50 days, to 18 Oct.
    (schengen("2014-06-09", SEM_5, planned_entry="2014-08-30"), ("2014-10-18", 50)),
    # SEM 1: 15.08.2014-30.09.2014 (47 days), re-entry 01.01.2015 -> "up to 90 days". The 47
    # days are in the window up to 10 Feb 2015 (15 Aug + 179): 47 + 41 = 88 on 10 Feb; then one
    # leaves as one is added, 88 until 29 Mar; 89 on 30 Mar, 90 on 31 Mar 2015, 91 on 1 Apr.
    (
        schengen("2014-09-30", [("2014-08-15", "2014-09-30")], planned_entry="2015-01-01"),
        ("2015-03-31", 90),
    ),
    # KZ with no history: the 30-day cap, 1 Apr + 29 = 30 Apr.
    (kz("2026-03-01", [], planned_entry="2026-04-01"), ("2026-04-30", 30)),
    # KZ_90 then planned entry 1 Feb 2026: 90 days already in the window, L is null, 0 days.
    (kz("2026-01-20", KZ_90, planned_entry="2026-02-01"), (None, 0)),
    # Future stays before the planned entry count: Dec 1-30 (30) + Jan 10-Feb 8 (22+8) +
    # planned Feb 20-Mar 11 (9+11) = 80 days in the window of 1 Apr 2026 (which starts on
    # 4 Oct 2025): 80 + 10 = 90 -> 10 Apr, 10 days.
    (
        kz(
            "2026-02-10",
            [
                ("2025-12-01", "2025-12-30"),
                ("2026-01-10", "2026-02-08"),
                ("2026-02-20", "2026-03-11"),
            ],
            planned_entry="2026-04-01",
        ),
        ("2026-04-10", 10),
    ),
    # The day after an open stay (present 1..10 Jan): 10 + 30 <= 90, cap 30 -> 9 Feb.
    (kz("2026-01-10", [("2026-01-01", None)], planned_entry="2026-01-11"), ("2026-02-09", 30)),
    # No planned entry: both null.
    (kz("2026-01-10", [("2026-01-01", None)]), (None, None)),
]


@pytest.mark.parametrize(("request_", "expected"), PLANNED_CASES)
def test_planned_entry(check, request_, expected):
    report = check(request_)
    assert (report["planned_latest_legal_exit"], report["planned_max_stay_days"]) == expected


EARLIEST_REENTRY_CASES = [
    # Present on 10 Jan (Jan 1..10): S = 11 Jan; 10 + N <= 90 and N <= 30 hold at once.
    # N = 31 is above the KZ per-stay cap: null.
    (
        kz("2026-01-10", [("2026-01-01", None)], reentry_lengths=[10, 30, 31]),
        {"10": "2026-01-11", "30": "2026-01-11", "31": None},
    ),
    # Absent on `on`: S = on.
    (
        kz("2026-01-20", [("2026-01-01", "2026-01-10")], reentry_lengths=[30]),
        {"30": "2026-01-20"},
    ),
    # KZ_90, present on 18 Jan: every E up to 29 Mar has 90 days in its window. E = 30 Mar:
    # window from 2 Oct, 89 + 1 = 90; then each day one October day leaves as one is added,
    # up to k = 29 (window from 31 Oct: 60 + 30 = 90). So N = 1, 10 and 30 all give 30 Mar.
    (
        kz("2026-01-18", KZ_90, reentry_lengths=[1, 10, 30]),
        {"1": "2026-03-30", "10": "2026-03-30", "30": "2026-03-30"},
    ),
    # Schengen: N > 90 is null; no history, N = 90 from S = on.
    (schengen("2026-05-01", [], reentry_lengths=[90, 91]), {"90": "2026-05-01", "91": None}),
    # SEM 5 after the exit on 09.06.2014 (S = 10 Jun). N = 50: E = 29 Aug has the window from
    # 3 Mar: 29 + 20 + 31 + 9 = 89, +1 = 90; the 49 days Mar 3..Apr 20 leave one a day, then
    # at k = 49 (window from 21 Apr) 40 + 50 = 90, k = 50 gives 91: exactly 50 days. E = 28 Aug
    # has 90 days in its window already. N = 90: E = 8 Sep has 79 days (Mar 13..Jun 9) in its
    # window: 80; the 39 days Mar 13..Apr 20 leave (80), the gap Apr 21-30 adds 10 (90 at
    # k = 49), then May 1..Jun 9 leave one a day (90) until k = 89. E = 7 Sep reaches 91 at k = 50.
    (
        schengen("2014-06-09", SEM_5, reentry_lengths=[50, 90]),
        {"50": "2014-08-29", "90": "2014-09-08"},
    ),
]


@pytest.mark.parametrize(("request_", "expected"), EARLIEST_REENTRY_CASES)
def test_earliest_reentry(check, request_, expected):
    assert check(request_)["earliest_reentry"] == expected


COMPLIANCE_CASES = [
    # Day 31 of a KZ stay is a violation.
    (kz("2026-01-01", [("2026-01-01", "2026-01-31")]), (False, "2026-01-31")),
    (kz("2026-01-01", [("2026-01-01", "2026-01-30")]), (True, None)),
    # Adjacent stays are separate stays: 30 + 10 days, each within the cap, 40 in the window.
    (kz("2026-03-01", [("2026-01-01", "2026-01-30"), ("2026-01-31", "2026-02-09")]), (True, None)),
    # Sharing a day merges them: Jan 1..Feb 9 is one stay, day 31 is Jan 31.
    (
        kz("2026-03-01", [("2026-01-01", "2026-01-30"), ("2026-01-30", "2026-02-09")]),
        (False, "2026-01-31"),
    ),
    # A future stay breaking 90/180: KZ_90 then 1..5 Feb: used(1 Feb) = 91.
    (kz("2026-01-20", [*KZ_90, ("2026-02-01", "2026-02-05")]), (False, "2026-02-01")),
    # A past violation counts too: SEM 6, used(5 Nov 2013) = 43 + 48 = 91.
    (schengen("2014-03-01", SEM_6), (False, "2013-11-05")),
    # SEM 5: used(31 May 2014) = 59 + 31 = 90, used(1 Jun) = 91.
    (schengen("2014-06-09", SEM_5), (False, "2014-06-01")),
    # Schengen has no per-stay cap: 90 days in a row are fine.
    (schengen("2026-01-01", [("2026-01-01", "2026-03-31")]), (True, None)),
    # An open stay covers only [entry, on]: day 30 on `on` is no violation yet.
    (kz("2026-01-30", [("2026-01-01", None)]), (True, None)),
    # No stays at all.
    (kz("2026-01-30", []), (True, None)),
]


@pytest.mark.parametrize(("request_", "expected"), COMPLIANCE_CASES)
def test_plan_compliance_and_first_violation(check, request_, expected):
    report = check(request_)
    assert (report["plan_compliant"], report["first_violation_date"]) == expected


REGISTRATION_CASES = [
    # 31 days (Jan 1..31) need a registration by day 30, E + 29 = 30 Jan.
    (kz("2026-01-15", [("2026-01-01", "2026-01-31")]), ("2026-01-01", True, "2026-01-30")),
    # 30 days do not.
    (kz("2026-01-15", [("2026-01-01", "2026-01-30")]), ("2026-01-01", False, None)),
    # An open stay counts up to `on`: 30 days on 30 Jan, 31 days on 31 Jan.
    (kz("2026-01-30", [("2026-01-01", None)]), ("2026-01-01", False, None)),
    (kz("2026-01-31", [("2026-01-01", None)]), ("2026-01-01", True, "2026-01-30")),
    # Not present: the next future stay (1 May..15 Jun = 31 + 15 = 46 days), deadline 30 May.
    (
        kz("2026-03-01", [("2025-10-01", "2025-11-10"), ("2026-05-01", "2026-06-15")]),
        ("2026-05-01", True, "2026-05-30"),
    ),
    # No current or future stay: the last past stay (Oct 1..Nov 5 = 31 + 5 = 36 days).
    (
        kz("2026-03-01", [("2025-01-01", "2025-01-05"), ("2025-10-01", "2025-11-05")]),
        ("2025-10-01", True, "2025-10-30"),
    ),
    # No stay at all: nothing applies.
    (kz("2026-03-01", []), (None, None, None)),
    # Schengen: no Kazakh registration.
    (schengen("2026-01-15", [("2026-01-01", "2026-03-01")]), (None, None, None)),
]


@pytest.mark.parametrize(("request_", "expected"), REGISTRATION_CASES)
def test_registration(check, request_, expected):
    report = check(request_)
    keys = ["relevant_stay_entry", "registration_required", "registration_deadline"]
    assert tuple(report[key] for key in keys) == expected


def arrival(entry, **extra):
    return kz(entry, [(entry, entry)], **extra)


def no_arrival_day(**extra):
    return {"options": {"eqonaq_counts_arrival_day": False}, **extra}


EQONAQ_CASES = [
    # Friday 20 Feb 2026 (no holiday near): Fri day 1, Mon day 2, Tue 24 Feb the deadline
    # (the dos-immigration.kz example). Calendar: E + 3 = 23 Feb.
    (arrival("2026-02-20"), ("2026-02-24", "2026-02-23")),
    # Arrival day not counted: Mon, Tue, Wed 25 Feb.
    (arrival("2026-02-20", **no_arrival_day()), ("2026-02-25", "2026-02-23")),
    # Saturday arrival: Sat is no working day, either way Mon, Tue, Wed 25 Feb.
    (arrival("2026-02-21"), ("2026-02-25", "2026-02-24")),
    (arrival("2026-02-21", **no_arrival_day()), ("2026-02-25", "2026-02-24")),
    # Wednesday arrival: Wed, Thu, Fri 20 Feb; not counted: Thu, Fri, Mon 23 Feb.
    (arrival("2026-02-18"), ("2026-02-20", "2026-02-21")),
    (arrival("2026-02-18", **no_arrival_day()), ("2026-02-23", "2026-02-21")),
    # Nauryz 2026 (built-in): 21-23 Mar and the moved days off 24-25 Mar. Fri 20 Mar is day 1,
    # Thu 26 day 2, Fri 27 Mar day 3; not counted: Thu 26, Fri 27, Mon 30 Mar.
    (arrival("2026-03-20"), ("2026-03-27", "2026-03-23")),
    (arrival("2026-03-20", **no_arrival_day()), ("2026-03-30", "2026-03-23")),
    # A government transfer (built-in): Fri 3 Jan 2025 was a day off moved from Sun 5 Jan,
    # which was a working day; 1-2 Jan New Year, 7 Jan Orthodox Christmas. Tue 31 Dec 2024 is
    # day 1, Sun 5 Jan day 2, Mon 6 Jan 2025 day 3.
    (arrival("2024-12-31"), ("2025-01-06", "2025-01-03")),
    # Fri 3 Jan 2025 itself is a day off: Sun 5, Mon 6, (Tue 7 holiday), Wed 8 Jan.
    (arrival("2025-01-03"), ("2025-01-08", "2025-01-06")),
    # "holidays" given, even empty, replaces the built-in calendar: Nauryz is gone, so
    # Fri 20, Mon 23, Tue 24 Mar.
    (arrival("2026-03-20", holidays=[]), ("2026-03-24", "2026-03-23")),
    # ... including the built-in transferred working Sunday 5 Jan 2025: Tue 31 Dec, Thu 2 Jan,
    # Fri 3 Jan (only 1 Jan is a holiday here).
    (arrival("2024-12-31", holidays=["2025-01-01"]), ("2025-01-03", "2025-01-03")),
    # A given holiday on Monday 23 Feb: Fri 20, Tue 24, Wed 25 Feb.
    (arrival("2026-02-20", holidays=["2026-02-23"]), ("2026-02-25", "2026-02-23")),
    # An extra working Saturday: Fri 20, Sat 21, Mon 23 Feb.
    (arrival("2026-02-20", extra_working_days=["2026-02-21"]), ("2026-02-23", "2026-02-23")),
    # Both: Fri 20, Sat 21, (Mon 23 holiday) Tue 24 Feb.
    (
        arrival("2026-02-20", holidays=["2026-02-23"], extra_working_days=["2026-02-21"]),
        ("2026-02-24", "2026-02-23"),
    ),
    # Arriving on an extra working Saturday with the arrival day counted: Sat 21, Mon 23, Tue 24.
    (arrival("2026-02-21", extra_working_days=["2026-02-21"]), ("2026-02-24", "2026-02-24")),
]


@pytest.mark.parametrize(("request_", "expected"), EQONAQ_CASES)
def test_eqonaq_deadline(check, request_, expected):
    report = check(request_)
    assert (report["eqonaq_deadline"], report["eqonaq_deadline_calendar"]) == expected


def test_eqonaq_deadline_is_for_the_relevant_stay(check):
    # Not present on 1 Mar, so the next future stay decides: Fri 5 Jun 2026 (no holiday near;
    # Kurban ait is 27 May) -> Fri 5, Mon 8, Tue 9 Jun.
    report = check(kz("2026-03-01", [("2026-01-05", "2026-01-10"), ("2026-06-05", "2026-06-20")]))
    assert report["relevant_stay_entry"] == "2026-06-05"
    assert report["eqonaq_deadline"] == "2026-06-09"
    assert report["eqonaq_deadline_calendar"] == "2026-06-08"


def test_eqonaq_keys_are_null_without_a_stay_and_for_schengen(check):
    for request_ in (kz("2026-03-01", []), schengen("2026-02-20", [("2026-02-20", None)])):
        report = check(request_)
        assert report["eqonaq_deadline"] is None
        assert report["eqonaq_deadline_calendar"] is None


CALENDAR_YEAR_CASES = [
    # Dec 20..Jan 10: on 5 Jan only Jan 1..5 count.
    (kz("2026-01-05", [("2025-12-20", "2026-01-10")]), 5),
    # Later in the year: Jan 1..10 = 10.
    (kz("2026-03-01", [("2025-12-20", "2026-01-10")]), 10),
    # A future stay in the same year does not count yet.
    (kz("2026-01-31", [("2025-12-20", "2026-01-10"), ("2026-02-01", "2026-02-10")]), 10),
    # An open stay counts up to `on`: Jan 1..Feb 1 = 32.
    (schengen("2026-02-01", [("2025-12-20", None)]), 32),
]


@pytest.mark.parametrize(("request_", "expected"), CALENDAR_YEAR_CASES)
def test_days_in_calendar_year(check, request_, expected):
    assert check(request_)["days_in_calendar_year"] == expected


def tax_365(**extra):
    return {"options": {"tax_window": "365_days"}, **extra}


TAX_DAYS_CASES = [
    # on 29 Feb 2024: one calendar year before is 28 Feb 2023, window [1 Mar 2023, 29 Feb 2024]:
    # of Feb 28..Mar 1 2023 only 1 Mar counts.
    (kz("2024-02-29", [("2023-02-28", "2023-03-01")]), 1),
    # 365 days: [29 Feb 2024 - 364 = 2 Mar 2023, 29 Feb 2024]: nothing.
    (kz("2024-02-29", [("2023-02-28", "2023-03-01")], **tax_365()), 0),
    # on 1 Mar 2024: window [2 Mar 2023, 1 Mar 2024] (366 days): Mar 2, 3 count.
    (kz("2024-03-01", [("2023-03-01", "2023-03-03")]), 2),
    # 365 days: [3 Mar 2023, 1 Mar 2024]: Mar 3 only.
    (kz("2024-03-01", [("2023-03-01", "2023-03-03")], **tax_365()), 1),
    # on 28 Feb 2025: window (28 Feb 2024, 28 Feb 2025] holds 29 Feb 2024.
    (kz("2025-02-28", [("2024-02-28", "2024-02-29")]), 1),
    # 365 days: [1 Mar 2024, 28 Feb 2025]: neither day.
    (kz("2025-02-28", [("2024-02-28", "2024-02-29")], **tax_365()), 0),
    # on 1 Mar 2025: (1 Mar 2024, 1 Mar 2025] = [2 Mar 2024, ...]; 365 days gives the same.
    (kz("2025-03-01", [("2024-03-01", "2024-03-02")]), 1),
    (kz("2025-03-01", [("2024-03-01", "2024-03-02")], **tax_365()), 1),
    # The whole leap year 2024 on 31 Dec: 366 days; 365 days drops 1 Jan.
    (schengen("2024-12-31", [("2024-01-01", "2024-12-31")]), 366),
    (schengen("2024-12-31", [("2024-01-01", "2024-12-31")], **tax_365()), 365),
    # Future days do not count in tax_days: Jan 1..10 only.
    (kz("2026-01-10", [("2026-01-01", "2026-02-15")]), 10),
]


@pytest.mark.parametrize(("request_", "expected"), TAX_DAYS_CASES)
def test_tax_days(check, request_, expected):
    assert check(request_)["tax_days"] == expected


# 1 Jan..31 Jul 2026 is 31+28+31+30+31+30+31 = 212 days; day 184 is 1 Jan + 183 = 3 Jul
# (Jan..Jun = 181 days, so 1 Jul is day 182).
TAX_CROSSING_CASES = [
    (kz("2026-07-02", [("2026-01-01", "2026-07-31")]), (183, "2026-07-03", False)),
    (kz("2026-07-03", [("2026-01-01", "2026-07-31")]), (184, "2026-07-03", True)),
    # An open stay is projected 400 days past `on`: from 1 Mar, day 184 is 31 Aug 2026
    # (Mar..Aug = 31+30+31+30+31+31 = 184).
    (kz("2026-03-10", [("2026-03-01", None)]), (10, "2026-08-31", False)),
    # Separate stays in a sliding window: Jun 1..Sep 30 2025 (122) and Mar 1..May 31 2026
    # (92). 122 + j > 183 first at j = 62 of the second stay: 1 May 2026, whose window
    # [2 May 2025, 1 May 2026] holds the first stay whole. On 30 Jun 2026 the window
    # [1 Jul 2025, 30 Jun 2026] holds Jul..Sep (92) + 92 = 184.
    (
        kz("2026-06-30", [("2025-06-01", "2025-09-30"), ("2026-03-01", "2026-05-31")]),
        (184, "2026-05-01", True),
    ),
    # Future stays count: 90 (Jan..Mar) + 92 (Jul..Sep) + Nov 1..5: on 1 Nov 182 + 1 = 183,
    # on 2 Nov 184.
    (
        kz(
            "2026-04-15",
            [
                ("2026-01-01", "2026-03-31"),
                ("2026-07-01", "2026-09-30"),
                ("2026-11-01", "2026-11-05"),
            ],
        ),
        (90, "2026-11-02", False),
    ),
    # 183 days in all never exceed 183: 90 (Jan..Mar) + 93 (Jul 1..Oct 1 = 31+31+30+1).
    (
        kz("2026-12-31", [("2026-01-01", "2026-03-31"), ("2026-07-01", "2026-10-01")]),
        (183, None, False),
    ),
    # Leap years: 1 Mar 2023..31 Aug 2023 is 184 days, so with a window of 12 calendar
    # months it crosses on its day 184, 31 Aug 2023.
    (schengen("2024-02-29", [("2023-03-01", "2023-08-31")]), (184, "2023-08-31", True)),
]


@pytest.mark.parametrize(("request_", "expected"), TAX_CROSSING_CASES)
def test_tax_183_crossing(check, request_, expected):
    report = check(request_)
    keys = ["tax_days", "tax_183_crossing_date", "tax_183_exceeded"]
    assert tuple(report[key] for key in keys) == expected


def test_tax_crossing_depends_on_the_window_around_29_february(check):
    # 1 Mar..31 Aug 2023 (184 days) and 29 Feb 2024. With 12 calendar months the window of
    # 29 Feb 2024 is [1 Mar 2023, 29 Feb 2024]; with 365 days it is [2 Mar 2023, 29 Feb 2024].
    # Both cross first on 31 Aug 2023 (184 days in a row), but on 29 Feb 2024 the count is
    # 184 + 1 = 185 for 12 months and 183 + 1 = 184 for 365 days.
    stays = [("2023-03-01", "2023-08-31"), ("2024-02-29", "2024-02-29")]
    twelve = check(schengen("2024-02-29", stays))
    days_365 = check(schengen("2024-02-29", stays, **tax_365()))
    assert (twelve["tax_days"], days_365["tax_days"]) == (185, 184)
    assert twelve["tax_183_crossing_date"] == days_365["tax_183_crossing_date"] == "2023-08-31"


def test_tax_days_on_1_march_after_a_leap_day_differ_by_window(check):
    # 2 Mar..31 Aug 2023 (183 days) and 29 Feb 2024. On 29 Feb 2024 both windows hold
    # 183 + 1 = 184: 12 months is [1 Mar 2023, 29 Feb 2024], 365 days [2 Mar 2023, 29 Feb 2024];
    # so both cross on 29 Feb 2024. On 1 Mar 2024 (absent) the 12-month window [2 Mar 2023,
    # 1 Mar 2024] still holds 184, the 365-day one [3 Mar 2023, 1 Mar 2024] only 183.
    stays = [("2023-03-02", "2023-08-31"), ("2024-02-29", "2024-02-29")]
    twelve = check(schengen("2024-03-01", stays))
    days_365 = check(schengen("2024-03-01", stays, **tax_365()))
    assert (twelve["tax_days"], twelve["tax_183_crossing_date"]) == (184, "2024-02-29")
    assert (days_365["tax_days"], days_365["tax_183_crossing_date"]) == (183, "2024-02-29")


def test_tax_crossing_differs_between_windows_across_a_leap_year(check):
    # 2 Mar 2023 (1 day) and 1 Sep 2023..1 Mar 2024 (30+31+30+31+31+29+1 = 183 days).
    # 12 months on 1 Mar 2024: (1 Mar 2023, 1 Mar 2024] holds both: 184 -> crossing that day;
    # before, at most 182 + 1 = 183. 365 days: [3 Mar 2023, 1 Mar 2024] holds 183 only: none.
    stays = [("2023-03-02", "2023-03-02"), ("2023-09-01", "2024-03-01")]
    twelve = check(schengen("2024-03-01", stays))
    days_365 = check(schengen("2024-03-01", stays, **tax_365()))
    keys = ["tax_days", "tax_183_crossing_date", "tax_183_exceeded"]
    assert tuple(twelve[key] for key in keys) == (184, "2024-03-01", True)
    assert tuple(days_365[key] for key in keys) == (183, None, False)


def test_schengen_leaves_the_kazakh_keys_null(check):
    report = check(schengen("2014-06-09", SEM_5))
    for key in (
        "overstay_tier",
        "overstay_band",
        "relevant_stay_entry",
        "registration_required",
        "registration_deadline",
        "eqonaq_deadline",
        "eqonaq_deadline_calendar",
    ):
        assert report[key] is None, key
    assert report["overstay_days"] == 9


def test_sem_example_6_in_full(check):
    # Every figure of SEM example 6 on the control date 01.03.2014, derived above.
    report = check(schengen("2014-03-01", SEM_6))
    assert figures(report, REPORT_KEYS[:13]) == {
        "present_on_query_date": True,
        "current_stay_entry": "2013-09-19",
        "current_stay_length": 164,
        "days_used": 164,
        "remaining": 0,
        "excess_days": 74,
        "latest_legal_exit": "2013-11-04",
        "overstay_stay_entry": "2013-09-19",
        "overstay_days": 117,
        "overstay_tier": None,
        "overstay_band": None,
        "planned_latest_legal_exit": None,
        "planned_max_stay_days": None,
    }


def test_no_stays_at_all(check):
    # Decision (naive.py): with no stay, nothing is overstayed: 0 days, tier and band "none".
    report = check(kz("2026-03-01", []))
    assert figures(report, REPORT_KEYS) == {
        "present_on_query_date": False,
        "current_stay_entry": None,
        "current_stay_length": None,
        "days_used": 0,
        "remaining": 90,
        "excess_days": 0,
        "latest_legal_exit": None,
        "overstay_stay_entry": None,
        "overstay_days": 0,
        "overstay_tier": "none",
        "overstay_band": "none",
        "planned_latest_legal_exit": None,
        "planned_max_stay_days": None,
        "earliest_reentry": None,
        "plan_compliant": True,
        "first_violation_date": None,
        "relevant_stay_entry": None,
        "registration_required": None,
        "registration_deadline": None,
        "eqonaq_deadline": None,
        "eqonaq_deadline_calendar": None,
        "days_in_calendar_year": 0,
        "tax_days": 0,
        "tax_183_crossing_date": None,
        "tax_183_exceeded": False,
        "tax_183_next_crossing_date": None,
        "registration_upcoming_deadline": None,
        "eqonaq_calendar_confirmed": None,
        "citizenship_modelled": None,
        "depends_on": [],
    }


# Invalid input


INVALID_CASES = [
    (kz("2026-03-01", [("2026-01-10", "2026-01-09")]), "exit_before_entry"),
    (kz("2026-03-01", [("2026-01-10", None), ("2026-02-10", None)]), "multiple_open_stays"),
    (kz("2026-03-01", [("2026-03-02", None)]), "open_stay_starts_after_query_date"),
    # A closed stay after the open stay began, and a planned stay after it.
    (
        kz("2026-03-01", [("2026-01-01", None), ("2026-02-01", "2026-02-05")]),
        "stay_after_open_stay",
    ),
    (
        kz("2026-03-01", [("2026-02-01", None), ("2026-04-01", "2026-04-05")]),
        "stay_after_open_stay",
    ),
    # planned_entry on a day of presence: inside a past stay, its exit day, `on` of an open
    # stay, and a day of a future stay.
    (
        kz("2026-03-01", [("2026-01-01", "2026-01-10")], planned_entry="2026-01-05"),
        "planned_entry_is_a_presence_day",
    ),
    (
        kz("2026-03-01", [("2026-01-01", "2026-01-10")], planned_entry="2026-01-10"),
        "planned_entry_is_a_presence_day",
    ),
    (
        kz("2026-03-01", [("2026-02-25", None)], planned_entry="2026-03-01"),
        "planned_entry_is_a_presence_day",
    ),
    (
        schengen("2026-03-01", [("2026-04-01", "2026-04-10")], planned_entry="2026-04-10"),
        "planned_entry_is_a_presence_day",
    ),
]


@pytest.mark.parametrize(("request_", "code"), INVALID_CASES)
def test_invalid_stays_are_rejected_with_their_code(check, request_, code):
    assert request_error(check, request_).code == code


def test_a_planned_entry_next_to_a_stay_is_valid(check):
    # The day after the exit, the day before the entry and the day after `on` of an open stay
    # are no presence days.
    check(kz("2026-03-01", [("2026-01-01", "2026-01-10")], planned_entry="2026-01-11"))
    check(kz("2026-03-01", [("2026-04-01", "2026-04-10")], planned_entry="2026-03-31"))
    check(kz("2026-03-01", [("2026-02-25", None)], planned_entry="2026-03-02"))


def valid():
    return kz("2026-03-01", [("2026-01-05", "2026-01-20"), ("2026-02-20", None)])


def with_changes(**changes):
    request_ = valid()
    request_.update(changes)
    return request_


BAD_REQUESTS = [
    (with_changes(regime="schengen_plus"), "regime"),
    (with_changes(regime=None), "regime"),
    (with_changes(on="2026-02-30"), "on"),
    (with_changes(on="01.03.2026"), "on"),
    (with_changes(on=None), "on"),
    (with_changes(on="20260301"), "on"),
    (with_changes(stays=[{"entry": "2026-13-01", "exit": None}]), "entry"),
    (with_changes(stays=[{"entry": "yesterday", "exit": None}]), "entry"),
    (with_changes(stays=[{"entry": "2026-01-01", "exit": "2026-02-29"}]), "exit"),
    (with_changes(planned_entry="2026-04-31"), "planned_entry"),
    (with_changes(holidays=["2026-02-30"]), "holidays"),
    (with_changes(extra_working_days=["Saturday"]), "extra_working_days"),
    (with_changes(options={"tax_window": "calendar_year"}), "tax_window"),
]


@pytest.mark.parametrize(("request_", "field"), BAD_REQUESTS)
def test_bad_request_names_the_field(check, request_, field):
    error = request_error(check, request_)
    assert error.code == "bad_request"
    assert re.search(rf"\b{field}\b", error.message), error.message


def test_missing_on_is_a_bad_request(check):
    request_ = valid()
    del request_["on"]
    error = request_error(check, request_)
    assert error.code == "bad_request"
    assert re.search(r"\bon\b", error.message), error.message
