"""The typed API the web app uses: explanations, series, visas, Montage, sanctions, sources."""

import ast
from datetime import date
from pathlib import Path

import pytest

import rules

ON = date(2026, 3, 1)
STAYS = [
    rules.Stay(date(2026, 1, 5), date(2026, 1, 20), label="Almaty"),
    rules.Stay(date(2026, 2, 20), label="Astana"),
]


def test_no_module_of_the_engine_imports_django():
    for path in Path(rules.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(name.split(".")[0] == "django" for name in names), path


def test_assess_gives_typed_dates_and_matches_check():
    assessment = rules.assess(STAYS, regime=rules.Regime.KZ_VISA_FREE, on=ON)
    assert assessment.latest_legal_exit == date(2026, 3, 21)
    assert assessment.days_used == 26
    report = rules.check(
        {
            "regime": "kz_visa_free",
            "on": "2026-03-01",
            "stays": [
                {"entry": "2026-01-05", "exit": "2026-01-20"},
                {"entry": "2026-02-20", "exit": None},
            ],
        }
    )
    assert assessment.to_dict() == report


def test_explain_names_the_window_the_contributions_and_the_deciding_rule():
    explanation = rules.explain(STAYS, regime="kz_visa_free", on=ON)
    assert (explanation.window_start, explanation.window_end) == (date(2025, 9, 3), ON)
    assert [(c.label, c.days) for c in explanation.contributions] == [
        ("Almaty", 16),
        ("Astana", 10),
    ]
    assert explanation.contributions[1].exit is None
    # 5 Jan 2026 leaves the window [x-179, x] on 4 Jul 2026, 20 Jan on 19 Jul.
    first = explanation.roll_offs[0]
    assert (first.first_date, first.last_date, first.days) == (
        date(2026, 7, 4),
        date(2026, 7, 19),
        16,
    )
    assert explanation.days_back_by(date(2026, 7, 15)) == 12
    assert explanation.deciding_rule.key == "kz_per_stay_cap"
    assert explanation.deciding_rule.section == "docs/rules.md §1"


def test_usage_series_gives_used_for_each_day():
    series = rules.usage_series(STAYS, start=date(2026, 2, 28), end=date(2026, 3, 2), on=ON)
    assert series == [(date(2026, 2, 28), 25), (date(2026, 3, 1), 26), (date(2026, 3, 2), 26)]


@pytest.mark.parametrize(
    ("days", "on", "band", "fine_kzt"),
    [
        (0, date(2026, 5, 1), "none", None),
        (2, date(2026, 5, 1), "1-3", None),
        (4, date(2026, 5, 1), "4-5", 43250),
        (5, date(2023, 5, 1), "4-5", 34500),
        (5, date(2024, 5, 1), "4-5", 36920),  # 10 x 3,692 KZT, the 2024 MCI
        (5, date(2022, 5, 1), "4-5", None),  # the 2022 MCI is not in the table
        (12, date(2026, 5, 1), ">10", None),
    ],
)
def test_overstay_consequence_uses_the_mci_of_the_year(days, on, band, fine_kzt):
    consequence = rules.overstay_consequence(days, on=on)
    assert consequence.band == band
    assert consequence.fine_kzt == fine_kzt
    assert consequence.rule.section == "docs/rules.md §5"


def test_eqonaq_deadline_function_matches_the_report():
    assert rules.eqonaq_deadline(date(2026, 3, 6)) == date(2026, 3, 11)
    assert rules.eqonaq_deadline(date(2026, 3, 6), holidays=[]) == date(2026, 3, 10)


@pytest.mark.parametrize(
    ("year_mode", "on", "days", "violation"),
    [
        ("calendar", date(2026, 3, 1), 60, date(2026, 5, 1)),
        ("rolling_365", date(2026, 3, 1), 121, date(2026, 3, 1)),
    ],
)
def test_montage_counts_120_days_a_year(year_mode, on, days, violation):
    stays = [rules.Stay(date(2025, 11, 1), date(2026, 6, 30))]
    usage = rules.montage_usage(stays, on=on, year_mode=year_mode)
    assert usage.days == days
    assert usage.cap == 120
    assert usage.first_violation_date == violation
    assert rules.montage_days(stays, on=on, year_mode=year_mode) == days


def test_b2_single_entry_visa_allows_30_days_within_its_validity():
    visa = rules.new_visa(rules.VisaKind.B2_SINGLE, date(2026, 1, 1))
    assert visa.valid_until == date(2026, 3, 31)
    check = rules.visa_assessment(visa, [rules.Stay(date(2026, 2, 1))], on=date(2026, 2, 10))
    assert check.days_used == 10
    assert check.days_remaining == 20
    assert check.latest_legal_exit == date(2026, 3, 2)
    assert check.compliant is True


def test_a_second_entry_on_a_single_entry_visa_is_a_violation():
    visa = rules.new_visa(rules.VisaKind.B2_SINGLE, date(2026, 1, 1))
    stays = [rules.Stay(date(2026, 1, 5), date(2026, 1, 10)), rules.Stay(date(2026, 2, 1))]
    check = rules.visa_assessment(visa, stays, on=date(2026, 2, 2))
    assert check.first_violation_date == date(2026, 2, 1)


def test_d_visa_insurance_must_cover_the_first_90_days_from_entry():
    visa = rules.new_visa(rules.VisaKind.DE_NATIONAL_D, date(2026, 1, 1))
    check = rules.visa_assessment(visa, [rules.Stay(date(2026, 1, 10))], on=date(2026, 2, 1))
    assert check.insurance_cover_until == date(2026, 4, 9)
    assert check.expires_on == date(2026, 3, 31)
    assert check.days_to_expiry == 58


def test_a_stay_after_the_visa_expired_is_outside_its_validity():
    visa = rules.Visa(rules.VisaKind.C3, date(2026, 1, 1), date(2026, 1, 31))
    check = rules.visa_assessment(visa, [rules.Stay(date(2026, 1, 20), date(2026, 2, 3))], on=ON)
    assert check.first_day_outside_validity == date(2026, 2, 1)
    assert check.compliant is False


def test_b12_1_extensions_are_limited_by_the_parameter():
    visa = rules.Visa(
        rules.VisaKind.B12_1, date(2026, 1, 1), date(2026, 12, 31), extensions_granted=1
    )
    assert rules.expiry(visa) == date(2027, 12, 31)
    three = rules.Visa(
        rules.VisaKind.B12_1, date(2026, 1, 1), date(2026, 12, 31), extensions_granted=3
    )
    with pytest.raises(ValueError):
        rules.expiry(three)
    assert rules.expiry(three, rules.Parameters(b12_1_max_extensions=3)) == date(2029, 12, 31)


def test_stays_under_a_d_visa_do_not_count_toward_schengen_90_180():
    d_visa = rules.new_visa(rules.VisaKind.DE_NATIONAL_D, date(2025, 10, 1))
    stays = [rules.Stay(date(2025, 10, 1), date(2025, 12, 29), visa=d_visa), rules.Stay(ON)]
    assessment = rules.assess(stays, regime="schengen", on=ON)
    assert assessment.days_used == 1
    assert assessment.tax_days == 91  # physical presence still counts for tax


def test_every_rule_names_its_section_and_the_kz_90_180_rule_starts_27_january_2023():
    assert all(rule.section.startswith("docs/rules.md §") for rule in rules.RULES)
    assert rules.rule("kz_90_180").effective_from == date(2023, 1, 27)
    in_force = {rule.key for rule in rules.rules_in_force(date(2022, 12, 31))}
    assert "kz_90_180" not in in_force
    assert "kz_per_stay_cap" in in_force


def test_parameters_change_the_limits():
    options = rules.Parameters(per_stay_cap_days=14, tax_window="365_days")
    assessment = rules.assess(
        [rules.Stay(date(2026, 2, 20))], regime="kz_visa_free", on=ON, options=options
    )
    assert assessment.latest_legal_exit == date(2026, 3, 5)
    with pytest.raises(ValueError):
        rules.Parameters(tax_window="tax_year")
