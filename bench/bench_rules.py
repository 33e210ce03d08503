"""Speed of the rules engine: today's against the previous release's, side by side.

Run from the repository root: `python bench/bench_rules.py` (or `make bench`). The previous
release is `rules/` at commit fadf232; its files are read with `git show` into a temporary
package named `rules_previous_release`, so both engines run in this one process on the same
requests: 10,000 travellers with 20 stays each, every report key, through `check()`. Rounds
alternate between the two engines; the minimum and median of the rounds and their ratio are
printed with the load average. `--naive` also times the naive day-by-day reference
(`tests/rules/naive.py`) on histories of 10, 100 and 1,000 stays. Timings only, no assertions.
"""

import importlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import rules  # noqa: E402

PREVIOUS_RELEASE = "fadf232"
PREVIOUS_PACKAGE = "rules_previous_release"
ON = date(2026, 3, 1)
ROUNDS = 5


def load_previous_release(directory: Path):
    """`rules/` of the previous release as the package `rules_previous_release`."""
    names = subprocess.run(
        ["git", "ls-tree", "--name-only", f"{PREVIOUS_RELEASE}:rules/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    package = directory / PREVIOUS_PACKAGE
    package.mkdir()
    for name in names:
        if not name.endswith(".py"):
            continue
        source = subprocess.run(
            ["git", "show", f"{PREVIOUS_RELEASE}:rules/{name}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        # Its modules import each other as `rules.*`: point them at the copy.
        source = source.replace("from rules.", f"from {PREVIOUS_PACKAGE}.")
        source = source.replace("from rules import", f"from {PREVIOUS_PACKAGE} import")
        (package / name).write_text(source, encoding="utf-8")
    sys.path.insert(0, str(directory))
    return importlib.import_module(PREVIOUS_PACKAGE)


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


def seconds(check, requests: list[dict]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of this process for `check` on every request."""
    started, cpu = time.perf_counter(), time.process_time()
    for req in requests:
        check(req)
    return time.perf_counter() - started, time.process_time() - cpu


def side_by_side(travellers: list[dict], rounds: int) -> tuple[list, list]:
    """(wall, CPU) seconds of the previous release's `check` and today's on `travellers`, in
    `rounds` interleaved rounds."""
    with tempfile.TemporaryDirectory() as directory:
        previous = load_previous_release(Path(directory))
        # Warm both (calendar caches, date parsing caches) before timing.
        seconds(previous.check, travellers[:500])
        seconds(rules.check, travellers[:500])
        before, now = [], []
        for _ in range(rounds):
            before.append(seconds(previous.check, travellers))
            now.append(seconds(rules.check, travellers))
    return before, now


def engine_vs_previous(count: int = 2_000, rounds: int = 3) -> float:
    """Today's engine's CPU time over the previous release's on the same `count` travellers x 20
    stays (what `manage.py bench_scale --json` prints as `engine_vs_previous`)."""
    rng = random.Random(20261207)
    before, now = side_by_side([request(rng, 20) for _ in range(count)], rounds)
    return round(min(c for _, c in now) / min(c for _, c in before), 3)


def compare_with_previous_release(rng: random.Random) -> None:
    travellers = [request(rng, 20) for _ in range(10_000)]
    before, now = side_by_side(travellers, ROUNDS)
    print(f"10,000 travellers x 20 stays through check(), {ROUNDS} rounds, interleaved:")
    # CPU seconds of this process say what a quiet machine would take when the load is high.
    print(f"  {'engine':<34} {'min s':>7} {'median s':>9} {'min CPU s':>10}")
    for name, times in ((f"the previous release ({PREVIOUS_RELEASE})", before), ("today", now)):
        wall = [w for w, _ in times]
        cpu = min(c for _, c in times)
        print(f"  {name:<34} {min(wall):>7.3f} {statistics.median(wall):>9.3f} {cpu:>10.3f}")
    wall_now, wall_before = [w for w, _ in now], [w for w, _ in before]
    cpu_ratio = min(c for _, c in now) / min(c for _, c in before)
    print(
        f"  today / previous release: {min(wall_now) / min(wall_before):.2f} (min), "
        f"{statistics.median(wall_now) / statistics.median(wall_before):.2f} (median), "
        f"{cpu_ratio:.2f} (CPU); target: at most 1.00 and under 0.5 s on a quiet machine"
    )


def compare_with_naive(rng: random.Random) -> None:
    from tests.rules import naive

    print(f"{'stays':>6} {'fast µs/eval':>14} {'naive µs/eval':>15} {'naive/fast':>11}")
    for count in (10, 100, 1000):
        requests = [request(rng, count) for _ in range(20)]
        fast = seconds(rules.check, requests)[0] / len(requests) * 1e6
        sample = requests[:2] if count >= 1000 else requests
        slow = seconds(naive.check, sample)[0] / len(sample) * 1e6
        print(f"{count:>6} {fast:>14.1f} {slow:>15.0f} {slow / fast:>10.0f}x")


def main() -> None:
    rng = random.Random(20260301)
    # Wall-clock timings on a shared machine: the load says how much to trust them.
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}")
    compare_with_previous_release(rng)
    if "--naive" in sys.argv[1:]:
        compare_with_naive(rng)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average after: {load}")


if __name__ == "__main__":
    main()
