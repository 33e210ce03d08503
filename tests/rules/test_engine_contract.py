"""The fast engine's own table tests of the contract, with literal dates.

Schengen cases are the Swiss SEM's worked examples for the EU calculator (docs/rules.md §11).
"""

import json
import subprocess
import sys

import pytest

import rules


def request(regime, on, stays, **extra):
    return {
        "regime": regime,
        "on": on,
        "stays": [{"entry": entry, "exit": exit_} for entry, exit_ in stays],
        **extra,
    }


def test_the_report_has_every_key_of_the_contract_and_no_other():
    report = rules.check(request("kz_visa_free", "2026-03-01", []))
    assert tuple(report) == rules.REPORT_KEYS
    # The keys of the first contract, those added for legal fidelity, then the visas.
    assert rules.REPORT_KEYS[-1] == "visas"
    # How long the report holds: an empty history, until the calendar year turns.
    assert report["stable_until"] == "2026-12-31"


def test_sem_example_6_counts_74_days_excess_and_117_days_present_illegally():
    # Control on 01.03.2014, window 03.09.2013-01.03.2014 (docs/rules.md §11).
    report = rules.check(
        request("schengen", "2014-03-01", [("2013-06-28", "2013-08-09"), ("2013-09-19", None)])
    )
    assert report["days_used"] == 164
    assert report["excess_days"] == 74
    assert report["latest_legal_exit"] == "2013-11-04"
    assert report["overstay_days"] == 117
    assert report["first_violation_date"] == "2013-11-05"


def test_sem_example_5_reentry_on_30_august_2014_allows_50_days():
    stays = [
        ("2013-09-01", "2013-09-30"),
        ("2014-02-21", "2014-04-20"),
        ("2014-05-01", "2014-06-09"),
    ]
    report = rules.check(request("schengen", "2014-06-09", stays, planned_entry="2014-08-30"))
    assert report["excess_days"] == 9
    assert report["planned_max_stay_days"] == 50
    assert report["planned_latest_legal_exit"] == "2014-10-18"


@pytest.mark.parametrize(
    ("on", "stays", "latest_legal_exit"),
    [
        # SEM example 2: possible stay until 13.12.2014.
        ("2014-11-30", [("2014-08-15", "2014-09-30"), ("2014-11-01", "2014-11-30")], "2014-12-13"),
        # SEM example 4: could have stayed until 31.03.2014.
        (
            "2014-01-30",
            [("2013-06-01", "2013-07-13"), ("2013-08-15", "2013-09-30"), ("2014-01-01", None)],
            "2014-03-31",
        ),
    ],
)
def test_sem_examples_give_the_latest_legal_exit(on, stays, latest_legal_exit):
    assert rules.check(request("schengen", on, stays))["latest_legal_exit"] == latest_legal_exit


def test_sem_example_1_a_new_entry_after_a_long_absence_allows_90_days():
    report = rules.check(
        request("schengen", "2014-09-30", [("2014-08-15", None)], planned_entry="2015-01-01")
    )
    assert report["current_stay_length"] == 47
    assert report["planned_max_stay_days"] == 90


@pytest.mark.parametrize(
    ("on", "latest", "overstay", "tier", "band"),
    [
        ("2026-01-30", "2026-01-30", 0, "none", "none"),
        ("2026-02-02", "2026-01-30", 3, "warning", "1-3"),
        ("2026-02-03", "2026-01-30", 4, "sanction", "4-5"),
        ("2026-02-05", "2026-01-30", 6, "sanction", "6-10"),
        ("2026-02-10", "2026-01-30", 11, "sanction", ">10"),
    ],
)
def test_kz_stay_ends_on_its_30th_day_and_overstay_bands_follow(on, latest, overstay, tier, band):
    report = rules.check(request("kz_visa_free", on, [("2026-01-01", None)]))
    assert report["latest_legal_exit"] == latest
    assert report["overstay_days"] == overstay
    assert (report["overstay_tier"], report["overstay_band"]) == (tier, band)


def test_adjacent_stays_are_separate_for_the_cap_but_both_days_count():
    stays = [("2026-01-01", "2026-01-20"), ("2026-01-21", "2026-02-05")]
    report = rules.check(request("kz_visa_free", "2026-02-05", stays))
    assert report["current_stay_entry"] == "2026-01-21"
    assert report["current_stay_length"] == 16
    assert report["days_used"] == 36
    assert report["plan_compliant"] is True


def test_same_day_reentry_is_merged_into_one_stay():
    stays = [("2026-01-01", "2026-01-20"), ("2026-01-20", "2026-02-05")]
    report = rules.check(request("kz_visa_free", "2026-02-05", stays))
    assert report["current_stay_entry"] == "2026-01-01"
    assert report["first_violation_date"] == "2026-01-31"


def test_registration_is_due_on_the_30th_day_of_a_longer_stay():
    report = rules.check(request("kz_visa_free", "2026-03-01", [("2026-04-01", "2026-05-10")]))
    assert report["relevant_stay_entry"] == "2026-04-01"
    assert report["registration_required"] is True
    assert report["registration_deadline"] == "2026-04-30"


