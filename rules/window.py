"""The 90/180 sweep (docs/rules.md §2 and §11), over merged stays as day ordinals.

used(x) is the number of presence days in [x-179, x]. With a prefix count H(t) of presence
days up to t, used(x) = H(x) - H(x-180), so every question below is a handful of binary
searches over the stays' breakpoints, never a loop over days. Inside one stay used(x) never
falls (each day adds one and at most one day drops out), which makes the searches valid.
"""

from bisect import bisect_right
from collections.abc import Callable, Iterable


def merge(spans: Iterable[tuple[int, int]], *, join_same_day: bool = True) -> list[tuple[int, int]]:
    """Merges stays that overlap or share a day; adjacent stays stay apart (docs/rules.md §1).

    With `join_same_day` False a stay entered on the day another ends is a new border crossing
    (docs/rules.md §1, "Edge cases"): it stays a stay of its own, sharing that one day with the
    stay before. Such stays are not disjoint; `Presence` needs them merged with the default.
    """
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and (start <= merged[-1][1] if join_same_day else start < merged[-1][1]):
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


class Presence:
    """Presence days as sorted, disjoint [start, end] ordinal spans with a prefix count."""

    __slots__ = ("starts", "ends", "before", "total")

    def __init__(self, merged: list[tuple[int, int]]) -> None:
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]
        # before[i]: presence days in the spans before span i.
        before = []
        total = 0
        for start, end in merged:
            before.append(total)
            total += end - start + 1
        self.before = before
        self.total = total

    def upto(self, day: int) -> int:
        """H(day): presence days on or before `day`."""
        i = bisect_right(self.starts, day) - 1
        if i < 0:
            return 0
        end = self.ends[i]
        return self.before[i] + (day if day < end else end) - self.starts[i] + 1

    def upto_each(self, days: list[int]) -> list[int]:
        """H(d) for each d of a non-decreasing list, in one pass (no search per day)."""
        starts, ends, before = self.starts, self.ends, self.before
        n = len(starts)
        j = 0
        found = []
        for day in days:
            # Spans before j end before `day`, so all their days count.
            while j < n and ends[j] < day:
                j += 1
            if j == n:
                found.append(self.total)
            elif starts[j] <= day:
                found.append(before[j] + day - starts[j] + 1)
            else:
                found.append(before[j])
        return found

    def count(self, first: int, last: int) -> int:
        """Presence days in [first, last]."""
        if last < first:
            return 0
        return self.upto(last) - self.upto(first - 1)

    def span_at(self, day: int) -> int | None:
        """Index of the span containing `day`, or None."""
        i = bisect_right(self.starts, day) - 1
        if i >= 0 and day <= self.ends[i]:
            return i
        return None

    def nth_day(self, n: int) -> int:
        """The n-th presence day (1-based); n must be in [1, total]."""
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.before[mid] < n:
                lo = mid
            else:
                hi = mid - 1
        return self.starts[lo] + n - self.before[lo] - 1

    def extended(self, end: int) -> "Presence":
        """The same presence with the last span running to at least `end` (a projection)."""
        grown = Presence([])
        grown.starts = self.starts
        grown.before = self.before
        grown.ends = [*self.ends[:-1], max(self.ends[-1], end)]
        grown.total = self.total + grown.ends[-1] - self.ends[-1]
        return grown

    def clipped(self, last: int) -> "Presence":
        """The presence days on or before `last` (the history known on the evaluation date)."""
        spans = []
        for start, end in zip(self.starts, self.ends, strict=True):
            if start > last:
                break
            spans.append((start, end if end < last else last))
        return Presence(spans)


def used(presence: Presence, day: int, window: int) -> int:
    """used(day): presence days in [day-window+1, day] (the check day is in its own window)."""
    return presence.upto(day) - presence.upto(day - window)


