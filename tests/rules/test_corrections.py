"""Table tests of answers that were wrong, each with the source that says what is right.

Report cases run against the fast engine and the naive reference (`tests/rules/naive.py`).
"""

from datetime import date

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


# docs/rules.md §15a: China 14/42 under Government Decree No. 464 from 8 Jul 2022 to 9 Nov 2023;
# 30/90 from 10 Nov 2023 (KZ-China agreement on mutual visa exemption, in force 10 Nov 2023).
@pytest.mark.parametrize(
    ("on", "stays", "expected"),
    [
        pytest.param(
            # Entry 1 Jun 2025: day 30 is 30 Jun; on 20 Jun (day 20) nothing is overstayed.
            "2025-06-20",
            [("2025-06-01", "2025-06-20")],
            ("2025-06-30", 0, True),
            id="kz-china-agreement-30-days-from-10-nov-2023",
        ),
        pytest.param(
            # Entry 1 Jun 2023 under Decree No. 464: day 14 is 14 Jun, 15..20 Jun is 6 days over.
            "2023-06-20",
            [("2023-06-01", "2023-06-20")],
            ("2023-06-14", 6, False),
            id="decree-464-14-days-before-10-nov-2023",
        ),
        pytest.param(
            # Entry 10 Nov 2023, the agreement's first day: 30 days, to 9 Dec.
            "2023-11-20",
            [("2023-11-10", None)],
            ("2023-12-09", 0, True),
            id="kz-china-agreement-in-force-10-nov-2023",
        ),
    ],
)
def test_china_is_held_to_the_limits_of_its_entry_day(check, on, stays, expected):
    report = check(request_("kz_visa_free", on, stays, citizenship="CN"))
    assert figures(report, ("latest_legal_exit", "overstay_days", "plan_compliant")) == expected


# docs/rules.md §15a: India and Iran 14 per entry and 42 in 180 from 8 Jul 2022 (Government Decree
# No. 464 of 7 Jul 2022), not from 27 Jan 2023. Four 14-day stays: Aug 1-14, Aug 20-Sep 2,
# Sep 10-23 (42 days), then Oct 1-14: its first day is the 43rd in the window, 1 Oct 2022.
INDIA_2022 = [
    ("2022-08-01", "2022-08-14"),
    ("2022-08-20", "2022-09-02"),
    ("2022-09-10", "2022-09-23"),
    ("2022-10-01", "2022-10-14"),
]


@pytest.mark.parametrize(
    "citizenship",
    [
        pytest.param("IN", id="decree-464-india-from-8-jul-2022"),
        pytest.param("IR", id="decree-464-iran-from-8-jul-2022"),
        pytest.param("CN", id="decree-464-china-from-8-jul-2022"),
    ],
)
def test_fourteen_forty_two_binds_from_8_july_2022(check, citizenship):
    report = check(request_("kz_visa_free", "2022-11-10", INDIA_2022, citizenship=citizenship))
    assert figures(report, ("plan_compliant", "first_violation_date")) == (False, "2022-10-01")


# docs/rules.md §15a: "Schengen applies to third-country nationals only" (SBC art. 6): EU, EEA and
# Swiss citizens are not counted; the report says "not modelled" and computes no overstay.
@pytest.mark.parametrize(
    ("citizenship", "expected"),
    [
        pytest.param("DE", (False, 0, None, True), id="sbc-art-6-eu-citizen-not-bound"),
        pytest.param("CH", (False, 0, None, True), id="sbc-art-6-swiss-citizen-not-bound"),
        pytest.param("KZ", (True, 10, "2025-03-31", True), id="sbc-art-6-third-country-national"),
    ],
)
def test_schengen_binds_third_country_nationals_only(check, citizenship, expected):
    # Jan 1..Apr 10, 2025: 100 days; the 90th is 31 Mar, so 10 days over for a Kazakh citizen.
    stays = [("2025-01-01", "2025-04-10")]
    report = check(request_("schengen", "2025-04-10", stays, citizenship=citizenship))
    keys = ("citizenship_modelled", "overstay_days", "latest_legal_exit", "present_on_query_date")
    assert figures(report, keys) == expected


