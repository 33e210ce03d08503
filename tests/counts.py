"""What property tests covered, printed at the end of the run (tests/conftest.py)."""

# name -> {"histories": n, "days": n}
COVERED: dict[str, dict[str, int]] = {}


def add(name: str, *, histories: int = 0, days: int = 0) -> None:
    counts = COVERED.setdefault(name, {"histories": 0, "days": 0})
    counts["histories"] += histories
    counts["days"] += days
