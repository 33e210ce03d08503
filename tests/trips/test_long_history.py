"""The traveller page of a long history lists the latest trips and shows the eQonaq filings that
may still matter; the earlier ones wait behind a link each, and a change to an earlier trip
keeps it in view."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories
from trips.words.long_history import LATEST_TRIPS

HTMX = {"HX-Request": "true"}


@pytest.fixture
def history(traveller):
    """A trip over long ago and one just over, each with a notification."""
    today = timezone.localdate()
    old = factories.make_trip(traveller=traveller, entry=today - timedelta(days=400), days=20)
    factories.make_notification(trip=old, reference="EQ-OLD")
    recent = factories.make_trip(traveller=traveller, entry=today - timedelta(days=30), days=10)
    factories.make_notification(trip=recent, reference="EQ-RECENT")
    return old, recent


def page(client, traveller, query: str = "", **headers) -> str:
    return client.get(traveller.get_absolute_url() + query, headers=headers).content.decode()


def card(trip) -> str:
    return f'id="eqonaq-trip-{trip.pk}"'


@pytest.mark.django_db
def test_the_page_shows_recent_filings_and_links_to_the_earlier_ones(
    client, hr, traveller, history
):
    old, recent = history
    client.force_login(hr)

    shown = page(client, traveller)

    assert card(recent) in shown
    assert card(old) not in shown
    assert "Show the address changes and notifications of 1 earlier trip" in shown
    assert "?filings=all#eqonaq-heading" in shown


@pytest.mark.django_db
def test_asking_for_all_shows_every_trips_filings_and_no_link(client, hr, traveller, history):
    old, recent = history
    client.force_login(hr)

    shown = page(client, traveller, "?filings=all")

    assert card(recent) in shown and card(old) in shown
    assert "earlier trip" not in shown


@pytest.mark.django_db
def test_an_htmx_swap_on_the_page_showing_all_keeps_showing_all(client, hr, traveller, history):
    old, _recent = history
    client.force_login(hr)
    current = "http://testserver" + traveller.get_absolute_url() + "?filings=all"

    records = page(client, traveller, "?part=records", **HTMX, **{"HX-Current-URL": current})

    assert card(old) in records


@pytest.mark.django_db
def test_a_change_to_an_earlier_trips_filings_keeps_its_card_in_view(
    client, hr, traveller, history
):
    old, _recent = history
    client.force_login(hr)

    response = client.post(
        reverse("trips:notification_create", args=[traveller.pk, old.pk]),
        {
            "reason": "arrival",
            "address": "Abay Ave 1, Almaty",
            "filed_on": old.entry.isoformat(),
            "reference": "EQ-LATE",
        },
        headers=HTMX,
    )

    assert response.status_code == 200
    assert card(old) in response.content.decode()


@pytest.mark.django_db
def test_with_only_earlier_trips_the_page_offers_them_instead_of_saying_there_are_none(
    client, hr, traveller
):
    today = timezone.localdate()
    old = factories.make_trip(traveller=traveller, entry=today - timedelta(days=400), days=20)
    factories.make_notification(trip=old, reference="EQ-OLD")
    client.force_login(hr)

    shown = page(client, traveller)

    assert card(old) not in shown
    assert "No trips to Kazakhstan recorded." not in shown
    assert "1 earlier trip" in shown


@pytest.fixture
def many_trips(traveller):
    """Two trips more than the table lists, one a week, the latest still planned; newest first."""
    today = timezone.localdate()
    return [
        factories.make_trip(traveller=traveller, entry=today + timedelta(days=7 - 7 * i), days=3)
        for i in range(LATEST_TRIPS + 2)
    ]


def row(trip) -> str:
    return f'id="trip-{trip.pk}"'


@pytest.mark.django_db
def test_the_table_lists_the_latest_trips_and_links_to_the_earlier_ones(
    client, hr, traveller, many_trips
):
    client.force_login(hr)

    shown = page(client, traveller)

    assert all(row(trip) in shown for trip in many_trips[:LATEST_TRIPS])
    assert all(row(trip) not in shown for trip in many_trips[LATEST_TRIPS:])
    assert "Show 2 earlier trips" in shown
    assert "?trips=all#trips-heading" in shown


@pytest.mark.django_db
def test_asking_for_all_trips_lists_every_trip_and_no_link(client, hr, traveller, many_trips):
    client.force_login(hr)

    shown = page(client, traveller, "?trips=all")

    assert all(row(trip) in shown for trip in many_trips)
    assert "?trips=all#trips-heading" not in shown


@pytest.mark.django_db
def test_each_link_keeps_the_other_choice(client, hr, traveller, many_trips):
    client.force_login(hr)

    shown = page(client, traveller, "?filings=all")

    assert "?filings=all&amp;trips=all#trips-heading" in shown


@pytest.mark.django_db
def test_an_htmx_swap_on_the_page_listing_all_trips_keeps_listing_them(
    client, hr, traveller, many_trips
):
    client.force_login(hr)
    current = "http://testserver" + traveller.get_absolute_url() + "?trips=all"

    records = page(client, traveller, "?part=records", **HTMX, **{"HX-Current-URL": current})

    assert row(many_trips[-1]) in records


@pytest.mark.django_db
def test_a_change_to_an_earlier_trip_keeps_it_in_the_table(client, hr, traveller, many_trips):
    earliest = many_trips[-1]
    client.force_login(hr)

    response = client.post(
        reverse("trips:trip_update", args=[traveller.pk, earliest.pk]),
        {
            "country": "KZ",
            "entry": earliest.entry.isoformat(),
            "exit": earliest.exit.isoformat(),
            "purpose": earliest.purpose,
            "host": "New host",
        },
        headers=HTMX,
    )

    assert response.status_code == 200
    assert row(earliest) in response.content.decode()


def queries_of_page(client, traveller) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(traveller.get_absolute_url())
    return len(queries)


@pytest.mark.django_db
def test_the_page_reads_as_many_times_for_a_long_history_as_for_a_short_one(
    client, hr, traveller, history
):
    client.force_login(hr)
    short = queries_of_page(client, traveller)
    # Weekly trips after the history's old trip and before its recent one.
    between_the_two = timezone.localdate() - timedelta(days=60)
    for week in range(2 * LATEST_TRIPS):
        trip = factories.make_trip(
            traveller=traveller, entry=between_the_two - timedelta(weeks=week), days=2
        )
        factories.make_notification(trip=trip, reference=f"EQ-{week}")

    assert queries_of_page(client, traveller) == short