# docs/rules.md §15a: "Fines in MCI are computed with the MCI in force when proceedings start (KoAP
# art. 44(1)), i.e. in practice the year of detection, usually the exit day". An overstay begun
# in 2025 and found at the exit on 5 Jan 2026 is 10 x 4,325 KZT (2026), not 10 x 3,932 (2025).
@pytest.mark.parametrize(
    ("days", "on", "exit_on", "expected"),
    [
        pytest.param(
            5,
            date(2026, 1, 5),
            date(2026, 1, 5),
            (43250, 4325, 2026, "exit"),
            id="koap-art-44-1-mci-at-exit-2026-not-2025",
        ),
        pytest.param(
            5,
            date(2026, 3, 1),
            date(2026, 1, 5),
            (43250, 4325, 2026, "exit"),
            id="koap-art-44-1-read-later-still-exit-year",
        ),
        pytest.param(
            4,
            date(2026, 1, 3),
            None,
            (43250, 4325, 2026, "query_date"),
            id="koap-art-44-1-still-present-query-date-year",
        ),
    ],
)
def test_the_fine_uses_the_mci_of_the_year_proceedings_start(days, on, exit_on, expected):
    consequence = rules.overstay_consequence(days, on=on, exit_on=exit_on)
    found = (consequence.fine_kzt, consequence.mci_kzt, consequence.mci_year, consequence.mci_basis)
    assert found == expected


# docs/rules.md §3: the days off and the transferred working days are two lists, and a transfer
# has two halves (holidays 0.109: "2025-01-03 Демалыс күні (05.01.2025 бастап ауыстырылды)").
# Holidays given for 2025 without 3 Jan drop the working Sunday 5 Jan too; the mix is not
# confirmed. Arrival Tue 31 Dec 2024 (day 1), Fri 3 Jan (day 2), Mon 6 Jan (day 3), where the
# mix used to give Sun 5 Jan, marked confirmed. Built in: 31 Dec, Sun 5 Jan, Mon 6 Jan.
CALENDAR = request_("kz_visa_free", "2024-12-31", [("2024-12-31", "2025-01-10")])
JANUARY_2025 = ["2025-01-01", "2025-01-02", "2025-01-07"]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        pytest.param({}, ("2025-01-06", True), id="labour-code-85-built-in-2025"),
        pytest.param(
            {"holidays": JANUARY_2025},
            ("2025-01-06", False),
            id="labour-code-85-given-days-off-drop-the-sunday-with-its-half",
        ),
        pytest.param(
            {"holidays": JANUARY_2025, "transferred_working_days": []},
            ("2025-01-06", True),
            id="labour-code-85-both-lists-given-confirmed",
        ),
        pytest.param(
            # 31 Dec, Sun 5 Jan (kept with 3 Jan), Mon 6 Jan.
            {"holidays": [*JANUARY_2025, "2025-01-03"]},
            ("2025-01-06", False),
            id="labour-code-85-both-halves-kept-together",
        ),
        pytest.param(
            # 31 Dec, Fri 3 Jan (given back with its Sunday), Mon 6 Jan.
            {"transferred_working_days": []},
            ("2025-01-06", False),
            id="labour-code-85-no-sunday-gives-3-jan-back",
        ),
    ],
)
def test_a_given_calendar_list_keeps_each_transfer_whole(check, extra, expected):
    report = check({**CALENDAR, **extra})
    assert figures(report, ("eqonaq_deadline", "eqonaq_calendar_confirmed")) == expected


