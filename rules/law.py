"""Which limits bind a stay: the regime, the traveller's citizenship and the stay's entry day.

Kazakhstan's limits depend on the citizenship and on the date of entry (docs/rules.md §2,
§15a); Schengen's are 90 in any 180 days for every third-country national (§11, SBC art. 6).
Each stay is held to the limits in force on its entry day, for its whole length.
"""

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from rules.citizenship import kz_limits
from rules.types import Parameters, Regime

# (cap, limit): days per stay and days in every window; None where no such rule binds.
CapLimit = tuple[int | None, int | None]


@dataclass(frozen=True, slots=True)
class Law:
    """The limits by entry day (ordinal `starts[i]` on, until the next) and the fixed rules."""

    window: int
    starts: tuple[int, ...]
    limits: tuple[CapLimit, ...]
    # egov.kz's optional calendar-year cap (docs/rules.md §2 "Edge cases"); None: off.
    annual_cap: int | None
    search_days: int

    def index(self, entry: int) -> int:
        return max(0, bisect_right(self.starts, entry) - 1)

    def at(self, entry: int) -> CapLimit:
        """The (cap, limit) of a stay entered on `entry`."""
        return self.limits[self.index(entry)]

    def next_start(self, entry: int) -> int | None:
        """The first day after `entry` on which other limits begin, None if there is none."""
        i = self.index(entry) + 1
        return self.starts[i] if i < len(self.starts) else None

    def uniform(self) -> tuple[int | None, int, int | None] | None:
        """(cap, limit, limit_from) when one cap binds every stay and one limit every stay
        entered from `limit_from` (None: every stay), else None."""
        caps = {cap for cap, _ in self.limits}
        if len(caps) != 1:
            return None
        binding = [i for i, (_, limit) in enumerate(self.limits) if limit is not None]
        if len(binding) != 1 or binding[0] != len(self.limits) - 1:
            return None
        limit = self.limits[-1][1]
        assert limit is not None
        return caps.pop(), limit, self.starts[-1] if binding[0] > 0 else None

    def max_cap(self) -> int | None:
        caps = [cap for cap, _ in self.limits if cap is not None]
        return max(caps) if caps else None


def longest_stay_days(regime: Regime, params: Parameters) -> int:
    """The longest single stay `params` allow in `regime`: Kazakhstan's per-stay cap (§1), the
    whole allowance in Schengen, which has no cap of its own (§11). Give `params` with the
    traveller's own limits (`kz_visa_free_parameters`, §15a)."""
    return params.per_stay_cap_days if regime is Regime.KZ_VISA_FREE else params.max_days


@lru_cache(maxsize=256)
def law_for(regime: Regime, params: Parameters, citizenship: str | None) -> Law:
    """The limits of `regime` for a traveller of `citizenship` (docs/rules.md §2, §11, §15a)."""
    search = params.reentry_search_days
    if regime is Regime.SCHENGEN:
        return Law(params.window_days, (0,), ((None, params.max_days),), None, search)
    periods = kz_limits(citizenship, params)
    starts = tuple(0 if p.start is None else p.start.toordinal() for p in periods)
    annual = params.kz_annual_cap_days if params.kz_annual_cap else None
    limits = tuple((p.cap, p.limit) for p in periods)
    return Law(params.window_days, starts, limits, annual, search)
