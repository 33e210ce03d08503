"""The JSON contract under hostile input: exit status 2 with a message, never a traceback.

Requests are built from valid ones with fields replaced by extreme dates (0001-01-01,
9999-12-31), impossible dates, non-dates, wrong types, huge and negative numbers, control
characters and unicode, or left out; `python -m rules check` must answer each with a report
(status 0) or one JSON error (status 2).
"""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.__main__ import main

ROOT = Path(__file__).resolve().parents[2]

# Dates at the calendar's own ends: windows reach years before and after them.
AT_THE_CALENDAR_ENDS = ["0001-01-01", "0001-01-02", "9999-12-30", "9999-12-31"]
HOSTILE_VALUES = [
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "20260301",
    "2026-3-1",
    "yesterday",
    "",
    " 2026-03-01",
    "2026-03-01\x00",
    "٢٠٢٦-٠٣-٠١",
    "x" * 10_000,
    "'; DROP TABLE trips_trip; --",
    "<script>alert(1)</script>",
    -1,
    0,
    10**18,
    -(10**18),
    1.5,
    float("inf"),
    True,
    None,
    [],
    {},
    ["2026-03-01"],
]

VALID = {
    "regime": "kz_visa_free",
    "on": "2026-03-01",
    "stays": [{"entry": "2026-01-05", "exit": "2026-01-20"}, {"entry": "2026-02-20", "exit": None}],
    "planned_entry": "2026-04-01",
    "reentry_lengths": [10, 30],
    "options": {"max_days": 90, "tax_window": "12_months"},
}
PATHS = [
    ("regime",),
    ("on",),
    ("stays",),
    ("stays", 0, "entry"),
    ("stays", 0, "exit"),
    ("stays", 1, "entry"),
    ("stays", 1, "exit"),
    ("planned_entry",),
    ("reentry_lengths",),
    ("reentry_lengths", 0),
    ("options",),
    ("options", "max_days"),
    ("options", "tax_window"),
]
MISSING = object()


def hostile(dates) -> st.SearchStrategy:
    return st.one_of(
        st.sampled_from(HOSTILE_VALUES),
        st.text(max_size=40),
        st.integers(),
        dates.map(str),
        st.just(MISSING),
    )


values = st.one_of(st.sampled_from(AT_THE_CALENDAR_ENDS), hostile(st.dates()))


def with_value(request: dict, path: tuple, value) -> dict:
    changed = json.loads(json.dumps(request))
    *parents, last = path
    target = changed
    for key in parents:
        target = target[key]
    if value is MISSING:
        del target[last]
    else:
        target[last] = value
    return changed


def answer(request_text: str, monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(request_text))
    status = main(["check"])
    return status, capsys.readouterr().out


def assert_answered(status: int, out: str) -> None:
    document = json.loads(out)
    assert status in (0, 2)
    if status == 2:
        assert set(document) == {"error", "message"}
        assert document["message"]


def changed_request(changes) -> dict:
    request = VALID
    for path, value in changes:
        try:
            request = with_value(request, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # the parent was replaced by an earlier change
    return request


EXAMPLES = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@EXAMPLES
@given(changes=st.lists(st.tuples(st.sampled_from(PATHS), values), min_size=1, max_size=3))
def test_any_hostile_field_gets_a_report_or_an_error_never_a_traceback(
    changes, monkeypatch, capsys
):
    status, out = answer(json.dumps(changed_request(changes), allow_nan=True), monkeypatch, capsys)

    assert_answered(status, out)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.one_of(st.text(max_size=200), st.sampled_from(["", "null", "[]", "{", "1e999"])))
def test_text_that_is_not_a_request_gets_an_error(text, monkeypatch, capsys):
    status, out = answer(text, monkeypatch, capsys)

    assert_answered(status, out)


AT_THE_ENDS = [
    {"regime": "kz_visa_free", "on": "0001-01-01", "stays": [{"entry": "0001-01-01"}]},
    {**VALID, "planned_entry": "9999-12-31"},
    {
        "regime": "schengen",
        "on": "9999-12-31",
        "stays": [{"entry": "9999-12-31", "exit": "9999-12-31"}],
    },
]


@pytest.mark.parametrize(
    "request_body", [pytest.param(r, id=f"ends-{i}") for i, r in enumerate(AT_THE_ENDS)]
)
def test_requests_at_the_ends_of_the_calendar_get_a_report_or_an_error(
    request_body, monkeypatch, capsys
):
    status, out = answer(json.dumps(request_body), monkeypatch, capsys)

    assert_answered(status, out)


@pytest.mark.parametrize(
    "request_text",
    [
        pytest.param(json.dumps(with_value(VALID, ("on",), "9999-12-31")), id="on-9999-12-31"),
        pytest.param(json.dumps(with_value(VALID, ("on",), "0001-01-01")), id="on-0001-01-01"),
        pytest.param(
            json.dumps(with_value(VALID, ("stays", 1, "entry"), "0001-01-01")),
            id="entry-0001-01-01",
        ),
        pytest.param("\x00\x01not json", id="control-characters"),
    ],
)
def test_the_command_line_answers_extreme_requests_without_a_traceback(request_text):
    result = subprocess.run(
        [sys.executable, "-m", "rules", "check"],
        input=request_text,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )

    assert "Traceback" not in result.stderr
    assert_answered(result.returncode, result.stdout)