def latest_legal_day(
    presence: Presence, entry: int, *, window: int, limit: int | None, cap: int | None
) -> int | None:
    """L(E) of the contract: the last day of a legal continuous stay entered on `entry`.

    For each day x of the stay, the days present before `entry` within [x-window+1, x] plus the
    days of this stay so far must not exceed `limit`; with a per-stay `cap` (KZ §1) the stay
    also ends on its cap-th day. None when the entry day itself fails. Since f(x) = (days before
    E still in the window) + (x-E+1) never falls, L is the last x with f(x) <= limit. `limit`
    None: no 90/180 binds the stay (KZ stays entered before 27 Jan 2023, docs/rules.md §2).
    """
    if limit is None:
        return None if cap is None else entry + cap - 1
    prior = presence.upto(entry - 1)

    def over(x: int) -> bool:
        return prior - presence.upto(x - window) + (x - entry + 1) > limit

    if over(entry):
        return None
    lo = entry
    hi = entry + limit - 1
    if cap is not None and entry + cap - 1 < hi:
        hi = entry + cap - 1
    if not over(hi):
        return hi
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if over(mid):
            hi = mid - 1
        else:
            lo = mid
    return lo


def first_over_limit(
    presence: Presence, start: int, end: int, window: int, limit: int
) -> int | None:
    """First day x in the stay [start, end] with used(x) > limit, or None."""
    if used(presence, end, window) <= limit:
        return None
    lo, hi = start, end
    while lo < hi:
        mid = (lo + hi) // 2
        if used(presence, mid, window) > limit:
            hi = mid
        else:
            lo = mid + 1
    return lo


def first_violation(
    presence: Presence,
    *,
    window: int,
    limit: int,
    cap: int | None,
    stays: list[tuple[int, int]] | None = None,
    limit_from: int | None = None,
) -> int | None:
    """The first day of any stay, past or planned, that breaks 90/180 or the per-stay cap.

    `stays` are the border crossings when they differ from the presence spans (same-day
    re-entries kept apart); `limit_from`: stays entered before it are held to the cap only.
    """
    over_limit_possible = presence.total > limit
    if not over_limit_possible and cap is None:
        return None
    if stays is not None:

        def law(entry: int) -> tuple[int | None, int | None]:
            binds = limit_from is None or entry >= limit_from
            return cap, limit if binds else None

        return first_violation_by_law(presence, stays, window=window, law=law)
    starts, ends, before = presence.starts, presence.ends, presence.before
    # used(end) of each stay is its highest used(x); H(end-window) for all stays in one pass.
    dropped = presence.upto_each([end - window for end in ends]) if over_limit_possible else []
    for i, start in enumerate(starts):
        end = ends[i]
        found = None
        if cap is not None and end - start + 1 > cap:
            found = start + cap
        if over_limit_possible and (limit_from is None or start >= limit_from):
            if found is None:
                over = None
                if before[i] + end - start + 1 - dropped[i] > limit:
                    over = first_over_limit(presence, start, end, window, limit)
            else:
                over = first_over_limit(presence, start, found - 1, window, limit)
            if over is not None:
                found = over
        if found is not None:
            return found
    return None


def first_violation_by_law(
    presence: Presence,
    stays: list[tuple[int, int]],
    *,
    window: int,
    law: Callable[[int], tuple[int | None, int | None]],
) -> int | None:
    """`first_violation` one stay at a time, each held to the (cap, limit) of its entry day
    (docs/rules.md §15a); each stay lies inside one run of presence days."""
    for start, end in stays:
        cap, limit = law(start)
        found = None
        if cap is not None and end - start + 1 > cap:
            found = start + cap
        if limit is not None and presence.total > limit:
            over = first_over_limit(
                presence, start, end if found is None else found - 1, window, limit
            )
            if over is not None:
                found = over
        if found is not None:
            return found
    return None


def earliest_entry(
    history: Presence,
    start: int,
    length: int,
    *,
    window: int,
    limit: int,
    cap: int | None,
    search_days: int,
) -> int | None:
    """First E >= start with a legal continuous stay [E, E+length-1] (same test as L(E)).

    `history` holds only days before `start`. The stay is legal when the history days in
    [E+length-window, E-1] are at most limit-length; that count only falls as E moves on, so
    E follows from the k-th history day, k = total - (limit - length).
    """
    if length > limit or (cap is not None and length > cap):
        return None
    needed = history.total - (limit - length)
    entry = start
    if needed > 0:
        # Days up to and including the needed-th must have left the window of E+length-1.
        candidate = history.nth_day(needed) - length + window + 1
        if candidate > entry:
            entry = candidate
    if entry - start >= search_days:
        return None
    return entry
