"""Kazakhstan's visa-free limits by citizenship (docs/rules.md §1-2, §15).

The engine's defaults are the German ones: 30 days per entry, 90 in every 180 days. docs/rules.md
§15 names two other groups: citizens of the EAEU (90 days per entry) and of India, Iran and
China (14 days per entry, 42 in 180). Every other citizenship is not modelled: its rules are
not in docs/rules.md, so no figure is guessed for it.
"""

from dataclasses import replace

from rules.types import DEFAULTS, Parameters

# docs/rules.md §1: the Decree 848 list of 30-day visa-free countries, as checked for Germany.
THIRTY_DAYS = frozenset({"DE"})
# docs/rules.md §15 "window length / limit", alternatives seen: "KZ: EAEU 90 per entry".
EAEU = frozenset({"AM", "BY", "KG", "RU"})
# docs/rules.md §15: "IN/IR/CN 14 per entry, 42/180".
FOURTEEN_DAYS = frozenset({"CN", "IN", "IR"})


def kz_visa_free_parameters(citizenship: str, params: Parameters = DEFAULTS) -> Parameters | None:
    """`params` with the visa-free limits for `citizenship`, None when they are not modelled.

    Kazakh citizens are not foreigners: no visa-free limit binds them, so they get None too.
    """
    if citizenship in THIRTY_DAYS:
        return params
    if citizenship in EAEU:
        return replace(params, per_stay_cap_days=90)
    if citizenship in FOURTEEN_DAYS:
        return replace(params, per_stay_cap_days=14, max_days=42)
    return None
