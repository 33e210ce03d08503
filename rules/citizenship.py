"""Kazakhstan's visa-free limits by citizenship and by the date of entry (docs/rules.md §1-2, §15a).

The engine's defaults are the German ones: 30 days per entry, and from 27 Jan 2023 also 90 in
every 180 days. docs/rules.md §15a names the other groups: citizens of the EAEU (90 days per
entry), of India and Iran (14 per entry and 42 in 180 from 8 Jul 2022, Government Decree No. 464
of 7 Jul 2022), and of China (14/42 under the same decree, then 30/90 from 10 Nov 2023 under
the KZ-China agreement on mutual visa exemption). Every other citizenship is not modelled: its
rules are not in docs/rules.md, so no figure is guessed for it.
"""

from dataclasses import dataclass, replace
from datetime import date

from rules.types import DEFAULTS, Parameters

# docs/rules.md §1: the Decree 848 list of 30-day visa-free countries, as checked for Germany.
THIRTY_DAYS = frozenset({"DE"})
# docs/rules.md §15a: "EAEU (RU, BY, AM, KG)": 90 days per entry.
EAEU = frozenset({"AM", "BY", "KG", "RU"})
# docs/rules.md §15a: India, Iran and China, 14 per entry and 42 in 180 from 8 Jul 2022.
FOURTEEN_DAYS = frozenset({"CN", "IN", "IR"})
FOURTEEN_DAYS_FROM = date(2022, 7, 8)
# docs/rules.md §15a: China 30/90 from 10 Nov 2023 (KZ-China agreement, signed Xi'an 17 May 2023).
CHINA_THIRTY_DAYS_FROM = date(2023, 11, 10)


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits of stays entered on or after `start` (None: since always), until the next.

    `cap`: days per stay (None: no cap); `limit`: days in every window (None: no such rule).
    """

    start: date | None
    cap: int | None
    limit: int | None


def kz_limits(citizenship: str | None, params: Parameters = DEFAULTS) -> tuple[Limits, ...]:
    """The Kazakh visa-free limits of `citizenship` by entry date, oldest first (§15a).

    A citizenship that is not modelled, or none, gets the German limits, the defaults. Stays of
    India, Iran and China entered before 8 Jul 2022 needed a visa; a stay recorded as visa-free
    then is held to the earliest visa-free limits.
    """
    cap, limit = params.per_stay_cap_days, params.max_days
    thirty = (Limits(None, cap, None), Limits(params.kz_90_180_from, cap, limit))
    if citizenship in EAEU:
        return (Limits(None, 90, None), Limits(params.kz_90_180_from, 90, limit))
    if citizenship in FOURTEEN_DAYS:
        fourteen = Limits(None, 14, 42)
        if citizenship == "CN":
            return (fourteen, Limits(CHINA_THIRTY_DAYS_FROM, cap, limit))
        return (fourteen,)
    return thirty


def modelled(citizenship: str) -> bool:
    """Whether docs/rules.md §15a gives the Kazakh visa-free limits of `citizenship`."""
    return citizenship in THIRTY_DAYS or citizenship in EAEU or citizenship in FOURTEEN_DAYS


def kz_visa_free_parameters(citizenship: str, params: Parameters = DEFAULTS) -> Parameters | None:
    """`params` with today's visa-free limits for `citizenship`, None when they are not modelled.

    The limits in force now (the last row of `kz_limits`); `assess` with a `citizenship` applies
    each stay's own. Kazakh citizens are not foreigners: no visa-free limit binds them, so they
    get None too.
    """
    if not modelled(citizenship):
        return None
    latest = kz_limits(citizenship, params)[-1]
    cap = params.per_stay_cap_days if latest.cap is None else latest.cap
    limit = params.max_days if latest.limit is None else latest.limit
    if cap == params.per_stay_cap_days and limit == params.max_days:
        return params
    return replace(params, per_stay_cap_days=cap, max_days=limit)
