"""The engine held to published worked examples, live: what the conformance page shows.

The examples and the open points are the engine's (`rules.CONFORMANCE_EXAMPLES`,
`rules.OPEN_POINTS`); each example's answer is computed by the engine at the moment it is
asked, so the page shows the engine as it runs, not as it once ran.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rules


@dataclass(frozen=True)
class ExampleCheck:
    """One published example beside staysite's answer to the same request."""

    example: rules.Example
    staysite: dict[str, Any]

    @property
    def agrees(self) -> bool:
        return self.staysite == dict(self.example.official)


def example_checks() -> list[ExampleCheck]:
    """Every published example, each asked of the engine now."""
    return [ExampleCheck(example, example.staysite()) for example in rules.CONFORMANCE_EXAMPLES]


def open_points() -> tuple[rules.OpenPoint, ...]:
    """The questions the sources leave open, each with what decides it in staysite."""
    return rules.OPEN_POINTS
