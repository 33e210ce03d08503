"""German and English (issue 5): German for German-speaking browsers, dates in the locale."""

import ast
import gettext
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from tests import factories
from trips import snapshots, wording
from trips.models import Status, StatusSnapshot

LOCALE = Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES"


@pytest.fixture(autouse=True)
def english_afterwards():
    """A German request leaves German active in this thread; later tests expect English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_a_german_browser_gets_the_login_page_in_german(client):
    response = client.get(reverse("login"), headers={"Accept-Language": "de-DE,de;q=0.9"})

    content = response.content.decode()
    assert '<html lang="de">' in content
    assert "Benutzername" in content
    assert "Passwort" in content


def test_an_english_browser_gets_english(client):
    response = client.get(reverse("login"), headers={"Accept-Language": "en-GB,en;q=0.9"})

    assert "Username" in response.content.decode()


def test_the_german_dashboard_shows_german_words_and_german_dates(client, hr, traveller):
    StatusSnapshot.objects.create(
        traveller=traveller,
        evaluated_on=timezone.localdate(),
        status=Status.ACTION,
        urgency=2,
        latest_legal_exit=date(2026, 3, 5),
    )
    client.force_login(hr)

    content = client.get(reverse("trips:home"), headers={"Accept-Language": "de"}).content.decode()

    assert "Übersicht" in content
    assert "Handeln nötig" in content
    assert "Späteste legale Ausreise" in content
    assert "5. März 2026" in content


def test_the_status_explanation_is_german_with_german_dates(client, hr, traveller):
    today = timezone.localdate()
    factories.make_trip(traveller=traveller, entry=today - timedelta(days=40), days=10)
    client.force_login(hr)

    content = client.get(
        traveller.get_absolute_url(), headers={"Accept-Language": "de"}
    ).content.decode()

    assert "Kasachstan: 90 Tage in 180" in content
    assert "80 Tage von 90 übrig" in content
    assert re.search(r"Reise \d{1,2}\. \w+ \d{4} – \d{1,2}\. \w+ \d{4}, 10 Tage", content)


def test_the_planner_answers_in_german(client, hr, traveller):
    entry = timezone.localdate() + timedelta(days=10)
    client.force_login(hr)

    content = client.get(
        reverse("trips:traveller_plan", args=[traveller.pk]),
        {"plan-country": "KZ", "plan-entry": entry.isoformat(), "plan-length": "40"},
        headers={"HX-Request": "true", "Accept-Language": "de"},
    ).content.decode()

    assert "Nicht legal" in content
    assert "Vorübergehende Registrierung" in content


def test_the_language_switch_overrides_the_browser(client, hr):
    client.force_login(hr)

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    content = client.get(reverse("trips:home"), headers={"Accept-Language": "de"}).content.decode()

    assert ">Dashboard<" in content


def _po_entries() -> list[dict[str, str]]:
    """The entries of django.po as {"msgid": ..., "msgid_plural": ..., "msgstr": ...}."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
            if match:
                key = match.group(1).replace("[0]", "")
                fields[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                fields[key] += ast.literal_eval(line)
        if fields.get("msgid"):
            entries.append(fields)
    return entries


def test_every_string_has_a_german_translation():
    untranslated = [entry["msgid"] for entry in _po_entries() if not entry.get("msgstr")]

    assert untranslated == []
    assert "#, fuzzy\nmsgid" not in (LOCALE / "django.po").read_text(encoding="utf-8")


def test_the_compiled_catalogue_matches_the_po_file():
    with (LOCALE / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)

    def compiled(entry: dict) -> str:
        if "msgid_plural" in entry:
            return catalogue.ngettext(entry["msgid"], entry["msgid_plural"], 1)
        return catalogue.gettext(entry["msgid"])

    stale = [entry["msgid"] for entry in _po_entries() if compiled(entry) != entry["msgstr"]]
    assert stale == [], "run manage.py compilemessages"


def test_the_dashboard_says_the_reason_in_the_readers_language_not_the_refreshers(
    client, hr, traveller
):
    today = timezone.localdate()
    factories.make_trip(traveller=traveller, entry=today - timedelta(days=27), days=None)
    with translation.override("en"):
        snapshots.refresh_snapshot(traveller, on=today)
    client.force_login(hr)

    content = client.get(reverse("trips:home"), headers={"Accept-Language": "de"}).content.decode()

    assert "eQonaq-Meldung für die Ankunft am" in content
    assert "eQonaq notification for the arrival" not in content


def test_an_overstay_consequence_is_worded_in_german():
    with translation.override("de"):
        text = wording.describe(
            "overstay_sanction",
            {
                "days": 5,
                "entry": "2026-01-01",
                "band": "4-5",
                "consequence": "Fine of 10 MCI (KoAP art. 517(3)(2)).",
            },
        )

    assert text == (
        "Überschreitung um 5 Tage nach dem Aufenthalt ab 1. Januar 2026: "
        "Geldbuße von 10 MRP (KoAP Art. 517 Abs. 3 Nr. 2)."
    )
