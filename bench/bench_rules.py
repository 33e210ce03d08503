"""Speed of the rules engine against the naive day-by-day reference.

Run from the repository root: `python bench/bench_rules.py` (or `make bench`). Prints, for
histories of 10, 100 and 1,000 stays, microseconds per full evaluation (every report key) of
`rules.check` and of `tests/rules/naive.py`, and their ratio, both in this one process; then
the total time to evaluate 10,000 travellers with 20 stays each. Timings only, no assertions.
"""

import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import rules  # noqa: E402

try:
    from tests.rules import naive  # noqa: E402
except ImportError:  # the reference is written separately; the fast figures still print
    naive = None

ON = date(2026, 3, 1)


def history(rng: random.Random, count: int, *, on: date = ON) -> list[dict]:
    """`count` stays of 1-30 days with gaps of 1-60 days, the last one still open on `on`."""
    stays = []
    day = on
    for i in range(count):
        length = rng.randint(1, 30)
        if i == 0:
            stays.append({"entry": (day - timedelta(days=length - 1)).isoformat(), "exit": None})
            day -= timedelta(days=length)
            continue
        day -= timedelta(days=rng.randint(1, 60))
        entry = day - timedelta(days=length - 1)
        stays.append({"entry": entry.isoformat(), "exit": day.isoformat()})
        day = entry - timedelta(days=1)
    rng.shuffle(stays)
    return stays


def request(rng: random.Random, count: int) -> dict:
    return {
        "regime": rng.choice(["kz_visa_free", "schengen"]),
        "on": ON.isoformat(),
        "stays": history(rng, count),
        "planned_entry": (ON + timedelta(days=rng.randint(40, 120))).isoformat(),
        "reentry_lengths": [10, 30],
    }


def per_call_us(check, requests: list[dict], min_seconds: float) -> float:
    """Mean microseconds per call, repeating the requests until `min_seconds` have passed."""
    calls = 0
    started = time.perf_counter()
    while True:
        for req in requests:
            check(req)
        calls += len(requests)
        elapsed = time.perf_counter() - started
        if elapsed >= min_seconds:
            return elapsed / calls * 1e6


def main() -> None:
    rng = random.Random(20260301)
    # Wall-clock timings on a shared machine: the load says how much to trust them.
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}")
    print(f"{'stays':>6} {'fast µs/eval':>14} {'naive µs/eval':>15} {'naive/fast':>11}")
    for count in (10, 100, 1000):
        requests = [request(rng, count) for _ in range(20)]
        for req in requests:
            if naive is not None and rules.check(req) != naive.check(req):
                print(f"  warning: fast and naive reports differ for a {count}-stay history")
                break
        fast = per_call_us(rules.check, requests, 0.5)
        if naive is None:
            print(f"{count:>6} {fast:>14.1f} {'(no naive.py)':>15}")
            continue
        slow = per_call_us(naive.check, requests[:2] if count >= 1000 else requests, 1.0)
        print(f"{count:>6} {fast:>14.1f} {slow:>15.0f} {slow / fast:>10.0f}x")

    travellers = [request(rng, 20) for _ in range(10_000)]
    started = time.perf_counter()
    for req in travellers:
        rules.check(req)
    via_json = time.perf_counter() - started

    typed = [rules.parse_request(req) for req in travellers]
    started = time.perf_counter()
    for arguments in typed:
        rules.assess(**arguments)
    via_assess = time.perf_counter() - started
    print()
    print("10,000 travellers x 20 stays, every report key, one core (target < 1 s):")
    print(f"  rules.check (JSON request in, JSON-ready report out): {via_json:.3f} s")
    print(f"  rules.assess (typed stays in, Assessment out):        {via_assess:.3f} s")


if __name__ == "__main__":
    main()
