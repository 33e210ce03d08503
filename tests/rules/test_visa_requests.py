"""The JSON contract takes visas (docs/rules.md, "The JSON contract": `visas`)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import rules

ROOT = Path(__file__).resolve().parents[2]


def request_(regime, on, stays, visas, **extra):
    return {"regime": regime, "on": on, "stays": stays, "visas": visas, **extra}


# docs/rules.md §6: B2 single entry, validity up to 90 days, stay 30 days. Entry 1 Mar 2026, still
# there on 5 Apr: the 30 days ran out on 30 Mar (1 Mar + 29), so 31 Mar..5 Apr is 6 days over
# (KoAP art. 517(3), band 6-10). The stay is under the visa, so 90/180 does not count it.
B2 = {"kind": "b2_single", "valid_from": "2026-03-01"}


def test_a_b2_visa_overstay_is_reported_through_the_cli():
    request = request_("kz_visa_free", "2026-04-05", [{"entry": "2026-03-01", "visa": 0}], [B2])
    result = subprocess.run(
        [sys.executable, "-m", "rules", "check"],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    (visa,) = report["visas"]
    assert (visa["kind"], visa["expires_on"], visa["days_allowed"]) == (
        "b2_single",
        "2026-05-29",
        30,
    )
    assert (visa["days_used"], visa["overstay_days"], visa["overstay_band"]) == (36, 6, "6-10")
    assert (visa["overstay_from"], visa["compliant"], visa["rule"]) == (
        "2026-03-31",
        False,
        "kz_visas",
    )
    # The visa replaces the visa-free counting: no days used, no visa-free overstay.
    assert (report["days_used"], report["overstay_days"]) == (0, 0)


@pytest.mark.parametrize(
    ("visa", "expected"),
    [
        pytest.param(
            # Visa Code Annex VII point 4: multiple entry, valid more than six months: no total,
            # 90 in any 180. Jan 1..Mar 31 = 90 days; on 10 Apr 10 days over 90/180.
            {"kind": "schengen_c", "valid_from": "2026-01-01", "valid_until": "2027-12-31"},
            (None, "2026-03-31", False, "2026-04-01", 10),
            id="visa-code-annex-vii-4-long-validity-90-in-180",
        ),
        pytest.param(
            # A single-entry C visa of 15 days counts its sticker's days in total (§11).
            {
                "kind": "schengen_c",
                "valid_from": "2026-01-01",
                "valid_until": "2026-06-30",
                "entries_allowed": 1,
                "days_of_stay_allowed": 15,
            },
            (15, "2026-01-15", False, "2026-01-16", 10),
            id="rules-md-11-sticker-15-days",
        ),
    ],
)
def test_schengen_visas_through_the_contract(visa, expected):
    request = request_(
        "schengen", "2026-04-10", [{"entry": "2026-01-01", "exit": None, "visa": 0}], [visa]
    )
    report = rules.check(request)
    found = report["visas"][0]
    figures = (
        found["days_allowed"],
        found["latest_legal_exit"],
        found["compliant"],
        found["first_violation_date"],
        report["excess_days"],
    )
    assert figures == expected


@pytest.mark.parametrize(
    ("visas", "stays", "field"),
    [
        pytest.param([{"kind": "x", "valid_from": "2026-01-01"}], [], "visas[0].kind", id="kind"),
        pytest.param(
            [{"kind": "c3", "valid_from": "2026-01-01"}],
            [],
            "visas[0].valid_until",
            id="c3-needs-until",
        ),
        pytest.param(
            [{**B2, "valid_until": "2025-01-01"}],
            [],
            "visas[0].valid_until",
            id="until-before-from",
        ),
        pytest.param(
            [B2], [{"entry": "2026-03-01", "visa": 1}], "stays[0].visa", id="no-such-visa"
        ),
        pytest.param(
            [{**B2, "extensions_granted": 1}],
            [],
            "visas[0].extensions_granted",
            id="b2-not-extended",
        ),
        pytest.param(
            [{**B2, "days_of_stay_allowed": 10**9}],
            [],
            "visas[0].days_of_stay_allowed",
            id="days-out-of-range",
        ),
        pytest.param({"kind": "b2_single"}, [], "visas", id="not-a-list"),
    ],
)
def test_a_malformed_visa_is_a_bad_request_naming_the_field(visas, stays, field):
    with pytest.raises(rules.RequestError) as info:
        rules.check(request_("kz_visa_free", "2026-04-05", stays, visas))
    assert info.value.code == "bad_request"
    assert info.value.message.startswith(field)


def test_without_visas_the_report_says_null():
    report = rules.check({"regime": "kz_visa_free", "on": "2026-04-05", "stays": []})
    assert report["visas"] is None