@pytest.mark.parametrize(
    ("entry", "extra", "deadline"),
    [
        # Friday arrival is day 1; 7-8 Mar weekend, 9 Mar a moved day off (holidays "KZ").
        ("2026-03-06", {}, "2026-03-11"),
        ("2026-03-06", {"options": {"eqonaq_counts_arrival_day": False}}, "2026-03-12"),
        # A given holiday list replaces the built-in calendar, even when empty.
        ("2026-03-06", {"holidays": []}, "2026-03-10"),
        ("2026-03-06", {"holidays": [], "extra_working_days": ["2026-03-07"]}, "2026-03-09"),
        # 3 Jan 2025 was a day off moved from Sunday 5 Jan, a working day (day 1); 6 Jan is
        # day 2; 7 Jan is Orthodox Christmas, so day 3 is 8 Jan.
        ("2025-01-03", {}, "2025-01-08"),
    ],
)
def test_eqonaq_deadline_counts_kazakh_working_days(entry, extra, deadline):
    report = rules.check(request("kz_visa_free", entry, [(entry, None)], **extra))
    assert report["eqonaq_deadline"] == deadline


def test_schengen_leaves_the_kazakh_keys_null_but_counts_tax_days():
    report = rules.check(request("schengen", "2026-03-01", [("2026-02-01", None)]))
    for key in (
        "overstay_tier",
        "overstay_band",
        "relevant_stay_entry",
        "registration_required",
        "registration_deadline",
        "eqonaq_deadline",
        "eqonaq_deadline_calendar",
    ):
        assert report[key] is None
    assert report["tax_days"] == 29
    assert report["days_in_calendar_year"] == 29


@pytest.mark.parametrize(
    ("on", "tax_window", "stays", "tax_days"),
    [
        # (28 Feb 2023, 29 Feb 2024]: 366 days when the window holds 29 Feb.
        ("2024-02-29", "12_months", [("2023-02-28", "2024-02-29")], 366),
        ("2024-02-29", "365_days", [("2023-02-28", "2024-02-29")], 365),
        ("2025-03-01", "12_months", [("2024-02-29", "2025-03-01")], 365),
    ],
)
def test_tax_window_maps_29_february_to_28_february(on, tax_window, stays, tax_days):
    report = rules.check(request("schengen", on, stays, options={"tax_window": tax_window}))
    assert report["tax_days"] == tax_days


def test_tax_rule_breaks_on_day_184_of_an_open_stay_projected_400_days():
    report = rules.check(request("schengen", "2026-03-01", [("2026-01-01", None)]))
    assert report["tax_183_crossing_date"] == "2026-07-03"  # 1 Jan + 183 days
    assert report["tax_183_exceeded"] is False


def test_earliest_reentry_maps_each_length_as_a_string_key():
    report = rules.check(
        request(
            "kz_visa_free",
            "2026-03-01",
            [("2026-01-01", "2026-01-30"), ("2026-02-10", None)],
            reentry_lengths=[30, 31, 91],
        )
    )
    assert report["earliest_reentry"] == {"30": "2026-03-02", "31": None, "91": None}


@pytest.mark.parametrize(
    ("stays", "extra", "code"),
    [
        ([("2026-01-10", "2026-01-09")], {}, "exit_before_entry"),
        ([("2026-01-10", None), ("2026-02-10", None)], {}, "multiple_open_stays"),
        ([("2026-04-10", None)], {}, "open_stay_starts_after_query_date"),
        ([("2026-01-10", None), ("2026-02-10", "2026-02-12")], {}, "stay_after_open_stay"),
        (
            [("2026-01-10", None)],
            {"planned_entry": "2026-03-01"},
            "planned_entry_is_a_presence_day",
        ),
        ([("2026-01-10", "2026-13-01")], {}, "bad_request"),
        ([], {"reentry_lengths": [0]}, "bad_request"),
        ([], {"options": {"tax_window": "calendar_year"}}, "bad_request"),
        # bad_request wins over every other error: the request is parsed first.
        ([("2026-01-10", "2026-01-09")], {"planned_entry": "01.03.2026"}, "bad_request"),
        # exit_before_entry comes before multiple_open_stays.
        (
            [("2026-01-10", None), ("2026-02-10", None), ("2026-01-10", "2026-01-01")],
            {},
            "exit_before_entry",
        ),
    ],
)
def test_invalid_requests_raise_the_contract_error_code(stays, extra, code):
    with pytest.raises(rules.RequestError) as raised:
        rules.check(request("kz_visa_free", "2026-03-01", stays, **extra))
    assert raised.value.code == code
    assert raised.value.message


def test_the_command_line_exits_2_with_the_error_as_json():
    done = subprocess.run(
        [sys.executable, "-m", "rules", "check"],
        input='{"regime": "mars", "on": "2026-03-01", "stays": []}',
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert json.loads(done.stdout)["error"] == "bad_request"
    assert "regime" in json.loads(done.stdout)["message"]


def test_the_command_line_prints_the_report():
    done = subprocess.run(
        [sys.executable, "-m", "rules", "check"],
        input=json.dumps(request("schengen", "2026-03-01", [("2026-02-01", None)])),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert json.loads(done.stdout)["days_used"] == 29


def test_an_unknown_option_is_ignored_like_an_unknown_key():
    request = {
        "regime": "kz_visa_free",
        "on": "2026-03-01",
        "stays": [{"entry": "2026-02-20", "exit": None}],
        "options": {"foo": 1},
    }

    assert rules.check(request) == rules.check({k: v for k, v in request.items() if k != "options"})
