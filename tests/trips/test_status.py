"""The traveller page's status cards: each number with its explanation, and the timeline."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

import rules
from tests import factories
from trips.evaluation import details, findings
from trips.words import presenters

ON = date(2026, 3, 20)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def cards_for(traveller, on=ON) -> dict:
    return presenters.status_cards(details.status_details(findings.evaluate(traveller, on=on)), on)


def kz_card(traveller, on=ON):
    return next(c for c in cards_for(traveller, on)["regimes"] if c.key == "kz")


def test_the_allowance_is_explained_by_the_trips_in_the_window_and_the_days_coming_back(
    traveller,
):
    factories.make_trip(traveller=traveller, entry=date(2026, 1, 10), days=30)
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 1), days=11)

    card = kz_card(traveller)

    assert card.headline == "49 days left of 90"
    assert card.lines[0] == (
        "49 days left: 41 days used since 22 Sep 2025: "
        "trip 10 Jan 2026 – 8 Feb 2026, 30 days; "
        "trip 1 Mar 2026 – 11 Mar 2026, 11 days."
    )
    # Each day leaves the window 180 days after it: 10 Jan + 180 = 9 Jul.
    assert card.lines[1] == ("The next 30 days come back one a day from 9 Jul 2026 to 7 Aug 2026.")
    assert "Not in Kazakhstan today." in card.lines


def test_a_current_stay_explains_its_latest_legal_exit_by_the_30_day_cap(traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 1), days=None)

    card = kz_card(traveller)

    assert "Day 20 of the stay that began on 1 Mar 2026." in card.lines
    assert any(
        line.startswith("Latest legal exit 30 Mar 2026: day 30 of a visa-free stay")
        for line in card.lines
    )


def test_deadlines_name_their_legal_source(traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 18), days=None)

    card = kz_card(traveller)

    eqonaq = next(d for d in card.deadlines if "eQonaq" in d.message)
    assert eqonaq.due_on is not None
    assert "Decree No. 148" in eqonaq.source  # the law itself, not a file the reader lacks
    assert "RULES.md" not in eqonaq.source
    assert eqonaq.to_go.startswith("in ") or eqonaq.to_go == "today"


def test_an_overstay_shows_its_tier_and_consequence(traveller):
    # 35 days in the country on 4 Feb: 5 days after day 30.
    factories.make_trip(traveller=traveller, entry=date(2026, 1, 1), days=None)

    card = kz_card(traveller, on=date(2026, 2, 4))

    assert card.overstay[0] == "Overstay of 5 days after the stay from 1 Jan 2026."
    assert card.overstay[1] == "Tier: sanction (4-5 days). Fine of 10 MCI (KoAP art. 517(3)(2))."
    assert card.overstay[2] == "Fine: 43,250 KZT (10 MCI at 4,325 KZT)."
    assert "art. 517" in card.overstay[3]


def test_tax_days_and_montage_days_are_explained(traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 1, 10), days=30, purpose="montage")

    cards = cards_for(traveller)

    assert cards["tax"]["lines"][0] == (
        "30 days in Kazakhstan in the last 12 months (183-day rule)."
    )
    assert cards["montage"]["lines"][0] == (
        "30 of 120 Montage days used since 1 Jan 2026; 90 left."
    )


def test_a_visa_card_shows_its_validity_and_days(traveller):
    visa = factories.make_visa(
        traveller=traveller, valid_from=date(2026, 1, 1), valid_until=date(2026, 6, 29)
    )
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 1), days=10, visa=visa)

    lines = cards_for(traveller)["visas"][0]["lines"]

    assert lines[0] == "Valid until 29 Jun 2026, 101 more days."
    assert lines[1] == "10 of 90 days of stay used, 80 left."


def test_a_kazakh_citizen_gets_a_schengen_card(other_traveller):
    factories.make_trip(traveller=other_traveller, country="DE", entry=date(2026, 3, 1), days=5)

    cards = cards_for(other_traveller)

    assert [c.key for c in cards["regimes"]] == ["schengen"]
    assert cards["regimes"][0].headline == "85 days left of 90"


# --- The timeline picture ---


def test_the_timeline_draws_the_90_line_today_and_planned_trips_hatched(traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 1, 10), days=30)
    factories.make_trip(traveller=traveller, entry=date(2026, 4, 10), days=20)

    svg = str(kz_card(traveller).timeline)

    assert svg.startswith('<svg class="timeline" role="img"')
    assert "<title" in svg and "<desc" in svg
    assert 'class="timeline-limit"' in svg
    assert 'class="timeline-today"' in svg
    assert 'class="timeline-planned"' in svg and 'fill="url(#hatch-kz)"' in svg
    assert 'class="timeline-trip"' in svg
    assert 'class="timeline-rolloff"' in svg
    assert "style=" not in svg


def test_the_timeline_has_a_text_equivalent(traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 1, 10), days=30)
    factories.make_trip(traveller=traveller, entry=date(2026, 4, 10), days=20)

    facts = kz_card(traveller).timeline_facts

    assert facts[0] == "Today, 20 Mar 2026: 30 of 90 days used in the last 180 days."
    assert "With the planned trips, the count peaks at 50 days on 29 Apr 2026." in facts
    assert "Planned trip to Kazakhstan, 10 Apr 2026 – 29 Apr 2026, 20 days." in facts
    assert "Trip to Kazakhstan, 10 Jan 2026 – 8 Feb 2026, 30 days." in facts


def test_the_timeline_escapes_what_it_draws(traveller):
    factories.make_trip(traveller=traveller, entry=date(2026, 1, 10), days=5)
    svg = str(kz_card(traveller).timeline)

    assert "<script" not in svg
    assert re.search(r'viewBox="0 0 \d+ \d+"', svg)


# --- The page ---


def test_the_traveller_page_shows_the_cards_and_the_timeline(client, hr, traveller):
    today = timezone.localdate()
    factories.make_trip(traveller=traveller, entry=today - timedelta(days=40), days=10)
    client.force_login(hr)

    content = client.get(traveller.get_absolute_url()).content.decode()

    assert "Kazakhstan: 90 days in 180" in content
    assert "80 days left: 10 days used since" in content
    assert '<svg class="timeline" role="img"' in content
    assert 'class="visually-hidden timeline-facts"' in content
    assert "What if: plan a stay" in content


def test_the_status_panel_fragment_has_the_cards(client, hr, traveller):
    today = timezone.localdate()
    factories.make_trip(traveller=traveller, entry=today - timedelta(days=40), days=10)
    client.force_login(hr)

    response = client.get(
        reverse("trips:traveller_status", args=[traveller.pk]), headers={"HX-Request": "true"}
    )

    content = response.content.decode()
    assert "<html" not in content
    assert "Kazakhstan: 90 days in 180" in content


@pytest.mark.parametrize(
    "url_name",
    [
        pytest.param("trips:traveller_detail", id="page"),
        pytest.param("trips:traveller_status", id="status-fragment"),
    ],
)
def test_one_request_evaluates_the_traveller_once(client, hr, traveller, monkeypatch, url_name):
    today = timezone.localdate()
    factories.make_trip(traveller=traveller, entry=today - timedelta(days=40), days=10)
    calls = []
    assess = rules.assess
    monkeypatch.setattr(rules, "assess", lambda *a, **kw: calls.append(kw) or assess(*a, **kw))
    client.force_login(hr)

    response = client.get(reverse(url_name, args=[traveller.pk]))

    assert response.status_code == 200
    assert len(calls) == 1, "one rule set (Kazakhstan), evaluated once"


def test_a_traveller_sees_their_own_page_only(client, traveller_user, traveller, other_traveller):
    client.force_login(traveller_user)

    own = client.get(traveller.get_absolute_url())
    other = client.get(other_traveller.get_absolute_url())

    assert own.status_code == 200
    assert other.status_code == 404
