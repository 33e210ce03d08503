"""Every sentence the API answers is in the caller's language (Accept-Language): worded from a
finding's kind and parameters or a problem's code, never stored English text.

Each answer is asked in English and in German and Russian; a sentence (text of several words)
that reads the same in another language was not translated. What people typed (names, notes,
addresses) is data and stays as typed.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from tests import factories
from tests.trips.test_alert_views import make_alert
from trips.evaluation import snapshots

TYPED = {
    "name",
    "traveller_name",
    "host",
    "address",
    "notes",
    "resolution_note",
    "next",
    "previous",
}
# Where a rule sits in docs/rules.md ("docs/rules.md §2"): a reference, not a sentence.
REFERENCES = {"section"}


def sentences(value, path=()):
    """Each string of several words in an answer, by where it sits."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in TYPED | REFERENCES:
                yield from sentences(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from sentences(item, (*path, index))
    elif isinstance(value, str) and len(value.split()) > 1:
        yield path, value


@pytest.fixture
def world(compliance, traveller):
    """A traveller overstaying in Kazakhstan, with alerts, a snapshot and a deadline."""
    today = timezone.localdate()
    trip = factories.make_trip(traveller=traveller, entry=today - timedelta(days=39), days=None)
    snapshots.refresh_snapshot(traveller, on=today)
    alert = make_alert(traveller)
    writer = factories.make_api_token(created_by=compliance)[1]
    reader = factories.make_api_token(created_by=compliance, role="read_only")[1]
    return {"traveller": traveller, "trip": trip, "alert": alert, "key": writer, "ro": reader}


BACKWARDS = {"country": "KZ", "entry": "2026-03-10", "exit": "2026-03-01"}


def requests(world) -> list[tuple[str, str, str, object, str]]:
    t, trip, alert = world["traveller"].pk, world["trip"].pk, world["alert"].pk
    key, ro = world["key"], world["ro"]
    return [
        ("get", "/api/v1/travellers", key, None, "list travellers"),
        ("get", f"/api/v1/travellers/{t}", key, None, "a traveller"),
        ("get", f"/api/v1/travellers/{t}/status", key, None, "status"),
        ("get", f"/api/v1/travellers/{t}/trips", key, None, "trips"),
        ("get", f"/api/v1/travellers/{t}/trips/{trip}", key, None, "a trip"),
        ("get", "/api/v1/alerts", key, None, "alerts"),
        ("get", f"/api/v1/alerts/{alert}", key, None, "an alert"),
        ("get", "/api/v1/travellers", "wrong", None, "401"),
        ("post", f"/api/v1/alerts/{alert}/acknowledge", ro, {}, "403"),
        ("get", "/api/v1/travellers/999999", key, None, "404"),
        ("delete", f"/api/v1/travellers/{t}/trips/{trip}", ro, None, "403 delete"),
        ("post", f"/api/v1/travellers/{t}/trips", key, {"entry": "x", "colour": 1}, "422 schema"),
        ("post", f"/api/v1/travellers/{t}/trips", key, BACKWARDS, "422 form"),
        ("post", f"/api/v1/alerts/{alert}/resolve", key, {"note": "x" * 2001}, "422 too long"),
        ("get", "/api/v1/alerts?page=0&traveller=99999999999999999999", key, None, "422 query"),
        ("post", f"/api/v1/travellers/{t}/trips", key, "{not json", "400"),
        ("post", "/api/v1/travellers", key, {"name": "x" * 3000}, "413"),
    ]  # fmt: skip


def ask(method, url, key, body, language):
    client = Client(headers={"Authorization": f"Bearer {key}", "Accept-Language": language})
    data = body if isinstance(body, str) or body is None else json.dumps(body)
    if data is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data, content_type="application/json")


@pytest.mark.parametrize("language", ["de", "ru"])
@override_settings(STAYSITE_API_MAX_BODY_BYTES=2000)
def test_no_answer_holds_an_english_sentence(world, language):
    untranslated = []
    for method, url, key, body, what in requests(world):
        english = ask(method, url, key, body, "en")
        other = ask(method, url, key, body, language)
        assert other.status_code == english.status_code, what
        theirs = dict(sentences(other.json()))
        found = list(sentences(english.json()))
        assert found or what in ("a trip", "trips", "a traveller", "list travellers"), what
        for path, sentence in found:
            if theirs.get(path) == sentence:
                untranslated.append((what, path, sentence))
    print(*untranslated, sep="\n")
    assert untranslated == []
