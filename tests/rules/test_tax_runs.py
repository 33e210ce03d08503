"""The tax runs' shortcuts equal a day-by-day walk (docs/rules.md §9: "day 184 breaks the rule")."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from rules.tax import run_end, run_start, window_start
from rules.window import Presence, merge

FIRST = date(2023, 1, 1).toordinal()


@st.composite
def presences(draw):
    spans = []
    day = FIRST + draw(st.integers(0, 400))
    for _ in range(draw(st.integers(1, 8))):
        length = draw(st.integers(1, 300))
        spans.append((day, day + length - 1))
        day += length + draw(st.integers(1, 120))
    return Presence(merge(spans))


def counts(presence, day, tax_window):
    return presence.count(window_start(day, tax_window), day)


@settings(deadline=None, max_examples=300)
@given(
    presences(),
    st.integers(0, 2000),
    st.integers(30, 200),
    st.sampled_from(["12_months", "365_days"]),
)
def test_run_end_is_the_first_day_back_at_or_under_the_threshold(
    presence, offset, threshold, window
):
    day = FIRST + offset
    walked = day
    while counts(presence, walked, window) > threshold:
        walked += 1
    assert run_end(presence, day, threshold=threshold, tax_window=window) == walked


@settings(deadline=None, max_examples=300)
@given(presences(), st.integers(30, 200), st.sampled_from(["12_months", "365_days"]), st.data())
def test_run_start_is_the_first_day_of_the_run_over_the_threshold(
    presence, threshold, window, data
):
    over = [
        d
        for start, end in zip(presence.starts, presence.ends, strict=True)
        for d in range(start, end + 1)
        if counts(presence, d, window) > threshold
    ]
    if not over:
        return
    day = data.draw(st.sampled_from(over))
    walked = day
    while counts(presence, walked - 1, window) > threshold:
        walked -= 1
    assert run_start(presence, day, threshold=threshold, tax_window=window) == walked
