"""The travellers' search ignores case and accents, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from tests import factories
from trips.models import Traveller


@pytest.fixture
def schroeder(organisation):
    return factories.make_traveller(
        organisation=organisation,
        name="Jürgen Schröder",
        employee_number="E-7001",
        email="jürgen.schröder@example.com",
    )


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("Schroder", id="without-the-accent"),
        pytest.param("schröder", id="lower-case"),
        pytest.param("SCHRÖDER", id="upper-case"),
        pytest.param("jurgen schr", id="part-of-the-name"),
        pytest.param("jurgen.schroder@", id="part-of-the-email"),
        pytest.param("e-7001", id="the-employee-number"),
    ],
)
def test_a_traveller_is_found_whatever_the_case_and_accents(schroeder, traveller, query):
    assert list(Traveller.objects.search(query)) == [schroeder]


def test_the_traveller_list_finds_schroder_by_schroder(client, hr, schroeder, traveller):
    client.force_login(hr)

    page = client.get(reverse("trips:traveller_list"), {"q": "Schroder"}).content.decode()

    assert "Jürgen Schröder" in page and "Tom Weber" not in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigram index")
def test_postgresql_can_serve_the_search_from_the_folded_trigram_index(schroeder):
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        sql, params = Traveller.objects.search("schroder").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")

    assert "trips_traveller_name_fold_trgm" in plan
