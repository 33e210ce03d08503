"""Which rule set counts a trip's days, by country and citizenship (docs/rules.md §1, §11, §13)."""

from datetime import date

from rules.types import Regime, VisaKind

# States applying the Schengen acquis in full, with the day from which stays there count
# toward the Schengen 90/180 (docs/rules.md §11: "member-state list with dates"). Croatia joined on
# 1 Jan 2023; Bulgaria and Romania on 31 Mar 2024 (air and sea borders; land borders followed
# on 1 Jan 2025). Cyprus does not apply it and does not count.
SCHENGEN_STATES: dict[str, date] = {
    **dict.fromkeys(
        [
            "AT",
            "BE",
            "CZ",
            "DK",
            "EE",
            "FI",
            "FR",
            "DE",
            "GR",
            "HU",
            "IS",
            "IT",
            "LV",
            "LI",
            "LT",
            "LU",
            "MT",
            "NL",
            "NO",
            "PL",
            "PT",
            "SK",
            "SI",
            "ES",
            "SE",
            "CH",
        ],
        date(2013, 10, 18),  # the 90/180 wording of Reg. 610/2013 applies from this day
    ),
    "HR": date(2023, 1, 1),
    "BG": date(2024, 3, 31),
    "RO": date(2024, 3, 31),
}

# Citizens of the EU, the EEA and Switzerland move freely: the short-stay rule does not bind them.
FREE_MOVEMENT = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
        "CH",
    ]
)


def regime_for_trip(country: str, *, citizenship: str, entry: date) -> Regime | None:
    """The short-stay rule set that counts a trip, or None when none binds the traveller.

    Kazakhstan's visa-free rule binds foreigners, not Kazakh citizens (docs/rules.md §1-2); the
    Schengen rule binds third-country nationals such as Kazakh citizens (docs/rules.md §11, §13).
    """
    if country == "KZ":
        return None if citizenship == "KZ" else Regime.KZ_VISA_FREE
    joined = SCHENGEN_STATES.get(country)
    if joined is not None and entry >= joined and citizenship not in FREE_MOVEMENT:
        return Regime.SCHENGEN
    return None


def schengen_state(country: str, *, on: date) -> bool:
    """Whether `country` applies the Schengen acquis in full on `on` (docs/rules.md §11)."""
    joined = SCHENGEN_STATES.get(country)
    return joined is not None and on >= joined


def visa_serves(kind: VisaKind, *, issued_by: str, country: str, on: date) -> bool:
    """Whether a visa of `kind` issued by `issued_by` is a stay basis in `country` on `on`.

    A national visa or permit serves the country that issued it; a Schengen C visa issued by a
    Schengen state serves every state applying the acquis that day (docs/rules.md §11, §13).
    """
    if issued_by == country:
        return True
    return (
        VisaKind(kind) is VisaKind.SCHENGEN_C
        and schengen_state(issued_by, on=on)
        and schengen_state(country, on=on)
    )
