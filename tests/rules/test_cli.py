"""`python -m rules check`: one JSON request on stdin, one JSON report or error on stdout."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import rules
from tests.rules import naive

ROOT = Path(__file__).resolve().parents[2]

REQUEST = {
    "regime": "kz_visa_free",
    "on": "2026-03-01",
    "stays": [{"entry": "2026-01-05", "exit": "2026-01-20"}, {"entry": "2026-02-20", "exit": None}],
    "planned_entry": "2026-04-01",
    "reentry_lengths": [10, 30],
}


def run_cli(stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rules", "check"],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_cli_writes_the_report_of_rules_check():
    result = run_cli(json.dumps(REQUEST))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == rules.check(REQUEST)
    assert {key: report[key] for key in naive.REPORT_KEYS} == naive.check(REQUEST)


@pytest.mark.parametrize(
    ("stdin", "code", "field"),
    [
        ('{"regime": "kz_visa_free", "on": ', "bad_request", None),
        ("not json at all", "bad_request", None),
        (json.dumps({**REQUEST, "regime": "mars"}), "bad_request", "regime"),
        (json.dumps({**REQUEST, "on": "2026-02-30"}), "bad_request", "on"),
        (
            json.dumps({**REQUEST, "stays": [{"entry": "2026-01-10", "exit": "2026-01-09"}]}),
            "exit_before_entry",
            None,
        ),
        (
            json.dumps({**REQUEST, "planned_entry": "2026-02-25"}),
            "planned_entry_is_a_presence_day",
            None,
        ),
    ],
)
def test_cli_exits_with_status_2_and_an_error_object(stdin, code, field):
    result = run_cli(stdin)
    assert result.returncode == 2, (result.stdout, result.stderr)
    error = json.loads(result.stdout)
    assert set(error) == {"error", "message"}
    assert error["error"] == code
    assert isinstance(error["message"], str) and error["message"]
    if field:
        assert field in error["message"]
