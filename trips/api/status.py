"""A traveller's status: the snapshot the dashboard shows, and the engine's report per rule set
with its explanation (the window, the stays in it, the days coming back, the deciding rule)."""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import Enum

from django.utils import timezone
from ninja import Router

from trips.api.errors import Errors
from trips.api.schemas import SnapshotOut, StatusOut
from trips.api.travellers import get_traveller
from trips.dashboard.rows import snapshot_words
from trips.evaluation import details, findings
from trips.evaluation.finding import Finding
from trips.http import ApiRequest
from trips.models import StatusSnapshot, Traveller

router = Router(tags=["status"])


def plain(value):
    """A dataclass of the engine as JSON-ready values: dates as YYYY-MM-DD, enums as strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def snapshot_json(snapshot: StatusSnapshot | None) -> dict | None:
    if snapshot is None:
        return None
    reason, deadline_label = snapshot_words(snapshot)
    fields = {name: getattr(snapshot, name) for name in SnapshotOut.model_fields}
    return fields | {"reason": reason, "next_deadline_label": deadline_label}


def finding_json(finding: Finding) -> dict:
    return {
        "kind": finding.kind,
        "severity": finding.severity,
        "subject": finding.subject,
        "due_on": finding.due_on,
        "message": finding.message,
        "rule_key": finding.rule_key,
        "source": finding.source,
        "params": finding.params,
    }


def status_json(traveller: Traveller, *, on: date) -> dict:
    status = details.status_details(findings.evaluate(traveller, on=on))
    return {
        "on": on,
        "status": status.status.status,
        "snapshot": snapshot_json(StatusSnapshot.objects.filter(traveller=traveller).first()),
        "regimes": [
            {
                "regime": plain(regime.regime),
                "report": regime.report.to_dict(),
                "explanation": plain(regime.explanation),
            }
            for regime in status.regimes
        ],
        "findings": [finding_json(finding) for finding in status.status.findings],
    }


@router.get(
    "/travellers/{pk}/status",
    response={200: StatusOut, 404: Errors},
    summary="A traveller's status, with the engine's report",
)
def traveller_status(request: ApiRequest, pk: int):
    """Computed for today; `snapshot` is what the dashboard shows (refreshed with every change
    and daily), `regimes` the engine's report and explanation per rule set."""
    return status_json(get_traveller(request, pk), on=timezone.localdate())
