"""The traveller page shows the eQonaq filings that may still matter; earlier ones wait behind
a link, and a change to an earlier trip's filings keeps its card in view."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories

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
