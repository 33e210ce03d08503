"""Overstay tiers and bands under KoAP art. 517 as data (docs/rules.md §5).

Overstay days are calendar days present after the last legal day. The amounts beyond 10 MCI
are unverified, so they are None, never guessed.
"""

from dataclasses import dataclass
from datetime import date

from rules.sources import Rule, rule


@dataclass(frozen=True, slots=True)
class Band:
    """One row of the tier table: overstays of `first`..`last` days (last None: no upper end)."""

    name: str
    first: int
    last: int | None
    tier: str
    text: str
    fine_mci: int | None
    court_decision: bool


BANDS: tuple[Band, ...] = (
    Band("1-3", 1, 3, "warning", "Warning (KoAP art. 517(3)(1)).", None, False),
    Band("4-5", 4, 5, "sanction", "Fine of 10 MCI (KoAP art. 517(3)(2)).", 10, False),
    Band(
        "6-10",
        6,
        10,
        "sanction",
        "Fine; the amount for 6 to 10 days is not verified (KoAP art. 517(3)(3)).",
        None,
        False,
    ),
    Band(
        ">10",
        11,
        None,
        "sanction",
        "Fine and/or administrative expulsion with a 5-year entry ban, by court decision "
        "(KoAP art. 517(4)); the amount is not verified.",
        None,
        True,
    ),
)

# KZT per MCI (МРП), by year (docs/rules.md §5: "the MCI per year", a table). Each year's value is
# set by that year's republican budget law:
# 2023: 3,450 KZT (egov.kz; Law on the republican budget for 2023-2025);
# 2024: 3,692 KZT (Law on the republican budget for 2024-2026);
# 2025: 3,932 KZT (Law on the republican budget for 2025-2027);
# 2026: 4,325 KZT (news.mail.ru 12 Mar 2026: 50 MRP = 216,250 KZT).
MCI_KZT: dict[int, int] = {2023: 3450, 2024: 3692, 2025: 3932, 2026: 4325}


def mci_kzt(year: int) -> int | None:
    """The MCI in KZT for `year`, None when the year's value is not in the table."""
    return MCI_KZT.get(year)


def band_for(days: int) -> Band | None:
    """The band of an overstay of `days` days; None for no overstay."""
    for band in BANDS:
        if days >= band.first and (band.last is None or days <= band.last):
            return band
    return None


def overstay_band(days: int) -> str:
    """The contract's `overstay_band`: none, 1-3, 4-5, 6-10 or >10."""
    band = band_for(days)
    return "none" if band is None else band.name


def overstay_tier(days: int) -> str:
    """The contract's `overstay_tier`: none, warning (1-3 days) or sanction (4 or more)."""
    band = band_for(days)
    return "none" if band is None else band.tier


@dataclass(frozen=True, slots=True)
class Consequence:
    """What an overstay of `days` days leads to on `on` (docs/rules.md §5)."""

    days: int
    band: str
    tier: str
    text: str
    fine_mci: int | None
    mci_kzt: int | None
    fine_kzt: int | None
    court_decision: bool
    rule: Rule
    # The year whose MCI counts the fine, and why that year (`MCI_BASES`): the app words it.
    mci_year: int
    mci_basis: str


# Why a year's MCI counts a fine (KoAP art. 44(1), docs/rules.md §15a): the proceedings start on
# detection, in practice at the exit ("exit"); while the traveller is still in the country, the
# day the figure is read stands in for it ("query_date").
MCI_BASES = ("exit", "query_date")


def overstay_consequence(days: int, *, on: date, exit_on: date | None = None) -> Consequence:
    """The sanction band for `days` overstay days, with the fine in KZT where the MCI is known.

    A fine is counted in the MCI in force when proceedings start (KoAP art. 44(1)), in practice
    the year of detection: `exit_on`, the day the traveller left, or `on` while they are still
    there; not the year of the first overstay day (docs/rules.md §15a).
    """
    if days < 0:
        raise ValueError("overstay days cannot be negative")
    band = band_for(days)
    basis = "query_date" if exit_on is None else "exit"
    detected = on if exit_on is None else exit_on
    source = rule("kz_overstay", detected)
    mci = mci_kzt(detected.year)
    if band is None:
        return Consequence(
            days,
            "none",
            "none",
            "No overstay.",
            None,
            mci,
            None,
            False,
            source,
            detected.year,
            basis,
        )
    fine_kzt = band.fine_mci * mci if band.fine_mci is not None and mci is not None else None
    return Consequence(
        days,
        band.name,
        band.tier,
        band.text,
        band.fine_mci,
        mci,
        fine_kzt,
        band.court_decision,
        source,
        detected.year,
        basis,
    )
