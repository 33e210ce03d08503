"""Private calendar feeds: made, shown once, revoked, and read by calendar programs."""

from __future__ import annotations

import re
from datetime import date, timedelta

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories
from trips.choices import AlertKind
from trips.evaluation.details import status_details
from trips.evaluation.findings import evaluate
from trips.files import feeds
from trips.models import CalendarFeed, User, Visa


def make_feed(user) -> str:
    """The feed address `user` gets from their calendar page."""
    client = Client()
    client.force_login(user)
    page = client.post(reverse("trips:feed_create")).content.decode()
    return re.search(r'id="feed-url" value="([^"]+)"', page).group(1)


def fetch(url: str):
    """The feed as a calendar program fetches it: no login, no cookies."""
    return Client().get(url.removeprefix("http://testserver"))


def events(url: str) -> dict[str, tuple[date, date]]:
    """Each event's summary with its first and last day."""
    response = fetch(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    found = {}
    for event in calendar.walk("VEVENT"):
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        found[str(event["summary"])] = (start, end - timedelta(days=1))
    return found


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def dated_trips(traveller, organisation, today):
    """Tom is in Kazakhstan visa-free since 25 days (leaving in 3), after 10 days there half a
    year ago, and plans a trip to Germany; Nina works in Kazakhstan on a C3 visa since 40 days."""
    factories.make_trip(traveller=traveller, entry=today - timedelta(days=170), days=10)
    factories.make_trip(traveller=traveller, entry=today - timedelta(days=25), days=28)
    factories.make_trip(traveller=traveller, entry=today + timedelta(days=60), days=6, country="DE")
    nina = factories.make_traveller(organisation=organisation, name="Nina Kraus")
    visa = factories.make_visa(
        traveller=nina,
        kind=Visa.Kind.C3,
        number="C3-1",
        valid_from=today - timedelta(days=50),
        valid_until=today + timedelta(days=100),
        days_allowed=None,
    )
    factories.make_trip(traveller=nina, entry=today - timedelta(days=40), days=None, visa=visa)
    return nina


def test_a_travellers_feed_carries_their_dates(traveller_user, traveller, dated_trips, today):
    url = make_feed(traveller_user)

    found = events(url)

    entry = today - timedelta(days=25)
    assert found["Tom Weber: latest legal exit from Kazakhstan"] == (entry + timedelta(29),) * 2
    assert found["Tom Weber: planned trip to Germany"] == (
        today + timedelta(days=60),
        today + timedelta(days=65),
    )
    details = status_details(evaluate(traveller, on=today))
    roll = details.regimes[0].explanation.roll_offs[0]
    assert found[f"Tom Weber: {roll.days} days of the 90/180 limit in Kazakhstan come back"] == (
        roll.first_date,
        roll.last_date,
    )
    eqonaq = next(f for f in details.status.findings if f.kind == AlertKind.EQONAQ_OVERDUE)
    assert found[f"Tom Weber: {eqonaq.message}"] == (eqonaq.due_on, eqonaq.due_on)
    assert not any(summary.startswith("Nina Kraus") for summary in found)


def test_an_hr_feed_carries_every_visible_traveller_and_no_other(
    hr, traveller, dated_trips, foreign_traveller, today
):
    factories.make_trip(traveller=foreign_traveller, entry=today + timedelta(days=5), days=3)
    nina = dated_trips

    found = events(make_feed(hr))

    registration = next(
        f for f in evaluate(nina, on=today).findings if f.kind == AlertKind.REGISTRATION_NEEDED
    )
    assert found[f"Nina Kraus: {registration.message}"] == (registration.due_on,) * 2
    assert found["Nina Kraus: C3 work visa expires"] == (today + timedelta(days=100),) * 2
    assert "Tom Weber: planned trip to Germany" in found
    assert not any(summary.startswith(foreign_traveller.name) for summary in found)


def test_no_event_carries_a_visa_number(hr, dated_trips):
    """A subscription hands every event to the calendar provider: no document numbers in it."""
    response = fetch(make_feed(hr))

    assert response.status_code == 200
    assert b"C3-1" not in response.content


def test_the_feed_page_says_a_subscription_shares_the_events_with_the_provider(client, hr):
    client.force_login(hr)

    page = client.get(reverse("trips:feed_detail")).content.decode()

    assert "your calendar provider (Google, Microsoft, Apple or another) receives" in page


def test_the_feed_address_is_shown_once_and_only_its_hash_is_kept(traveller_user):
    url = make_feed(traveller_user)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")

    feed = CalendarFeed.objects.get(user=traveller_user)
    assert feed.token_hash == feeds.token_hash(token) != token
    client = Client()
    client.force_login(traveller_user)
    assert token not in client.get(reverse("trips:feed_detail")).content.decode()


def test_a_wrong_a_revoked_and_a_replaced_token_find_nothing(traveller_user, traveller):
    first = make_feed(traveller_user)
    second = make_feed(traveller_user)
    wrong = second[:-10] + "wrongtoken.ics"

    assert fetch(first).status_code == 404
    assert fetch(wrong).status_code == 404
    assert fetch(second).status_code == 200

    client = Client()
    client.force_login(traveller_user)
    client.post(reverse("trips:feed_revoke"))

    assert fetch(second).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_the_feed_sets_no_session_and_no_cookie(traveller_user, traveller):
    response = fetch(make_feed(traveller_user))

    assert response.cookies == {}
    assert "Cookie" not in response.get("Vary", "")
    assert fetch(make_feed(traveller_user)[:-8] + "x.ics").cookies == {}


def test_the_feed_follows_its_owners_access_at_each_request(
    hr, traveller, dated_trips, other_organisation, today
):
    factories.make_trip(
        traveller=factories.make_traveller(organisation=other_organisation, name="Olga Other"),
        entry=today + timedelta(days=5),
        days=3,
    )
    url = make_feed(hr)
    assert "Tom Weber: planned trip to Germany" in events(url)

    hr.organisation = other_organisation
    hr.save()
    moved = events(url)
    hr.role = User.Role.TRAVELLER
    hr.save()
    demoted = events(url)  # a traveller without a traveller record sees nobody
    hr.is_active = False
    hr.save()

    assert "Olga Other: planned trip to Kazakhstan" in moved
    assert not any(s.startswith("Tom Weber") for s in moved)
    assert demoted == {}
    assert fetch(url).status_code == 404


def test_the_feed_page_offers_copy_and_revoke(client, traveller_user, traveller):
    client.force_login(traveller_user)

    made = client.post(reverse("trips:feed_create")).content.decode()
    page = client.get(reverse("trips:feed_detail")).content.decode()
    own = client.get(traveller.get_absolute_url()).content.decode()

    assert 'data-copy="#feed-url"' in made
    assert reverse("trips:feed_revoke") in page
    assert reverse("trips:feed_detail") in own


def test_the_new_address_comes_with_a_subscribe_button(client, hr):
    client.force_login(hr)

    page = client.post(reverse("trips:feed_create")).content.decode()

    address = re.search(r'id="feed-url" value="http://([^"]+)"', page).group(1)
    assert f'id="feed-subscribe" href="webcal://{address}"' in page


@pytest.mark.parametrize(
    ("days", "trigger"),
    [
        pytest.param(None, timedelta(days=-3), id="three-days-before-by-default"),
        pytest.param("7", timedelta(days=-7), id="the-lead-time-set-on-the-page"),
        pytest.param("0", None, id="no-reminder"),
    ],
)
def test_latest_legal_exits_and_deadlines_come_with_a_reminder(
    client, hr, traveller, dated_trips, days, trigger
):
    url = make_feed(hr)
    if days is not None:
        client.force_login(hr)
        client.post(reverse("trips:feed_reminder"), {"reminder_days": days})

    calendar = icalendar.Calendar.from_ical(fetch(url).content)

    alarms = {}
    for event in calendar.walk("VEVENT"):
        found = [a.decoded("trigger") for a in event.walk("VALARM")]
        alarms[str(event["summary"])] = found[0] if found else None
    assert alarms["Tom Weber: latest legal exit from Kazakhstan"] == trigger
    deadline = next(s for s in alarms if s.startswith("Nina Kraus:") and "expires" not in s)
    assert alarms[deadline] == trigger
    assert alarms["Tom Weber: planned trip to Germany"] is None


def test_a_reminder_beyond_60_days_is_refused_with_the_range(client, hr):
    make_feed(hr)
    client.force_login(hr)

    response = client.post(reverse("trips:feed_reminder"), {"reminder_days": "90"}, follow=True)

    assert "from 0 (none) to 60" in response.content.decode()
    assert CalendarFeed.objects.get(user=hr).reminder_days == 3


@pytest.mark.parametrize(
    ("from_request", "base_url", "expected"),
    [
        # Development on another port (PORT=8101 make run): the address the feed came from.
        pytest.param(True, "", "http://127.0.0.1:8101/travellers/", id="development"),
        # Production: the configured address, whatever Host header the request carried.
        pytest.param(
            False,
            "https://staysite.example.com",
            "https://staysite.example.com/travellers/",
            id="production",
        ),
    ],
)
def test_feed_events_link_to_the_sites_own_address(
    settings, hr, dated_trips, from_request, base_url, expected
):
    settings.STAYSITE_LINKS_FROM_REQUEST = from_request
    settings.STAYSITE_BASE_URL = base_url
    settings.ALLOWED_HOSTS = ["*"]
    path = make_feed(hr).removeprefix("http://testserver")

    content = Client().get(path, headers={"host": "127.0.0.1:8101"}).content.decode()

    assert expected in content.replace("\r\n ", "")
