"""Which trips need a visa whatever the day counts say (docs/rules.md §1, §6-8, §13).

Visa-free entry to Kazakhstan covers tourism, conferences, business meetings and contract
negotiations, "not for work, installation or Montage" (docs/rules.md §1). Montage needs a B2 visa
(§6), employment a C3 work visa with a work permit (§7), remote work a digital-nomad visa
(B12-1 or B9-1, §8). A Kazakh citizen needs a Schengen visa or a residence title for any stay
in the Schengen area (§13: Kazakhstan is in Annex I of Regulation (EU) 2018/1806), and a national
visa for the EU states outside it: Cyprus and Ireland, Bulgaria and Romania before 31 Mar 2024,
Croatia before 1 Jan 2023 (§15a). EAEU workers need neither a visa nor a work permit in
Kazakhstan (EAEU Treaty art. 97).
"""

from dataclasses import dataclass
from datetime import date

from rules.areas import schengen_state
from rules.citizenship import EAEU
from rules.sources import Rule, rule
from rules.types import VisaKind

MONTAGE = "montage"
EMPLOYMENT = "employment"
REMOTE_WORK = "remote_work"

# The visas that fit each purpose visa-free entry does not cover (docs/rules.md §6-8).
KZ_VISAS_FOR_PURPOSE: dict[str, tuple[VisaKind, ...]] = {
    MONTAGE: (VisaKind.B2_SINGLE, VisaKind.B2_MULTIPLE),
    EMPLOYMENT: (VisaKind.C3,),
    REMOTE_WORK: (VisaKind.B12_1, VisaKind.B9_1),
}
# A Schengen C visa, or a national visa or residence title (docs/rules.md §12-13).
SCHENGEN_TITLES = (VisaKind.SCHENGEN_C, VisaKind.DE_NATIONAL_D, VisaKind.DE_RESIDENCE_PERMIT)
# EU states where a Kazakh citizen needs that state's national visa (docs/rules.md §15a), until the
# day the state applied the Schengen acquis in full (None: still outside; §11's join dates).
NATIONAL_VISA_STATES: dict[str, date | None] = {
    "CY": None,
    "IE": None,
    "BG": date(2024, 3, 31),
    "RO": date(2024, 3, 31),
    "HR": date(2023, 1, 1),
}


@dataclass(frozen=True, slots=True)
class VisaNeed:
    """A trip needs one of `kinds`, or the national visa of `national_visa_state` (then `kinds` is
    empty: the engine has no kind for another state's national visa); `rule` is the source."""

    kinds: tuple[VisaKind, ...]
    rule: Rule
    national_visa_state: str = ""


def visa_needed(country: str, *, citizenship: str, purpose: str, entry: date) -> VisaNeed | None:
    """The visas one of which a trip needs, or None when visa-free entry may cover it.

    None also where docs/rules.md says nothing (other citizenships in the Schengen area).
    """
    if country == "KZ":
        kinds = KZ_VISAS_FOR_PURPOSE.get(purpose)
        if citizenship == "KZ" or kinds is None:
            return None
        if purpose == EMPLOYMENT and citizenship in EAEU:
            # EAEU Treaty art. 97: EAEU workers need neither a visa nor a work permit (§15a).
            return None
        return VisaNeed(kinds, rule("kz_visas", entry))
    if citizenship != "KZ":
        return None
    if schengen_state(country, on=entry):
        return VisaNeed(SCHENGEN_TITLES, rule("schengen_visa", entry))
    if country in NATIONAL_VISA_STATES:
        until = NATIONAL_VISA_STATES[country]
        if until is None or entry < until:
            # Regulation (EU) 2018/1806 Annex I binds the EU states outside Schengen too.
            return VisaNeed((), rule("schengen_visa", entry), national_visa_state=country)
    return None
