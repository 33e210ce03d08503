"""A traveller's status: the snapshot the dashboard shows, and the engine's report per rule set
with its explanation (the window, the stays in it, the days coming back, the deciding rule)."""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import Enum

from django.utils import timezone
from ninja import Router

from trips import wording
from trips.api.errors import Errors
from trips.api.schemas import SnapshotOut, StatusOut
from trips.api.travellers import TravellerId, get_traveller
from trips.dashboard.rows import snapshot_words
from trips.evaluation import details, findings
from trips.evaluation.finding import Finding
from trips.http import ApiRequest
from trips.models import StatusSnapshot, Traveller
from trips.words import presenters

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
    words = {"reason": reason, "next_deadline_label": deadline_label}
    fields = {
        name: getattr(snapshot, name) for name in SnapshotOut.model_fields if name not in words
    }
    return fields | words


def rule_json(rule) -> dict:
    """A rule as the engine names it, its title and law in the reader's language. How sure
    the reading of the law is (`confidence`) is the engine's English: docs/rules.md has it."""
    return {
        "key": rule.key,
        "title": wording.rule_title(rule),
        "section": rule.section,
        "legal_basis": wording.citation(rule),
        "effective_from": plain(rule.effective_from),
        "source_url": rule.source_url,
    }


def explanation_json(regime, on: date) -> dict:
    """The engine's explanation, its sentence and rules in the reader's language."""
    why = regime.explanation
    return plain(why) | {
        "text": " ".join(presenters.window_lines(regime, on)),
        "deciding_rule": rule_json(why.deciding_rule),
        "rules": [rule_json(rule) for rule in why.rules],
    }


def finding_params(params: dict) -> dict:
    """A finding's parameters; an overstay's consequence in the reader's language."""
    if params.get("consequence"):
        consequence = wording.consequence_text(params.get("band"), params["consequence"])
        return params | {"consequence": consequence}
    return params


def finding_json(finding: Finding) -> dict:
    return {
        "kind": finding.kind,
        "severity": finding.severity,
        "subject": finding.subject,
        "due_on": finding.due_on,
        "message": finding.message,
        "rule_key": finding.rule_key,
        "source": finding.source,
        "params": finding_params(finding.params),
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
                "explanation": explanation_json(regime, on),
            }
            for regime in status.regimes
        ],
        "findings": [finding_json(finding) for finding in status.status.findings],
    }


@router.get(
    "/travellers/{pk}/status",
    response={200: StatusOut, 404: Errors},
    summary="A traveller's status, with the engine's report",
    operation_id="getTravellerStatus",
)
def traveller_status(request: ApiRequest, pk: TravellerId):
    """Computed for today; `snapshot` is what the dashboard shows (refreshed with every change
    and daily), `regimes` the engine's report and explanation per rule set."""
    return status_json(get_traveller(request, pk), on=timezone.localdate())
