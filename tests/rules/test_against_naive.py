"""Property tests: the fast engine gives the naive reference's report on random requests.

Every key of the contract must match, and an invalid request must fail with the same code.
Histories are built from chained stays whose gaps are often -5..2 days, so overlapping stays,
stays sharing a day and adjacent stays come up all the time, then shuffled.
"""

import copy
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rules
from tests.rules import naive

SETTINGS = settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])


def outcome(check, request):
    try:
        report = check(copy.deepcopy(request))
    except rules.RequestError as error:
        return ("error", error.code)
    return {key: report[key] for key in naive.REPORT_KEYS}


def assert_same(request):
    assert outcome(rules.check, request) == outcome(naive.check, request), request


def iso(day):
    return day.isoformat()


@st.composite
def histories(
    draw,
    *,
    max_stays=30,
    max_length=120,
    max_gap=150,
    first=date(2022, 6, 1),
    last=date(2026, 6, 1),
):
    """(stays as (entry, exit) dates, sorted by entry) with overlaps, shared days and gaps."""
    count = draw(st.integers(0, max_stays))
    day = draw(st.dates(first, last))
    stays = []
    for _ in range(count):
        gap = draw(st.one_of(st.integers(-5, 2), st.integers(3, max_gap)))
        entry = day + timedelta(days=gap) if stays else day
        length = draw(st.integers(1, max_length))
        stays.append((entry, entry + timedelta(days=length - 1)))
        day = max(day, stays[-1][1])
    return stays


@st.composite
def requests(draw, stays_strategy=None, *, valid_open_stay=True):
    stays = draw(histories() if stays_strategy is None else stays_strategy)
    regime = draw(st.sampled_from(["kz_visa_free", "schengen"]))
    if stays:
        first, last = min(s[0] for s in stays), max(s[1] for s in stays)
    else:
        first = last = draw(st.dates(date(2022, 6, 1), date(2026, 6, 1)))
    on = first + timedelta(days=draw(st.integers(-20, (last - first).days + 200)))

    records = [{"entry": iso(entry), "exit": iso(exit_)} for entry, exit_ in stays]
    if stays and draw(st.booleans()):
        if valid_open_stay:
            # The stay with the latest entry is the open one, entered on or before `on`.
            latest = max(range(len(stays)), key=lambda i: stays[i][0])
            records[latest]["exit"] = None
            # Often 25-45 days in, where the KZ cap and the overstay bands change.
            days_in = draw(st.one_of(st.integers(24, 45), st.integers(0, 150)))
            on = max(on, stays[latest][0] + timedelta(days=days_in))
        else:
            for i in draw(st.lists(st.integers(0, len(stays) - 1), min_size=1, max_size=2)):
                records[i]["exit"] = None
    records = draw(st.permutations(records))

    request = {"regime": regime, "on": iso(on), "stays": records}
    if draw(st.booleans()):
        request["planned_entry"] = iso(on + timedelta(days=draw(st.integers(-60, 250))))
    if draw(st.booleans()):
        request["reentry_lengths"] = draw(st.lists(st.integers(1, 100), max_size=3))
    if draw(st.integers(0, 3)) == 0:
        request["holidays"] = [
            iso(on + timedelta(days=d)) for d in draw(st.lists(st.integers(-400, 400), max_size=6))
        ]
    if draw(st.integers(0, 3)) == 0:
        request["extra_working_days"] = [
            iso(on + timedelta(days=d)) for d in draw(st.lists(st.integers(-400, 400), max_size=6))
        ]
    options = {}
    if draw(st.booleans()):
        options["eqonaq_counts_arrival_day"] = draw(st.booleans())
    if draw(st.booleans()):
        options["tax_window"] = draw(st.sampled_from(["12_months", "365_days"]))
    if draw(st.booleans()):
        options["merge_same_day_reentry"] = draw(st.booleans())
    if draw(st.integers(0, 3)) == 0:
        options["registration_lead_days"] = draw(st.integers(0, 40))
    if draw(st.integers(0, 4)) == 0:
        options["kz_annual_cap"] = True
        options["kz_annual_cap_days"] = draw(st.integers(90, 150))
    if draw(st.integers(0, 5)) == 0:
        options["kz_90_180_from"] = iso(draw(st.dates(date(2022, 6, 1), date(2025, 6, 1))))
    if draw(st.integers(0, 3)) == 0:
        request["citizenship"] = draw(st.sampled_from(["DE", "RU", "KG", "IN", "CN", "US", "KZ"]))
    if draw(st.integers(0, 3)) == 0:
        request["transferred_working_days"] = [
            iso(on + timedelta(days=d)) for d in draw(st.lists(st.integers(-400, 400), max_size=4))
        ]
    if draw(st.integers(0, 3)) == 0:
        request["calendar_years"] = draw(st.lists(st.integers(2022, 2027), max_size=3))
    if options or draw(st.booleans()):
        request["options"] = options
    return request


