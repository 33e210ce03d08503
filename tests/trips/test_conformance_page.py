"""The conformance page: every published example with its source, the official answer and
staysite's, computed live; the open points with what decides each. Public."""

import dataclasses

import pytest
from django.urls import reverse

import rules
from trips.words.conformance import EXAMPLE_TITLES, OPEN_POINT_TITLES

URL = reverse("trips:conformance")


def test_anyone_may_read_the_conformance_page_without_logging_in(client, db):
    response = client.get(URL)

    assert response.status_code == 200


def test_every_published_example_is_shown_with_a_tick_and_its_source(client, db):
    html = client.get(URL).content.decode()

    assert html.count('class="tick"') == len(rules.CONFORMANCE_EXAMPLES)
    assert 'class="cross"' not in html
    for example in rules.CONFORMANCE_EXAMPLES:
        assert f'id="{example.key}"' in html
        assert example.source.title in html


def test_the_page_shows_a_cross_where_the_engine_disagrees(client, db, monkeypatch):
    first = rules.CONFORMANCE_EXAMPLES[0]
    (key,) = first.official  # one figure: the official answer changed by one
    wrong = dataclasses.replace(first, official={key: first.official[key] + 1})
    monkeypatch.setattr(rules, "CONFORMANCE_EXAMPLES", (wrong, *rules.CONFORMANCE_EXAMPLES[1:]))

    html = client.get(URL).content.decode()

    assert html.count('class="cross"') == 1
    assert "staysite disagrees with at least one official answer" in html


def test_every_open_point_says_what_decides_it(client, db):
    html = client.get(URL).content.decode()

    for point in rules.OPEN_POINTS:
        assert f'id="{point.key}"' in html
    assert "The organisation&#x27;s setting “183-day window” decides it" in html


@pytest.mark.parametrize("key", [e.key for e in rules.CONFORMANCE_EXAMPLES], ids=str)
def test_every_example_has_words_in_every_language(key):
    assert key in EXAMPLE_TITLES


@pytest.mark.parametrize("key", [p.key for p in rules.OPEN_POINTS], ids=str)
def test_every_open_point_has_words_in_every_language(key):
    assert key in OPEN_POINT_TITLES


def test_the_footer_of_every_page_links_to_the_examples(client, db):
    html = client.get(reverse("login")).content.decode()

    assert f'href="{URL}"' in html


def test_the_page_reads_in_german(client, db):
    html = client.get(URL, headers={"accept-language": "de"}).content.decode()

    assert "Offene Punkte" in html
