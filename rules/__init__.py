"""staysite's rules engine: the law as pure functions over frozen dataclasses (docs/rules.md).

Django code imports this package only, never a submodule. Nothing here reads the clock,
settings, the database or the network: the evaluation date is always passed as `on`.
"""

from rules.areas import regime_for_trip, schengen_state, visa_serves
from rules.check import check, parse_request
from rules.citizenship import kz_visa_free_parameters
from rules.conformance import EXAMPLES as CONFORMANCE_EXAMPLES
from rules.conformance import OPEN_POINTS, Example, OpenPoint, Source
from rules.engine import REPORT_KEYS, Assessment, assess
from rules.eqonaq import eqonaq_deadline, eqonaq_deadline_calendar
from rules.errors import RequestError
from rules.explain import Contribution, Explanation, RollOff, explain, usage_series
from rules.law import longest_stay_days
from rules.montage import MontageUsage, montage_days, montage_usage
from rules.overstay import BANDS, MCI_KZT, Band, Consequence, mci_kzt, overstay_consequence
from rules.purposes import VisaNeed, visa_needed
from rules.registration import Registration, registration, registration_upcoming
from rules.sources import RULES, Rule, rule, rules_in_force
from rules.stability import montage_stable_until
from rules.types import (
    DEFAULTS,
    EARLIEST_DAY,
    LATEST_DAY,
    Options,
    Parameters,
    Regime,
    Stay,
    Visa,
    VisaKind,
)
from rules.visas import (
    VISA_TERMS,
    VisaAssessment,
    VisaTerms,
    days_allowed,
    expiry,
    new_visa,
    visa_assessment,
)
from rules.workdays import BUILT_IN_CONFIRMED_YEARS, WorkingDays, built_in_calendar

__all__ = [
    "BANDS",
    "BUILT_IN_CONFIRMED_YEARS",
    "CONFORMANCE_EXAMPLES",
    "DEFAULTS",
    "EARLIEST_DAY",
    "LATEST_DAY",
    "MCI_KZT",
    "OPEN_POINTS",
    "REPORT_KEYS",
    "RULES",
    "VISA_TERMS",
    "Assessment",
    "Band",
    "Consequence",
    "Example",
    "Contribution",
    "Explanation",
    "MontageUsage",
    "OpenPoint",
    "Options",
    "Parameters",
    "Regime",
    "Registration",
    "RequestError",
    "RollOff",
    "Rule",
    "Source",
    "Stay",
    "Visa",
    "VisaAssessment",
    "VisaKind",
    "VisaNeed",
    "VisaTerms",
    "WorkingDays",
    "assess",
    "built_in_calendar",
    "check",
    "days_allowed",
    "eqonaq_deadline",
    "eqonaq_deadline_calendar",
    "expiry",
    "explain",
    "kz_visa_free_parameters",
    "longest_stay_days",
    "mci_kzt",
    "montage_days",
    "montage_stable_until",
    "montage_usage",
    "new_visa",
    "overstay_consequence",
    "parse_request",
    "regime_for_trip",
    "registration",
    "registration_upcoming",
    "rule",
    "rules_in_force",
    "schengen_state",
    "usage_series",
    "visa_assessment",
    "visa_needed",
    "visa_serves",
]