@SETTINGS
@given(requests())
def test_fast_engine_matches_naive_on_random_histories(request):
    assert_same(request)


@SETTINGS
@given(requests(histories(max_stays=12, max_length=40, max_gap=40, first=date(2023, 6, 1))))
def test_fast_engine_matches_naive_on_dense_short_stays(request):
    # Short stays with short gaps hit the 30-day cap and the 90/180 limit over and over.
    assert_same(request)


@SETTINGS
@given(requests(histories(max_stays=8, max_length=35, max_gap=120, first=date(2023, 6, 1))))
def test_fast_engine_matches_naive_on_sparse_mostly_legal_stays(request):
    # Mostly legal histories, where `remaining`, L(E) and the planned figures are small
    # but not zero.
    assert_same(request)


@SETTINGS
@given(requests(histories(max_stays=80, max_length=10, max_gap=15, first=date(2024, 1, 1))))
def test_fast_engine_matches_naive_on_many_short_trips(request):
    # Up to 80 trips of a few days: many merges, many windows touching many stays.
    assert_same(request)


@SETTINGS
@given(requests(valid_open_stay=False))
def test_fast_engine_rejects_what_naive_rejects(request):
    # Open stays anywhere, possibly two of them, possibly after `on` or before other stays.
    assert_same(request)


@st.composite
def broken_stays(draw):
    stays = draw(histories(max_stays=6, max_length=30, max_gap=30))
    records = [{"entry": iso(entry), "exit": iso(exit_)} for entry, exit_ in stays]
    if records:
        i = draw(st.integers(0, len(records) - 1))
        entry = date.fromisoformat(records[i]["entry"])
        records[i]["exit"] = iso(entry - timedelta(days=draw(st.integers(1, 5))))
    return records


@SETTINGS
@given(broken_stays(), st.sampled_from(["kz_visa_free", "schengen"]))
def test_exit_before_entry_is_rejected_like_naive(records, regime):
    assert_same({"regime": regime, "on": "2026-01-01", "stays": records})


@settings(deadline=None, max_examples=200)
@given(
    st.dates(date(2017, 1, 1), date(2027, 12, 31)),
    st.integers(1, 40),
    st.booleans(),
    st.one_of(st.none(), st.lists(st.integers(-3, 10), max_size=4)),
    st.one_of(st.none(), st.lists(st.integers(-3, 10), max_size=3)),
)
def test_eqonaq_deadline_matches_naive_on_any_arrival_day(
    entry, length, counts_arrival_day, holiday_offsets, extra_offsets
):
    # One stay, entered any day of 2017-2027: the built-in Kazakh calendar with its transferred
    # days off and working weekends, or given holidays and extra working days near the entry.
    request = {
        "regime": "kz_visa_free",
        "on": iso(entry),
        "stays": [{"entry": iso(entry), "exit": iso(entry + timedelta(days=length - 1))}],
        "options": {"eqonaq_counts_arrival_day": counts_arrival_day},
    }
    if holiday_offsets is not None:
        request["holidays"] = [iso(entry + timedelta(days=d)) for d in holiday_offsets]
    if extra_offsets is not None:
        request["extra_working_days"] = [iso(entry + timedelta(days=d)) for d in extra_offsets]
    assert_same(request)


@settings(deadline=None, max_examples=100)
@given(
    st.lists(
        st.tuples(st.integers(-400, 400), st.integers(1, 200)),
        max_size=4,
    ),
    st.integers(-60, 60),
    st.sampled_from([date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 1), date(2028, 2, 29)]),
    st.sampled_from(["12_months", "365_days"]),
    st.booleans(),
)
def test_tax_figures_match_naive_around_leap_days(stays, on_offset, leap, tax_window, open_last):
    # Stays and query dates near 29 February, where the two tax windows differ.
    records = [
        {
            "entry": iso(leap + timedelta(days=start)),
            "exit": iso(leap + timedelta(days=start + n - 1)),
        }
        for start, n in stays
    ]
    on = leap + timedelta(days=on_offset)
    if open_last and records:
        latest = max(records, key=lambda record: record["entry"])
        if latest["entry"] <= iso(on):
            latest["exit"] = None
    request = {
        "regime": "schengen",
        "on": iso(on),
        "stays": records,
        "options": {"tax_window": tax_window},
    }
    assert_same(request)


@SETTINGS
@given(
    requests(
        histories(
            max_stays=8, max_length=40, max_gap=40, first=date(2023, 8, 1), last=date(2023, 12, 1)
        )
    ),
    st.sampled_from(["CN", "IN", "RU", "DE"]),
)
def test_fast_engine_matches_naive_around_the_china_change_of_10_november_2023(
    request, citizenship
):
    # docs/rules.md §15a: China 14/42 until 9 Nov 2023, 30/90 from 10 Nov 2023; each stay is held
    # to the limits of its entry day, and re-entries are searched across the change.
    request["citizenship"] = citizenship
    request["regime"] = "kz_visa_free"
    assert_same(request)
