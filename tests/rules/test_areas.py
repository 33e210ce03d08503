"""Which visa serves which country on which day (SBC art. 6; the Schengen states' join dates)."""

from datetime import date

import pytest

import rules
from rules import VisaKind


@pytest.mark.parametrize(
    ("kind", "issued_by", "country", "on", "serves"),
    [
        pytest.param(VisaKind.B2_SINGLE, "KZ", "KZ", date(2026, 3, 1), True, id="national-own"),
        pytest.param(VisaKind.C3, "KZ", "DE", date(2026, 3, 1), False, id="national-abroad"),
        pytest.param(VisaKind.SCHENGEN_C, "DE", "FR", date(2026, 3, 1), True, id="c-whole-area"),
        pytest.param(
            VisaKind.DE_NATIONAL_D, "DE", "FR", date(2026, 3, 1), False, id="d-own-state-only"
        ),
        # Croatia applies the acquis from 1 Jan 2023: a German C visa did not serve it before.
        pytest.param(VisaKind.SCHENGEN_C, "DE", "HR", date(2022, 12, 31), False, id="hr-before"),
        pytest.param(VisaKind.SCHENGEN_C, "DE", "HR", date(2023, 1, 1), True, id="hr-from-join"),
        # Bulgaria and Romania from 31 Mar 2024.
        pytest.param(VisaKind.SCHENGEN_C, "RO", "DE", date(2024, 3, 30), False, id="ro-before"),
        pytest.param(VisaKind.SCHENGEN_C, "RO", "DE", date(2024, 3, 31), True, id="ro-from-join"),
        # Cyprus does not apply the acquis: its C visa serves Cyprus alone.
        pytest.param(VisaKind.SCHENGEN_C, "CY", "DE", date(2026, 3, 1), False, id="cyprus"),
    ],
)
def test_a_visa_serves_its_country_and_a_c_visa_the_area_as_it_stood(
    kind, issued_by, country, on, serves
):
    assert rules.visa_serves(kind, issued_by=issued_by, country=country, on=on) is serves
