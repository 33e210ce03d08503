"""The engine's vocabulary: regimes, stays, visas and the configurable parameters (§15)."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Regime(StrEnum):
    """Which short-stay rule set counts the days (docs/rules.md §1-2 and §11)."""

    KZ_VISA_FREE = "kz_visa_free"
    SCHENGEN = "schengen"


class VisaKind(StrEnum):
    """Visas and permits the engine knows (docs/rules.md §6-8, §11-12)."""

    B2_SINGLE = "b2_single"
    B2_MULTIPLE = "b2_multiple"
    C3 = "c3"
    B12_1 = "b12_1"
    B9_1 = "b9_1"
    KZ_TEMPORARY_RESIDENCE = "kz_temporary_residence"
    SCHENGEN_C = "schengen_c"
    DE_NATIONAL_D = "de_national_d"
    DE_RESIDENCE_PERMIT = "de_residence_permit"


@dataclass(frozen=True, slots=True)
class Visa:
    """A visa or permit as issued: its validity and, where printed, its limits.

    `entries_allowed` None means multiple entry; `days_of_stay_allowed` None means the whole
    validity may be spent in the country (C3, D visa, residence permits; docs/rules.md §7, §12).
    """

    kind: VisaKind
    valid_from: date
    valid_until: date
    entries_allowed: int | None = None
    days_of_stay_allowed: int | None = None
    country: str = ""
    extensions_granted: int = 0


@dataclass(frozen=True, slots=True)
class Stay:
    """One stay in the country: [entry, exit], both days inclusive (§1, §11 art. 6(2)).

    `exit` None means still in the country; the stay then runs up to the evaluation date.
    A stay with a `visa` whose kind replaces the visa-free rules is left out of the 90/180
    counting (docs/rules.md §7, §11: periods under a D visa or residence permit do not count).
    """

    entry: date
    exit: date | None = None
    label: str = ""
    visa: Visa | None = None


# The days the engine counts. Windows reach a year back and projections up to ten years on
# (`tax_projection_days` at most 3,660), so dates near 0001-01-01 or 9999-12-31 would overflow
# Python's calendar; they are refused as `bad_request` with a wide margin.
EARLIEST_DAY = date(100, 1, 1)
LATEST_DAY = date(9899, 12, 31)
MAX_PROJECTION_DAYS = 3660

TAX_WINDOWS = ("12_months", "365_days")
MONTAGE_YEAR_MODES = ("calendar", "rolling_365", "visa_year")


@dataclass(frozen=True, slots=True)
class Parameters:
    """Every figure an admin may change (docs/rules.md §15), with the defaults the contract uses."""

    window_days: int = 180
    max_days: int = 90
    # KZ visa-free only: "up to 30 calendar days from the day of crossing", entry day = day 1.
    per_stay_cap_days: int = 30
    eqonaq_working_days: int = 3
    eqonaq_counts_arrival_day: bool = True
    eqonaq_calendar_days: int = 3
    registration_threshold_days: int = 30
    registration_deadline_day: int = 30
    tax_threshold_days: int = 183
    tax_window: str = "12_months"
    tax_projection_days: int = 400
    reentry_search_days: int = 1000
    montage_cap_days: int = 120
    montage_year_mode: str = "calendar"
    d_visa_insurance_days: int = 90
    b12_1_max_extensions: int = 1
    b12_1_extension_months: int = 12
    # docs/rules.md §1 and §15: a same-day exit and re-entry is a new border crossing (the 30-day
    # counter restarts), yet the documented default merges such stays into one.
    merge_same_day_reentry: bool = True
    # docs/rules.md §2: the KZ 90/180 cap binds stays entered from 27 Jan 2023 (Decree No. 1146).
    kz_90_180_from: date = date(2023, 1, 27)
    # Days before the registration deadline from which an open stay is warned about (§4).
    registration_lead_days: int = 7
    # docs/rules.md §2 "Edge cases": egov.kz's "not more than 120 days during one calendar year" for
    # visa-free visitors, repeated by no other source; off unless an admin turns it on.
    kz_annual_cap: bool = False
    kz_annual_cap_days: int = 120

    def __post_init__(self) -> None:
        if self.tax_window not in TAX_WINDOWS:
            raise ValueError(f"tax_window must be one of {TAX_WINDOWS}, not {self.tax_window!r}")
        if self.montage_year_mode not in MONTAGE_YEAR_MODES:
            raise ValueError(
                f"montage_year_mode must be one of {MONTAGE_YEAR_MODES}, "
                f"not {self.montage_year_mode!r}"
            )
        if self.kz_annual_cap and self.kz_annual_cap_days < self.per_stay_cap_days:
            raise ValueError("kz_annual_cap_days must be at least per_stay_cap_days")
        if self.tax_projection_days > MAX_PROJECTION_DAYS:
            raise ValueError(f"tax_projection_days must be at most {MAX_PROJECTION_DAYS}")
        if self.registration_lead_days < 0:
            raise ValueError("registration_lead_days cannot be negative")
        if self.max_days < 1 or self.window_days < self.max_days:
            raise ValueError("window_days must be at least max_days, and max_days at least 1")


# The range of each whole-number option (docs/rules.md, "Parameters"): wide enough for any
# reading of the law, narrow enough that no date the engine counts can overflow the calendar
# (windows and projections stay within the margins of EARLIEST_DAY and LATEST_DAY).
OPTION_RANGES: dict[str, tuple[int, int]] = {
    "window_days": (1, 3660),
    "max_days": (1, 3660),
    "per_stay_cap_days": (1, 3660),
    "eqonaq_working_days": (1, 366),
    "eqonaq_calendar_days": (1, 366),
    "registration_threshold_days": (1, 3660),
    "registration_deadline_day": (1, 3660),
    "tax_threshold_days": (1, 366),
    "tax_projection_days": (1, MAX_PROJECTION_DAYS),
    "reentry_search_days": (1, 3660),
    "montage_cap_days": (1, 366),
    "d_visa_insurance_days": (1, 3660),
    "b12_1_max_extensions": (0, 10),
    "b12_1_extension_months": (1, 120),
    "registration_lead_days": (0, 3660),
    "kz_annual_cap_days": (1, 366),
}


# The name the web app uses for request options; the same object.
Options = Parameters

DEFAULTS = Parameters()
