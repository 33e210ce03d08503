"""Every option has a documented range (docs/rules.md, "Parameters"); outside it the CLI answers
exit 2 with `bad_request` naming the field, never a traceback."""

import contextlib
import io
import json
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rules
from rules.__main__ import main
from rules.types import OPTION_RANGES

ROOT = Path(__file__).resolve().parents[2]
OPEN_STAY = {"regime": "kz_visa_free", "on": "2026-03-01", "stays": [{"entry": "2026-02-01"}]}


def run_main(stdin: str) -> tuple[int, dict]:
    """`python -m rules check` in this process: its exit status and the JSON it printed."""
    out = io.StringIO()
    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out):
            status = main(["check"])
    finally:
        sys.stdin = saved
    return status, json.loads(out.getvalue())


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        pytest.param(
            {**OPEN_STAY, "options": {"registration_lead_days": 10**8}},
            "options.registration_lead_days",
            id="lead-days-1e8",
        ),
        pytest.param(
            {**OPEN_STAY, "options": {"registration_deadline_day": 10**8}},
            "options.registration_deadline_day",
            id="deadline-day-1e8",
        ),
        pytest.param(
            {**OPEN_STAY, "options": {"eqonaq_calendar_days": 10**8}},
            "options.eqonaq_calendar_days",
            id="eqonaq-calendar-days-1e8",
        ),
        pytest.param(
            {**OPEN_STAY, "options": {"max_days": 10**9, "window_days": 10**9}},
            "options.max_days",
            id="max-and-window-days-1e9",
        ),
        pytest.param(
            {**OPEN_STAY, "options": {"per_stay_cap_days": 10**8}},
            "options.per_stay_cap_days",
            id="per-stay-cap-1e8",
        ),
        pytest.param(
            {**OPEN_STAY, "options": {"eqonaq_working_days": 10**8}},
            "options.eqonaq_working_days",
            id="eqonaq-working-days-1e8",
        ),
        pytest.param(
            {**OPEN_STAY, "options": {"registration_lead_days": 10**30}},
            "options.registration_lead_days",
            id="lead-days-1e30",
        ),
        pytest.param(
            {
                **OPEN_STAY,
                "citizenship": "RU",
                "options": {"kz_annual_cap": True, "kz_annual_cap_days": 60},
            },
            "options.kz_annual_cap_days",
            id="eaeu-90-day-cap-above-the-annual-cap",
        ),
    ],
)
def test_an_option_outside_its_range_is_a_bad_request_naming_it(request_, field):
    status, answer = run_main(json.dumps(request_))
    assert status == 2
    assert answer["error"] == "bad_request"
    assert field in answer["message"]


def test_deeply_nested_json_is_a_bad_request():
    status, answer = run_main("[" * 100_000)
    assert (status, answer["error"]) == (2, "bad_request")


def test_every_whole_number_option_has_a_documented_range():
    documented = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for name, (least, most) in OPTION_RANGES.items():
        assert f"`{name}`" in documented
        assert f"{least}-{most:,}" in documented.split(f"`{name}`", 1)[1].split("\n", 1)[0], name


any_value = st.one_of(
    st.integers(),
    st.booleans(),
    st.none(),
    st.text(max_size=12),
    st.dates().map(lambda d: d.isoformat()),
    st.lists(st.integers(), max_size=3),
)
options = st.dictionaries(
    st.sampled_from([f.name for f in rules.Parameters.__dataclass_fields__.values()]),
    st.one_of(st.integers(), any_value),
    max_size=6,
)


@st.composite
def hostile_requests(draw):
    # Any date, and often one of a few recent years, so that many requests are valid.
    day = st.one_of(st.dates(), st.dates(date(2023, 1, 1), date(2026, 12, 31))).map(
        lambda d: d.isoformat()
    )
    stays = draw(
        st.lists(
            st.fixed_dictionaries(
                {"entry": day},
                optional={"exit": st.one_of(st.none(), day), "visa": st.integers(-1, 3)},
            ),
            max_size=4,
        )
    )
    request = {
        "regime": draw(st.sampled_from(["kz_visa_free", "schengen", "other"])),
        "on": draw(day),
        "stays": stays,
        "options": draw(options),
    }
    optional = {
        "planned_entry": day,
        "reentry_lengths": st.lists(st.integers(), max_size=3),
        "holidays": st.lists(day, max_size=3),
        "transferred_working_days": st.lists(day, max_size=3),
        "calendar_years": st.lists(st.integers(), max_size=3),
        "citizenship": st.sampled_from(["DE", "RU", "CN", "IN", "KZ", "US", "FR", "de"]),
        "visas": st.lists(
            st.fixed_dictionaries(
                {"kind": st.sampled_from([*rules.VisaKind, "other"]), "valid_from": day},
                optional={
                    "valid_until": day,
                    "entries_allowed": st.integers(),
                    "days_of_stay_allowed": st.integers(),
                    "extensions_granted": st.integers(),
                    "country": any_value,
                },
            ),
            max_size=3,
        ),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            request[key] = draw(st.one_of(strategy, any_value))
    return request


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_requests())
def test_the_cli_answers_every_request_with_exit_0_or_2(request_):
    status, answer = run_main(json.dumps(request_))
    assert status in (0, 2)
    if status == 2:
        assert answer["error"] != "bad_request" or answer["message"]
