"""The OpenAPI schema is valid and usable: a client built from it alone can create a trip.

The docs page is served from django-ninja's own static files, with our Content Security Policy.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from openapi_schema_validator import validate as validate_instance
from openapi_spec_validator import validate as validate_spec

from tests import factories
from trips.models import Trip


@pytest.fixture
def spec(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_a_valid_openapi_document(spec):
    validate_spec(spec)
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"] == {
        "TokenAuth": {"type": "http", "scheme": "bearer"}
    }


def test_every_operation_needs_a_token_and_documents_its_answers(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            assert operation["security"] == [{"TokenAuth": []}], f"{method} {path}"
            assert operation["summary"], f"{method} {path}"
            assert any(code.startswith("2") for code in operation["responses"])


def resolve(spec: dict, schema: dict) -> dict:
    """A schema with its `$ref`s resolvable, as a client generator sees it."""
    return schema | {"components": spec["components"]}


def operation(spec: dict, operation_id: str) -> tuple[str, str, dict]:
    for path, item in spec["paths"].items():
        for method, found in item.items():
            if found["operationId"] == operation_id:
                return method, path, found
    raise AssertionError(f"no operation {operation_id}")


def build_request(spec: dict, operation_id: str, key: str, arguments: dict) -> dict:
    """The request a generated client would send: only what the schema says is used."""
    method, path, found = operation(spec, operation_id)
    url, headers = path, {}
    for parameter in found.get("parameters", []):
        name = parameter["name"]
        if parameter["in"] == "path":
            validate_instance(arguments[name], parameter["schema"])
            url = url.replace("{" + name + "}", str(arguments.pop(name)))
        elif parameter["in"] == "header" and name in arguments:
            headers[name] = arguments.pop(name)
    (scheme,) = found["security"][0]
    assert spec["components"]["securitySchemes"][scheme]["scheme"] == "bearer"
    headers["Authorization"] = f"Bearer {key}"
    body_schema = found["requestBody"]["content"]["application/json"]["schema"]
    properties = spec["components"]["schemas"][body_schema["$ref"].rsplit("/", 1)[1]]["properties"]
    body = {}
    for name, value in arguments.items():
        assert name in properties, f"the schema has no field {name}"
        kinds = [properties[name], *properties[name].get("anyOf", [])]
        is_date = any(kind.get("format") == "date" for kind in kinds)
        body[name] = value.isoformat() if is_date else value
    validate_instance(body, resolve(spec, body_schema))
    assert "{" not in url
    return {"method": method, "url": url, "headers": headers, "body": body}


def test_a_client_built_from_the_schema_creates_a_trip(spec, compliance, traveller):
    key = factories.make_api_token(created_by=compliance)[1]
    arguments = {
        "pk": traveller.pk,
        "Idempotency-Key": "generated-1",
        "country": "KZ",
        "entry": date(2026, 3, 2),
        "exit": date(2026, 3, 11),
        "purpose": "conference",
    }

    request = build_request(spec, "createTrip", key, arguments)
    response = getattr(Client(headers=request["headers"]), request["method"])(
        request["url"], json.dumps(request["body"]), content_type="application/json"
    )

    assert response.status_code == 201
    _method, _path, found = operation(spec, "createTrip")
    answer = found["responses"]["201"]["content"]["application/json"]["schema"]
    validate_instance(response.json(), resolve(spec, answer))
    trip = Trip.objects.get(traveller=traveller)
    assert (trip.country, trip.entry, trip.purpose) == ("KZ", date(2026, 3, 2), "conference")


def test_an_error_answer_fits_the_documented_error_shape(spec, compliance, traveller):
    key = factories.make_api_token(created_by=compliance)[1]
    request = build_request(
        spec,
        "createTrip",
        key,
        {"pk": traveller.pk, "country": "KZ", "entry": date(2026, 3, 2), "exit": date(2026, 3, 1)},
    )

    response = Client(headers=request["headers"]).post(
        request["url"], json.dumps(request["body"]), content_type="application/json"
    )

    assert response.status_code == 422
    _method, _path, found = operation(spec, "createTrip")
    errors = found["responses"]["422"]["content"]["application/json"]["schema"]
    validate_instance(response.json(), resolve(spec, errors))


def test_the_docs_page_uses_only_our_own_static_files(db):
    response = Client().get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    for source in sources:
        assert source.startswith("/static/"), source
        assert finders.find(source.removeprefix("/static/")), source
    assert "//" not in "".join(sources)
    # Only a JSON data block inline, which the policy's script-src 'self' does not run.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [' type="application/json" id="swagger-settings"']
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert '"validatorUrl": null' in html
