"""The API's permission matrix: every route x every kind of token, on its own and a foreign record.

EXPECTED lists every operation of the OpenAPI schema ("METHOD /path"). A new API route without
a row fails `test_every_api_route_has_a_row`: decide what each token kind gets, then add it.

Each row gives the status for organisation A's records with:
- read_only, read_write: organisation A's tokens;
- foreign: organisation B's read-write token (on routes without a record: on its own
  organisation, where it gets what read_write gets).
Besides what the row says, every route is checked for:
- no token, a revoked token, an expired token, a key nobody issued: 401;
- after a refused request no row in the database has changed; after an allowed one no row of
  the other organisation has, and an allowed write did change something.
Bodies are valid, so that only the access policy can refuse them.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests import factories
from tests.trips.test_permissions import database_rows, make_side, organisation_rows
from trips.accounts import tokens
from trips.api import api

TOKENS = ["read_only", "read_write", "foreign"]
REFUSED_TOKENS = ["none", "revoked", "expired", "unknown"]


def row(read_only, read_write, foreign):
    return dict(zip(TOKENS, [read_only, read_write, foreign], strict=True))


READ = row(200, 200, 404)
WRITE = row(403, 200, 404)

EXPECTED = {
    "GET /api/v1/travellers": row(200, 200, 200),
    "POST /api/v1/travellers": row(403, 201, 201),
    "GET /api/v1/travellers/{pk}": READ,
    "PATCH /api/v1/travellers/{pk}": WRITE,
    "POST /api/v1/travellers/{pk}/deactivate": WRITE,
    "GET /api/v1/travellers/{pk}/trips": READ,
    "POST /api/v1/travellers/{pk}/trips": row(403, 201, 404),
    "GET /api/v1/travellers/{pk}/trips/{trip_pk}": READ,
    "PATCH /api/v1/travellers/{pk}/trips/{trip_pk}": WRITE,
    "DELETE /api/v1/travellers/{pk}/trips/{trip_pk}": row(403, 204, 404),
    "GET /api/v1/travellers/{pk}/status": READ,
    "GET /api/v1/alerts": row(200, 200, 200),
    "GET /api/v1/alerts/{pk}": READ,
    "POST /api/v1/alerts/{pk}/acknowledge": WRITE,
    "POST /api/v1/alerts/{pk}/assign": WRITE,
    "POST /api/v1/alerts/{pk}/resolve": WRITE,
    # The engine only: nothing is read or stored, so every valid token may ask.
    "POST /api/v1/check": row(200, 200, 200),
}


def api_routes() -> set[str]:
    paths = api.get_openapi_schema()["paths"]
    return {f"{method.upper()} {path}" for path, item in paths.items() for method in item}


def body_for(route: str, side) -> dict | None:
    today = timezone.localdate()
    trip = side.trip
    return {
        "POST /api/v1/travellers": {
            "name": "Nina New",
            "employee_number": f"{side.traveller.employee_number}-api",
            "citizenship": "DE",
        },
        "PATCH /api/v1/travellers/{pk}": {"name": "Renamed Through The API"},
        "POST /api/v1/travellers/{pk}/trips": {
            "country": "DE",
            "entry": str(today + timedelta(days=60)),
            "exit": str(today + timedelta(days=65)),
            "purpose": "conference",
        },
        "PATCH /api/v1/travellers/{pk}/trips/{trip_pk}": {"host": f"Changed host {trip.pk}"},
        "POST /api/v1/alerts/{pk}/assign": {"assignee": side.hr.pk},
        "POST /api/v1/alerts/{pk}/resolve": {"note": "Called the host; the stay ends on time."},
        "POST /api/v1/check": {
            "regime": "kz_visa_free",
            "on": "2026-03-20",
            "stays": [{"entry": "2026-03-01", "exit": "2026-03-10"}],
        },
    }.get(route)


def url_for(route: str, side) -> str:
    path = route.split(" ", 1)[1]
    pk = side.alert.pk if path.startswith("/api/v1/alerts/") else side.traveller.pk
    return path.format(pk=pk, trip_pk=side.trip.pk)


def has_record(route: str) -> bool:
    return "{pk}" in route


# Under pytest-xdist the module runs on one worker, so the world is built once.
pytestmark = pytest.mark.xdist_group("api_permissions")


@pytest.fixture(scope="module")
def module_api_world(django_db_setup, django_db_blocker):
    """Both organisations and their tokens, built once; each test runs in a savepoint."""
    from django.db import transaction
    from django.test import override_settings

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        today = timezone.localdate()
        a, b = make_side("API Org A", "A", today), make_side("API Org B", "B", today)
        keys = {
            "read_only": factories.make_api_token(created_by=a.compliance, role="read_only")[1],
            "read_write": factories.make_api_token(created_by=a.compliance)[1],
            "foreign": factories.make_api_token(created_by=b.compliance)[1],
            "expired": factories.make_api_token(
                created_by=a.compliance, valid_until=today - timedelta(days=1)
            )[1],
            "unknown": tokens.KEY_PREFIX + "not-a-key-anyone-was-given",
        }
        revoked, keys["revoked"] = factories.make_api_token(created_by=a.compliance)
        tokens.revoke(revoked, by=a.compliance)
        yield {"A": a, "B": b, "keys": keys}
        transaction.set_rollback(True)


@pytest.fixture
def api_world(module_api_world, db):
    return module_api_world


def send(route: str, url: str, key: str | None, body: dict | None):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    method = route.split(" ", 1)[0].lower()
    client = Client(headers=headers)
    if method in {"get", "delete"}:
        return getattr(client, method)(url)
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json")


def cells():
    for route, expected in sorted(EXPECTED.items()):
        for kind in TOKENS:
            yield pytest.param(route, kind, expected[kind], id=f"{route}-{kind}-{expected[kind]}")
        for kind in REFUSED_TOKENS:
            yield pytest.param(route, kind, 401, id=f"{route}-{kind}-401")


def test_every_api_route_has_a_row():
    assert api_routes() == set(EXPECTED), "Add a row to EXPECTED for each new API route"


@pytest.mark.parametrize(("route", "kind", "status"), list(cells()))
def test_api_permission_matrix(api_world, route, kind, status):
    side = api_world["A"]
    if kind == "foreign" and not has_record(route):
        side = api_world["B"]  # organisation B's token on its own organisation
    key = None if kind == "none" else api_world["keys"][kind]
    other = api_world["A"] if side is api_world["B"] else api_world["B"]
    before = database_rows()
    other_before = organisation_rows(other.organisation)

    response = send(route, url_for(route, side), key, body_for(route, side))

    assert response.status_code == status, response.content
    after = database_rows()
    if status >= 400:
        assert after == before
        assert response.json()["errors"][0]["code"]
    elif not route.startswith("GET") and route != "POST /api/v1/check":
        assert after != before, "an allowed write changed nothing"
    assert organisation_rows(other.organisation) == other_before


def test_a_foreign_organisation_sees_none_of_its_travellers_in_lists(api_world):
    keys, a = api_world["keys"], api_world["A"]
    foreign = Client(headers={"Authorization": f"Bearer {keys['foreign']}"})
    listed = {t["id"] for t in foreign.get("/api/v1/travellers?page_size=200").json()["items"]}
    alerts = {x["id"] for x in foreign.get("/api/v1/alerts?state=all").json()["items"]}
    assert a.traveller.pk not in listed
    assert listed
    assert a.alert.pk not in alerts


def test_a_trip_of_another_organisation_is_not_found_under_ones_own_traveller(api_world):
    a, b = api_world["A"], api_world["B"]
    url = f"/api/v1/travellers/{a.traveller.pk}/trips/{b.trip.pk}"
    client = Client(headers={"Authorization": f"Bearer {api_world['keys']['read_write']}"})
    before = database_rows()
    assert client.get(url).status_code == 404
    assert client.delete(url).status_code == 404
    assert database_rows() == before
