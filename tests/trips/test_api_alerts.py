"""The API's status, alert queue and engine check."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

import rules
from tests import factories
from tests.trips.test_alert_views import make_alert
from tests.trips.test_permissions import database_rows
from trips import wording
from trips.evaluation import snapshots
from trips.models import Alert, AlertEvent, User
from trips.views.alerts import AssignForm


@pytest.fixture
def api(compliance):
    key = factories.make_api_token(created_by=compliance, name="ServiceNow")[1]
    return Client(headers={"Authorization": f"Bearer {key}"})


def post(client, url: str, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


# --- Status ------------------------------------------------------------------------------


def test_status_has_the_snapshot_the_report_and_its_explanation(api, traveller):
    today = timezone.localdate()
    factories.make_trip(traveller=traveller, entry=today - timedelta(days=19), days=None)
    snapshots.refresh_snapshot(traveller, on=today)

    status = api.get(f"/api/v1/travellers/{traveller.pk}/status").json()

    assert status["on"] == str(today)
    assert status["snapshot"]["location"] == "KZ"
    assert status["snapshot"]["stay_day"] == 20
    (kz,) = status["regimes"]
    assert kz["regime"] == "kz_visa_free"
    assert set(kz["report"]) == set(rules.REPORT_KEYS)
    assert kz["report"]["days_used"] == 20
    assert kz["report"]["latest_legal_exit"] == str(today + timedelta(days=10))
    explanation = kz["explanation"]
    assert explanation["days_used"] == 20
    assert explanation["deciding_rule"]["section"].startswith("docs/rules.md")
    assert explanation["contributions"][0]["entry"] == str(today - timedelta(days=19))
    assert explanation["text"]


def test_status_lists_the_findings_with_their_words_and_sources(api, traveller):
    today = timezone.localdate()
    factories.make_trip(traveller=traveller, entry=today - timedelta(days=39), days=None)

    status = api.get(f"/api/v1/travellers/{traveller.pk}/status").json()

    assert status["status"] == "overstay"
    assert status["snapshot"] is None  # never refreshed: the report is computed all the same
    overstay = next(f for f in status["findings"] if f["severity"] == "overstay")
    assert overstay["message"]
    assert overstay["source"]


# --- Alerts ------------------------------------------------------------------------------


def test_alerts_are_listed_most_urgent_first_and_filtered(api, traveller, other_traveller):
    later = make_alert(traveller, due_on=date(2026, 3, 20))
    sooner = make_alert(other_traveller, due_on=date(2026, 3, 10))
    done = make_alert(traveller, state="resolved")

    def ids(query: str = "") -> list[int]:
        return [a["id"] for a in api.get(f"/api/v1/alerts?{query}").json()["items"]]

    assert ids() == [sooner.pk, later.pk]
    assert ids(f"traveller={traveller.pk}") == [later.pk]
    assert ids("state=resolved") == [done.pk]
    assert set(ids("state=all")) == {sooner.pk, later.pk, done.pk}
    assert ids("kind=tax_crossed") == []


def test_an_alert_reads_as_in_the_queue(api, traveller):
    alert = make_alert(traveller)

    body = api.get(f"/api/v1/alerts/{alert.pk}").json()

    assert body["message"] == wording.describe(alert.kind, alert.params)
    assert body["source"] == wording.legal_source(alert.rule_key)
    assert body["traveller_name"] == "Tom Weber"


def test_acknowledging_records_who_and_via_which_token(api, traveller, compliance):
    alert = make_alert(traveller)

    response = post(api, f"/api/v1/alerts/{alert.pk}/acknowledge")

    assert response.status_code == 200
    assert response.json()["state"] == "acknowledged"
    event = alert.events.get()
    assert (event.action, event.actor, event.via) == (
        AlertEvent.Action.ACKNOWLEDGED,
        compliance,
        "API token: ServiceNow",
    )


def test_assigning_and_resolving_use_the_queues_methods(api, traveller, hr):
    alert = make_alert(traveller)

    assigned = post(api, f"/api/v1/alerts/{alert.pk}/assign", {"assignee": hr.pk})
    resolved = post(api, f"/api/v1/alerts/{alert.pk}/resolve", {"note": "Host filed it."})

    assert assigned.json()["assigned_to"] == hr.pk
    assert resolved.json()["state"] == "resolved"
    assert resolved.json()["resolution_note"] == "Host filed it."
    assert [e.action for e in alert.events.all()] == ["assigned", "resolved"]


def test_assigning_to_someone_of_another_organisation_gets_the_forms_words(
    api, traveller, foreign_hr
):
    alert = make_alert(traveller)
    form = AssignForm({"assignee": foreign_hr.pk}, assignees=User.objects.none())
    assert not form.is_valid()

    response = post(api, f"/api/v1/alerts/{alert.pk}/assign", {"assignee": foreign_hr.pk})

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "assignee", "code": "invalid_choice", "message": form.errors["assignee"][0]}
    ]
    assert not alert.events.exists()


EMPTY = "string_pattern_mismatch"


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        pytest.param({}, "missing", "This field is required.", id="no-note"),
        pytest.param({"note": ""}, EMPTY, "This field may not be empty.", id="empty"),
        pytest.param({"note": " \t"}, EMPTY, "This field may not be empty.", id="blank"),
    ],
)
def test_resolving_without_a_note_is_refused_naming_the_note(api, traveller, body, code, message):
    alert = make_alert(traveller)

    response = post(api, f"/api/v1/alerts/{alert.pk}/resolve", body)

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "note", "code": code, "message": message}]
    alert.refresh_from_db()
    assert alert.state == Alert.State.OPEN
    alert.refresh_from_db()
    assert alert.state == "open"


# --- The engine's contract ---------------------------------------------------------------

CHECK = {
    "regime": "schengen",
    "on": "2026-03-20",
    "stays": [{"entry": "2026-01-05", "exit": "2026-02-10"}, {"entry": "2026-03-01"}],
    "planned_entry": "2026-05-01",
    "reentry_lengths": [10, 30],
}


def test_check_answers_exactly_what_the_engine_answers_and_stores_nothing(api):
    before = database_rows()

    response = post(api, "/api/v1/check", CHECK)

    assert response.status_code == 200
    assert response.json() == rules.check(CHECK)
    assert database_rows() == before


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(CHECK | {"regime": "mars"}, id="unknown-regime"),
        pytest.param(CHECK | {"on": "20.03.2026"}, id="bad-date"),
        pytest.param(CHECK | {"stays": [{"entry": "2026-03-05", "exit": "2026-03-01"}]}, id="exit"),
        pytest.param([1, 2], id="not-an-object"),
    ],
)
def test_check_refuses_bad_input_with_the_engines_error(api, request_):
    with pytest.raises(rules.RequestError) as engine:
        rules.check(request_)

    response = post(api, "/api/v1/check", request_)

    assert response.status_code == 400
    assert response.json() == engine.value.to_dict()


def test_check_refuses_a_body_that_is_not_json(api):
    response = api.post("/api/v1/check", "{", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    assert response.json()["message"].startswith("request: not valid JSON")