# docs/rules.md §15a: EAEU workers need neither a visa nor a work permit (EAEU Treaty art. 97);
# Kazakh citizens need a national visa for Cyprus and Ireland, for Bulgaria and Romania before
# 31 Mar 2024 and for Croatia before 1 Jan 2023; §13: a Schengen visa in the Schengen states.
@pytest.mark.parametrize(
    ("country", "citizenship", "purpose", "entry", "expected"),
    [
        pytest.param("KZ", "RU", "employment", date(2026, 3, 1), None, id="eaeu-treaty-art-97-ru"),
        pytest.param("KZ", "KG", "employment", date(2026, 3, 1), None, id="eaeu-treaty-art-97-kg"),
        pytest.param(
            "KZ",
            "DE",
            "employment",
            date(2026, 3, 1),
            ((rules.VisaKind.C3,), ""),
            id="rules-md-7-german-employee-c3",
        ),
        pytest.param("CY", "KZ", "tourism", date(2026, 3, 1), ((), "CY"), id="15a-cyprus"),
        pytest.param("IE", "KZ", "tourism", date(2026, 3, 1), ((), "IE"), id="15a-ireland"),
        pytest.param(
            "BG",
            "KZ",
            "tourism",
            date(2024, 3, 30),
            ((), "BG"),
            id="15a-bulgaria-before-31-mar-2024",
        ),
        pytest.param(
            "RO", "KZ", "tourism", date(2023, 6, 1), ((), "RO"), id="15a-romania-before-31-mar-2024"
        ),
        pytest.param(
            "HR",
            "KZ",
            "tourism",
            date(2022, 12, 31),
            ((), "HR"),
            id="15a-croatia-before-1-jan-2023",
        ),
        pytest.param(
            "HR",
            "KZ",
            "tourism",
            date(2023, 1, 1),
            (
                (
                    rules.VisaKind.SCHENGEN_C,
                    rules.VisaKind.DE_NATIONAL_D,
                    rules.VisaKind.DE_RESIDENCE_PERMIT,
                ),
                "",
            ),
            id="13-croatia-schengen-from-1-jan-2023",
        ),
        pytest.param("CY", "DE", "tourism", date(2026, 3, 1), None, id="15a-eu-citizen-in-cyprus"),
    ],
)
def test_visa_needed_follows_the_eaeu_treaty_and_the_eu_states_outside_schengen(
    country, citizenship, purpose, entry, expected
):
    need = rules.visa_needed(country, citizenship=citizenship, purpose=purpose, entry=entry)
    assert (None if need is None else (need.kinds, need.national_visa_state)) == expected


# Regulation (EC) No 810/2009 (Visa Code) Annex VII point 4 is the long-validity rule (not point 6).
def test_the_visa_code_is_cited_at_annex_vii_point_4():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for path in [root / "rules" / "visas.py", root / "docs" / "rules.md"]:
        text = path.read_text(encoding="utf-8")
        assert "Annex VII point 4" in text
        assert "Annex VII point 6" not in text


# A year from 29 Feb ends on 28 Feb (docs/rules.md §6 "visa_year", §8 "validity_months = 12"): the
# anniversary of 29 Feb in a common year is 1 Mar, so the year before it ends on 28 Feb.
@pytest.mark.parametrize(
    ("valid_from", "extensions", "expected"),
    [
        pytest.param(date(2024, 2, 29), 0, date(2025, 2, 28), id="rules-md-8-b12-1-from-29-feb"),
        pytest.param(date(2024, 3, 1), 0, date(2025, 2, 28), id="rules-md-8-b12-1-from-1-mar"),
        pytest.param(date(2026, 3, 1), 1, date(2028, 2, 29), id="rules-md-8-extension-to-29-feb"),
    ],
)
def test_a_b12_1_year_ends_the_day_before_its_anniversary(valid_from, extensions, expected):
    visa = rules.new_visa(rules.VisaKind.B12_1, valid_from)
    visa = rules.Visa(
        **{**{f: getattr(visa, f) for f in visa.__slots__}, "extensions_granted": extensions}
    )
    assert rules.expiry(visa) == expected


@pytest.mark.parametrize(
    ("on", "period_start", "violation"),
    [
        pytest.param(
            date(2025, 2, 28), date(2024, 2, 29), date(2025, 2, 28), id="rules-md-6-last-day"
        ),
        pytest.param(
            date(2025, 3, 1), date(2025, 3, 1), date(2025, 2, 28), id="rules-md-6-new-year"
        ),
    ],
)
def test_a_montage_visa_year_from_29_february_ends_on_28_february(on, period_start, violation):
    # Feb 1..28, 2025 are 28 days of the visa year from 29 Feb 2024: with a cap of 27, 28 Feb
    # is over it; 1 Mar 2025 starts the next visa year.
    stays = [rules.Stay(date(2025, 2, 1), date(2025, 3, 1))]
    usage = rules.montage_usage(
        stays, on=on, year_mode="visa_year", cap=27, visa_from=date(2024, 2, 29)
    )
    assert (usage.period_start, usage.first_violation_date) == (period_start, violation)
