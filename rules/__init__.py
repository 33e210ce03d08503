"""staysite's rules engine: the law as pure functions over frozen dataclasses (RULES.md).

Django code imports this package only, never a submodule. Nothing here reads the clock,
settings, the database or the network: the evaluation date is always passed as `on`.
"""

from rules.check import check
from rules.engine import REPORT_KEYS, Assessment, assess
from rules.eqonaq import eqonaq_deadline, eqonaq_deadline_calendar
from rules.errors import RequestError
from rules.overstay import BANDS, MCI_KZT, Band, Consequence, mci_kzt, overstay_consequence
from rules.registration import Registration, registration
from rules.sources import RULES, Rule, rule, rules_in_force
from rules.types import DEFAULTS, Options, Parameters, Regime, Stay, Visa, VisaKind
from rules.workdays import WorkingDays

__all__ = [
    "BANDS",
    "DEFAULTS",
    "MCI_KZT",
    "REPORT_KEYS",
    "RULES",
    "Assessment",
    "Band",
    "Consequence",
    "Options",
    "Parameters",
    "Regime",
    "Registration",
    "RequestError",
    "Rule",
    "Stay",
    "Visa",
    "VisaKind",
    "WorkingDays",
    "assess",
    "check",
    "eqonaq_deadline",
    "eqonaq_deadline_calendar",
    "mci_kzt",
    "overstay_consequence",
    "registration",
    "rule",
    "rules_in_force",
]
