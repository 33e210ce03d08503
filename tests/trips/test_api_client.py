"""A client generated from the schema alone by openapi-python-client (pinned) works: it
creates a traveller and a trip with `date` objects, reads the status, pages through a list
until it ends and syncs what changed, against a live server.

The client is generated into a temporary directory during the test, from the schema the
server serves; nothing is fetched from the network.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from tests import factories

GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture
def generated(db, tmp_path, monkeypatch):
    """The package openapi-python-client makes from the served schema, imported."""
    schema = tmp_path / "openapi.json"
    schema.write_text(json.dumps(Client().get("/api/v1/openapi.json").json()))
    output = tmp_path / "staysite_client"
    command = [str(GENERATOR), "generate", f"--path={schema}", "--meta=none"]
    # The generator formats what it writes with ruff, which it looks for on PATH.
    environment = os.environ | {"PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(
        [*command, f"--output-path={output}"], check=True, capture_output=True, env=environment
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("staysite_client")
    for name in [name for name in sys.modules if name.startswith("staysite_client")]:
        del sys.modules[name]


def read_every_page(list_operation, **arguments) -> tuple[list, int]:
    """Every item of a list, a page at a time until a page has no next link."""
    items, number = [], 1
    while True:
        page = list_operation.sync(page=number, page_size=1, **arguments)
        items += page.items
        if page.next_ is None:
            return items, number
        number += 1


@pytest.mark.django_db(transaction=True)
def test_a_generated_client_makes_a_round_trip_with_dates(
    generated, live_server, compliance, traveller, other_traveller
):
    from staysite_client import AuthenticatedClient
    from staysite_client.api.status import get_traveller_status
    from staysite_client.api.travellers import create_traveller, list_travellers
    from staysite_client.api.trips import create_trip, delete_trip, list_trips
    from staysite_client.models import Country, TravellerCreate, TripCreate, TripOut

    key = factories.make_api_token(created_by=compliance)[1]
    client = AuthenticatedClient(
        base_url=live_server.url, token=key, raise_on_unexpected_status=True
    )
    since = timezone.now()

    created = create_traveller.sync(
        client=client,
        body=TravellerCreate(name="Aigerim Bekova", employee_number="E-42", citizenship=Country.DE),
    )
    trip = create_trip.sync(
        created.id,
        client=client,
        body=TripCreate(country=Country.KZ, entry=date(2026, 3, 2), exit_=date(2026, 3, 11)),
    )
    status = get_traveller_status.sync(created.id, client=client)
    travellers, pages = read_every_page(list_travellers, client=client)
    changed = list_travellers.sync(client=client, updated_since=since)
    delete_trip.sync_detailed(created.id, trip.id, client=client)
    trips_changed = list_trips.sync(created.id, client=client, updated_since=since)

    assert isinstance(trip, TripOut)
    assert (trip.entry, trip.exit_) == (date(2026, 3, 2), date(2026, 3, 11))
    assert status.status in {"ok", "attention", "action", "overstay"}
    assert status.on == timezone.localdate()
    assert [t.id for t in travellers] == [t.id for t in list_travellers.sync(client=client).items]
    assert pages == 3 and {traveller.pk, other_traveller.pk, created.id} == {
        t.id for t in travellers
    }
    assert [t.id for t in changed.items] == [created.id]
    assert (trips_changed.items, trips_changed.deleted) == ([], [trip.id])
