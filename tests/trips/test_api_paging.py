"""Lists a client can read to the end, and read again for what changed: pages, links, sync.

Every list answers `count`, `pages`, this page's `items` and the links `next` and `previous`;
a page past the last has no items. With `updated_since`, a list holds only what was created
or changed since then, and `deleted` the ids deleted since then.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests import factories
from tests.trips.test_alert_views import make_alert
from tests.trips.test_api import send, trips_url
from trips.models import Trip

PAST = timezone.now() - timedelta(days=30)


@pytest.fixture
def api(compliance):
    return Client(
        headers={"Authorization": f"Bearer {factories.make_api_token(created_by=compliance)[1]}"}
    )


def read_all(api, url: str) -> list[dict]:
    """Every item of a list, following `next` until it is null."""
    items, pages = [], 0
    while url:
        page = api.get(url).json()
        items += page["items"]
        url = page["next"]
        pages += 1
        assert pages < 20, "the links never end"
    return items


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("/api/v1/travellers", id="travellers"),
        pytest.param("/api/v1/alerts", id="alerts"),
        pytest.param("trips", id="trips"),
    ],
)
def test_following_next_reads_each_item_once_and_ends(api, organisation, traveller, url):
    for number in range(4):
        factories.make_traveller(organisation=organisation, name=f"T{number}")
        factories.make_trip(
            traveller=traveller, entry=date(2026, 1, 1) + timedelta(days=10 * number), days=3
        )
        make_alert(traveller)
    url = trips_url(traveller) if url == "trips" else url

    everything = api.get(f"{url}?page_size=200").json()["items"]
    paged = read_all(api, f"{url}?page_size=2")

    assert len(everything) >= 4
    assert [item["id"] for item in paged] == [item["id"] for item in everything]


def test_a_page_past_the_last_is_empty_with_a_link_back(api, organisation, traveller):
    factories.make_traveller(organisation=organisation, name="Zara")

    page = api.get("/api/v1/travellers?page_size=1&page=4&q=").json()

    assert (page["count"], page["page"], page["pages"], page["items"]) == (2, 4, 2, [])
    assert page["next"] is None
    assert page["previous"] == "http://testserver/api/v1/travellers?page_size=1&page=2&q="


def test_the_links_keep_the_filters(api, organisation, traveller):
    for name in ("Zara A", "Zara B", "Zara C"):
        factories.make_traveller(organisation=organisation, name=name)

    page = api.get("/api/v1/travellers?q=zara&page_size=1&page=2").json()

    assert page["next"] == "http://testserver/api/v1/travellers?q=zara&page_size=1&page=3"
    assert page["previous"] == "http://testserver/api/v1/travellers?q=zara&page_size=1&page=1"


def test_updated_since_lists_only_the_travellers_changed_and_the_deleted_ids(
    api,
    organisation,
    traveller,
):
    with time_machine.travel(PAST):
        unchanged = factories.make_traveller(organisation=organisation, name="Unchanged")
        changed = factories.make_traveller(organisation=organisation, name="Changed")
        gone = factories.make_traveller(organisation=organisation, name="Gone")
    since = timezone.now() - timedelta(minutes=1)
    gone_pk = gone.pk
    send(api, "patch", f"/api/v1/travellers/{changed.pk}", {"name": "Changed again"})
    gone.delete()
    created = send(
        api,
        "post",
        "/api/v1/travellers",
        {"name": "New", "employee_number": "N-1", "citizenship": "DE"},
    ).json()

    page = api.get("/api/v1/travellers", {"updated_since": since.isoformat()}).json()

    ids = [item["id"] for item in page["items"]]
    assert changed.pk in ids and created["id"] in ids
    assert unchanged.pk not in ids
    assert page["deleted"] == [gone_pk]


def test_updated_since_lists_the_trips_changed_and_the_deleted_ids(api, traveller):
    with time_machine.travel(PAST):
        kept = factories.make_trip(traveller=traveller, entry=date(2026, 1, 5), days=3)
        deleted = factories.make_trip(traveller=traveller, entry=date(2026, 2, 5), days=3)
    since = timezone.now() - timedelta(minutes=1)
    assert send(api, "delete", f"{trips_url(traveller)}/{deleted.pk}").status_code == 204
    new = send(
        api,
        "post",
        trips_url(traveller),
        {"country": "KZ", "entry": "2026-03-02", "exit": "2026-03-04"},
    ).json()

    page = api.get(trips_url(traveller), {"updated_since": since.isoformat()}).json()

    assert [item["id"] for item in page["items"]] == [new["id"]]
    assert page["deleted"] == [deleted.pk]
    assert Trip.objects.filter(pk=kept.pk).exists()


def test_updated_since_lists_the_alerts_reviewed_since(api, traveller):
    with time_machine.travel(PAST):
        quiet = make_alert(traveller)
        reviewed = make_alert(traveller)
    since = timezone.now() - timedelta(minutes=1)
    send(api, "post", f"/api/v1/alerts/{reviewed.pk}/acknowledge")

    page = api.get("/api/v1/alerts", {"updated_since": since.isoformat()}).json()

    assert [item["id"] for item in page["items"]] == [reviewed.pk]
    assert quiet.pk != reviewed.pk


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param("updated_since=2026-03-01", "updated_since", id="a-day-not-a-time"),
        pytest.param("updated_since=0.5", "updated_since", id="a-number-not-a-time"),
        pytest.param("updated_since=2026-03-01T00:00:00", "updated_since", id="no-time-zone"),
        pytest.param("traveller=15084581700732370944", "traveller", id="id-beyond-any"),
        pytest.param("page=99999999999999999999", "page", id="page-beyond-any"),
        pytest.param("state=lost", "state", id="no-such-state"),
    ],
)
def test_a_parameter_that_does_not_fit_is_a_422_naming_it(api, query, field):
    response = api.get(f"/api/v1/alerts?{query}")

    assert response.status_code == 422
    assert [problem["field"] for problem in response.json()["errors"]] == [field]


def test_an_id_beyond_any_in_the_path_is_a_422(api):
    response = api.get("/api/v1/travellers/15084581700732370944")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "pk"


def test_true_is_not_an_assignee(api, traveller, hr):
    alert = make_alert(traveller)

    response = send(api, "post", f"/api/v1/alerts/{alert.pk}/assign", {"assignee": True})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "assignee"
    alert.refresh_from_db()
    assert alert.assigned_to is None
