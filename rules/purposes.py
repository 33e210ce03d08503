"""Which trips need a visa whatever the day counts say (docs/rules.md §1, §6-8, §13).

Visa-free entry to Kazakhstan covers tourism, conferences, business meetings and contract
negotiations, "not for work, installation or Montage" (docs/rules.md §1). Montage needs a B2 visa
(§6), employment a C3 work visa with a work permit (§7), remote work a digital-nomad visa
(B12-1 or B9-1, §8). A Kazakh citizen needs a Schengen visa or a residence title for any stay
in the Schengen area (§13: Kazakhstan is in Annex I of Regulation (EU) 2018/1806).
"""

from dataclasses import dataclass
from datetime import date

from rules.areas import schengen_state
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


@dataclass(frozen=True, slots=True)
class VisaNeed:
    """A trip needs one of `kinds`; `rule` is where that comes from."""

    kinds: tuple[VisaKind, ...]
    rule: Rule


def visa_needed(country: str, *, citizenship: str, purpose: str, entry: date) -> VisaNeed | None:
    """The visas one of which a trip needs, or None when visa-free entry may cover it.

    None also where docs/rules.md says nothing (other citizenships in the Schengen area).
    """
    if country == "KZ":
        kinds = KZ_VISAS_FOR_PURPOSE.get(purpose)
        if citizenship == "KZ" or kinds is None:
            return None
        return VisaNeed(kinds, rule("kz_visas", entry))
    if citizenship == "KZ" and schengen_state(country, on=entry):
        return VisaNeed(SCHENGEN_TITLES, rule("schengen_visa", entry))
    return None
