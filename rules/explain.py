"""Why a verdict is what it is: the window, each stay's share, the days coming back, the rule.

Plain data for the UI (docs/rules.md §2 and §11): dates and counts stay typed so the page can format
them in German or English; the `text` fields are English summaries.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rules.engine import Assessment, assess, counted_stays, merged_spans
from rules.sources import Rule, rule
from rules.types import DEFAULTS, Parameters, Regime, Stay
from rules.window import Presence, latest_legal_day, used


@dataclass(frozen=True, slots=True)
class Contribution:
    """One merged stay's days inside the window; `exit` None: still present."""

    entry: date
    exit: date | None
    first_day_in_window: date
    last_day_in_window: date
    days: int
    label: str


@dataclass(frozen=True, slots=True)
class RollOff:
    """One day comes back on each day from `first_date` to `last_date`: `days` in all."""

    first_date: date
    last_date: date
    days: int


@dataclass(frozen=True, slots=True)
class Explanation:
    """The 180-day window on `on`, its contents and the rule that decided (§2, §11)."""

    regime: Regime
    on: date
    window_start: date
    window_end: date
    limit: int
    days_used: int
    remaining: int
    excess_days: int
    contributions: tuple[Contribution, ...]
    roll_offs: tuple[RollOff, ...]
    latest_legal_exit: date | None
    deciding_rule: Rule
    text: str
    rules: tuple[Rule, ...]

    def days_back_by(self, day: date) -> int:
        """How many of the window's days have left the window by `day` (inclusive)."""
        back = 0
        for roll in self.roll_offs:
            if day >= roll.first_date:
                back += min(day, roll.last_date).toordinal() - roll.first_date.toordinal() + 1
        return back


def _contributions(
    spans: list[tuple[int, int]], counted: Sequence[Stay], *, today: int, window: int
) -> tuple[list[Contribution], list[RollOff]]:
    """Each merged stay's days inside the window [today-window+1, today] and when they leave it."""
    first = today - window + 1
    contributions = []
    roll_offs = []
    for start, end in spans:
        if end < first or start > today:
            continue
        lo, hi = max(start, first), min(end, today)
        labels = [
            s.label
            for s in counted
            if s.label
            and s.entry.toordinal() <= end
            and (today if s.exit is None else s.exit.toordinal()) >= start
        ]
        is_open = any(s.exit is None and start <= s.entry.toordinal() <= end for s in counted)
        contributions.append(
            Contribution(
                entry=date.fromordinal(start),
                exit=None if is_open else date.fromordinal(end),
                first_day_in_window=date.fromordinal(lo),
                last_day_in_window=date.fromordinal(hi),
                days=hi - lo + 1,
                label=", ".join(labels),
            )
        )
        roll_offs.append(
            RollOff(date.fromordinal(lo + window), date.fromordinal(hi + window), hi - lo + 1)
        )
    return contributions, roll_offs


def _deciding(
    verdict: Assessment,
    presence: Presence,
    *,
    kz: bool,
    params: Parameters,
    window_rule: Rule,
    on: date,
    days_used: int,
) -> tuple[int | None, Rule, str]:
    """The latest legal exit, the rule that set it and a sentence saying so (§1-2, §11)."""
    window, limit = params.window_days, params.max_days
    cap = params.per_stay_cap_days if kz else None
    first = on.toordinal() - window + 1
    if verdict.current_stay_entry is None:
        return (
            None,
            window_rule,
            (
                f"{days_used} of {limit} days used in the window "
                f"{date.fromordinal(first).isoformat()} to {on.isoformat()} "
                f"({window_rule.section})."
            ),
        )
    entry = verdict.current_stay_entry.toordinal()
    latest = None if verdict.latest_legal_exit is None else verdict.latest_legal_exit.toordinal()
    before_rule = kz and entry < params.kz_90_180_from.toordinal()
    unlimited = (
        None
        if before_rule
        else latest_legal_day(presence, entry, window=window, limit=limit, cap=None)
    )
    if cap is not None and latest is not None and latest == entry + cap - 1 and latest != unlimited:
        deciding = rule("kz_per_stay_cap", on)
        return (
            latest,
            deciding,
            (
                f"Latest legal exit {date.fromordinal(latest).isoformat()}: day {cap} of the "
                f"stay that began on {date.fromordinal(entry).isoformat()} ({deciding.section})."
            ),
        )
    if latest is None:
        return (
            None,
            window_rule,
            (
                f"The stay that began on {date.fromordinal(entry).isoformat()} was not legal "
                f"on its entry day: the window already held {limit} days ({window_rule.section})."
            ),
        )
    return (
        latest,
        window_rule,
        (
            f"Latest legal exit {date.fromordinal(latest).isoformat()}: after that day the "
            f"{window}-day window would hold more than {limit} days ({window_rule.section})."
        ),
    )


def explain(
    stays: Sequence[Stay],
    *,
    regime: Regime | str,
    on: date,
    options: Parameters | None = None,
) -> Explanation:
    """Explains days used, latest legal exit and roll-offs on `on` (docs/rules.md §1-2, §11).

    Each presence day d in the window leaves it on d+180 (the window is [x-179, x]), so the
    days of one stay inside the window come back one a day, from its first day + 180 on.
    """
    params = DEFAULTS if options is None else options
    regime = Regime(regime)
    kz = regime is Regime.KZ_VISA_FREE
    window = params.window_days
    limit = params.max_days
    today = on.toordinal()
    counted = counted_stays(stays)
    spans = merged_spans(counted, on)
    presence = Presence(spans)
    first = today - window + 1
    contributions, roll_offs = _contributions(spans, counted, today=today, window=window)
    days_used = used(presence, today, window)
    window_rule = rule("kz_90_180" if kz else "schengen_90_180", on)
    # The engine's figures, so that the same-day choice, the KZ rule's effective date and the
    # optional annual cap decide here as in the report.
    verdict = assess(stays, regime=regime, on=on, options=params)
    latest, deciding, text = _deciding(
        verdict,
        presence,
        kz=kz,
        params=params,
        window_rule=window_rule,
        on=on,
        days_used=days_used,
    )
    applicable = [window_rule]
    if kz:
        applicable += [rule("kz_per_stay_cap", on), rule("kz_registration", on)]
        applicable += [rule("eqonaq_notification", on), rule("kz_overstay", on)]
    applicable.append(rule("dta_183", on))
    return Explanation(
        regime=regime,
        on=on,
        window_start=date.fromordinal(first),
        window_end=on,
        limit=limit,
        days_used=days_used,
        remaining=max(0, limit - days_used),
        excess_days=max(0, days_used - limit),
        contributions=tuple(contributions),
        roll_offs=tuple(roll_offs),
        latest_legal_exit=None if latest is None else date.fromordinal(latest),
        deciding_rule=deciding,
        text=text,
        rules=tuple(applicable),
    )


def usage_series(
    stays: Sequence[Stay],
    *,
    start: date,
    end: date,
    on: date | None = None,
    options: Parameters | None = None,
) -> list[tuple[date, int]]:
    """used(x) for each day x in [start, end], for the timeline (docs/rules.md §2, §11).

    An open stay runs up to `on`, or up to `end` when `on` is None (a projection: "if the
    traveller stays"). Planned stays count on their days.
    """
    params = DEFAULTS if options is None else options
    window = params.window_days
    presence = Presence(merged_spans(counted_stays(stays), on or end))
    return [
        (date.fromordinal(x), presence.upto(x) - presence.upto(x - window))
        for x in range(start.toordinal(), end.toordinal() + 1)
    ]
