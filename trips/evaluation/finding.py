"""One finding: a kind, a severity, a due date, the rule behind it and JSON-ready parameters.

Apart from `trips.evaluation.findings` so that every module that finds something (the day
counts there, the entry's own duties in `trips.evaluation.entry_findings`) makes the same kind
of object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from trips import wording
from trips.choices import AlertKind, Status


@dataclass(frozen=True)
class Finding:
    """One thing about a traveller that someone must know or do, and by when.

    `subject` tells apart findings of one kind (which trip, visa or address change), so that
    an alert about one stay is not mistaken for an alert about another. `params` holds only
    JSON-ready values: alerts store them and describe the finding in the reader's language.
    """

    kind: AlertKind
    severity: Status
    subject: str
    due_on: date | None
    params: dict = field(default_factory=dict)
    rule_key: str = ""

    @property
    def message(self) -> str:
        return wording.describe(self.kind, self.params)

    @property
    def source(self) -> str:
        return wording.legal_source(self.rule_key)
