"""English, German and Russian: the reader's language on every page and email, complete.

Every string of the source is translated in every catalogue (a fresh `makemessages` over the
source names what is missing), dates and numbers follow the reader's language, and the
language switch offers each language in its own name.
"""

import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

import rules
from tests import factories
from trips import wording
from trips.choices import AlertKind, Status
from trips.delivery import notify
from trips.evaluation import alert_queue, details, findings, snapshots
from trips.models import Alert, StatusSnapshot
from trips.words import presenters

BASE_DIR = Path(settings.BASE_DIR)
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# What makemessages must not read: the virtual environment and var/ hold other projects' files.
NOT_SOURCE = [".venv", "var", "*.egg-info", "node_modules", "test-results"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
# The genitive month names a Russian date uses ("2 декабря 2026"), written out here so that
# the tests do not take them from the machinery they check.
RUSSIAN_MONTHS = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]


def russian_day(value: date) -> str:
    return f"{value.day} {RUSSIAN_MONTHS[value.month - 1]} {value.year}"


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.fixture(autouse=True)
def english_afterwards():
    """A German or Russian request leaves its language active in this thread."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


# --- German ---------------------------------------------------------------------------------


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


# --- Russian --------------------------------------------------------------------------------


def test_a_russian_browser_gets_the_login_page_in_russian(client):
    response = client.get(reverse("login"), headers={"Accept-Language": "ru-RU,ru;q=0.9"})

    content = response.content.decode()
    assert '<html lang="ru">' in content
    assert "Имя пользователя" in content
    assert "Пароль" in content


def test_the_language_switch_offers_each_language_in_its_own_name(client, hr):
    client.force_login(hr)

    content = client.get(reverse("trips:home")).content.decode()

    assert '<option value="en" selected>English</option>' in content
    assert '<option value="de">Deutsch</option>' in content
    assert '<option value="ru">Русский</option>' in content


def test_choosing_russian_in_the_switch_shows_pages_in_russian(client, hr):
    client.force_login(hr)

    client.post(reverse("set_language"), {"language": "ru", "next": "/"})
    content = client.get(reverse("trips:home"), headers={"Accept-Language": "de"}).content.decode()

    assert '<html lang="ru">' in content
    assert ">Обзор<" in content
    assert '<option value="ru" selected>Русский</option>' in content


def test_the_russian_traveller_page_explains_the_stay_in_russian_with_russian_dates(
    client, hr, traveller
):
    today = timezone.localdate()
    entry = today - timedelta(days=40)
    factories.make_trip(traveller=traveller, entry=entry, days=10)
    client.force_login(hr)

    content = client.get(
        traveller.get_absolute_url(), headers={"Accept-Language": "ru"}
    ).content.decode()

    assert "Казахстан: 90 дней из 180" in content
    assert "Осталось 80 дней из 90" in content
    last = entry + timedelta(days=9)
    assert f"поездка {russian_day(entry)} – {russian_day(last)}, 10 дней" in content


def test_a_russian_page_writes_numbers_the_russian_way(client, hr, traveller, settings):
    settings.STAYSITE_IMPORT_MAX_BYTES = 1024
    client.force_login(hr)

    response = client.post(
        reverse("trips:trip_import"),
        {"file": SimpleUploadedFile("trips.csv", b"x" * 1536, content_type="text/csv")},
        headers={"Accept-Language": "ru"},
    )

    # A decimal comma and a no-break space before the unit.
    assert (
        "Размер файла — 1,5\xa0КБ; импортировать можно файлы размером до 1,0\xa0КБ."
        in response.content.decode()
    )


def test_an_alert_email_to_a_russian_reader_is_russian(hr, traveller):
    hr.email = "hanna@example.com"
    hr.language = "ru"
    hr.save()
    traveller.email = ""
    traveller.save()
    trip = factories.make_trip(traveller=traveller, entry=date(2026, 3, 2), days=None)
    factories.make_notification(trip=trip)
    alert_queue.refresh_alerts(on=date(2026, 4, 3))

    notify.send_alert_emails()

    (email,) = [m for m in mail.outbox if "ст. 517" in m.body]
    assert "Превышение срока пребывания на 3 дня (пребывание с 2 марта 2026)" in email.body
    assert "Предупреждение (подп. 1 ч. 3 ст. 517 КоАП РК)." in email.body
    assert "Страница сотрудника" in email.body
    assert (
        "Правовое основание: Кодекс РК об административных правонарушениях от 5 июля 2014 г. "
        "№ 235-V, ч. 3–4 ст. 517" in email.body
    )
    assert "Overstay" not in email.subject + email.body


def test_an_overstay_consequence_is_worded_in_russian():
    with translation.override("ru"):
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
        "Превышение срока пребывания на 5 дней (пребывание с 1 января 2026): "
        "Штраф 10 МРП (подп. 2 ч. 3 ст. 517 КоАП РК)."
    )


def test_the_russian_dashboard_shows_russian_words_and_russian_dates(client, hr, traveller):
    StatusSnapshot.objects.create(
        traveller=traveller,
        evaluated_on=timezone.localdate(),
        status=Status.ACTION,
        urgency=2,
        latest_legal_exit=date(2026, 12, 2),
    )
    client.force_login(hr)

    content = client.get(reverse("trips:home"), headers={"Accept-Language": "ru"}).content.decode()

    assert "Требуются действия" in content
    assert "Крайний срок законного выезда" in content
    assert "2 декабря 2026<" in content
    assert "1 активный сотрудник" in re.sub(r"<[^>]+>", "", content)


def test_an_overstay_fine_is_in_russian_with_russian_numbers(traveller):
    # 35 days in the country on 4 Feb: 5 days after day 30, a fine of 10 MCI.
    factories.make_trip(traveller=traveller, entry=date(2026, 1, 1), days=None)
    on = date(2026, 2, 4)

    with translation.override("ru"):
        cards = presenters.status_cards(
            details.status_details(findings.evaluate(traveller, on=on)), on
        )
    (kz,) = [card for card in cards["regimes"] if card.key == "kz"]

    assert kz.overstay == [
        "Превышение срока пребывания на 5 дней (пребывание с 1 января 2026).",
        "Уровень: санкция (4-5 дн.). Штраф 10 МРП (подп. 2 ч. 3 ст. 517 КоАП РК).",
        "Штраф: 43\xa0250 тенге (10 МРП по 4\xa0325 тенге).",
        "Источник: Кодекс РК об административных правонарушениях от 5 июля 2014 г. № 235-V, "
        "ч. 3–4 ст. 517",
    ]


def test_a_visa_is_named_in_the_readers_language_not_the_refreshers(traveller):
    visa = factories.make_visa(
        traveller=traveller, number="N1234567", valid_until=date(2026, 6, 29), days_allowed=None
    )
    factories.make_trip(traveller=traveller, entry=date(2026, 6, 1), days=None, visa=visa)
    with translation.override("en"):
        alert_queue.refresh_alerts(on=date(2026, 6, 5))
    alert = Alert.objects.get(kind=AlertKind.VISA_EXPIRING)

    with translation.override("ru"):
        message = wording.describe(alert.kind, alert.params)

    assert message == (
        "Срок действия документа «Деловая виза B2, многократная N1234567» истекает "
        "29 июня 2026, через 24 дня, а от него зависит пребывание."
    )


def test_a_visa_finding_stored_with_the_visa_name_still_reads():
    with translation.override("ru"):
        text = wording.describe(
            "visa_outside_validity", {"visa": "C3 work visa N1", "date": "2026-06-30"}
        )

    assert text == (
        "Пребывание по документу «C3 work visa N1» выходит за срок его действия начиная с "
        "30 июня 2026."
    )


@pytest.mark.parametrize(
    ("key", "sentence"),
    [
        pytest.param("kz", "В Казахстане осталось всего 5 дней лимита 90/180.", id="kazakhstan"),
        pytest.param(
            "schengen", "В Шенгенской зоне осталось всего 5 дней лимита 90/180.", id="schengen"
        ),
    ],
)
def test_an_area_is_declined_where_a_russian_sentence_names_it(key, sentence):
    with translation.override("ru"):
        text = wording.describe("allowance_low", {"area": key, "left": 5, "used": 85})

    assert text == sentence


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("rule", rules.RULES, ids=lambda rule: rule.key)
def test_every_rule_is_titled_and_cited_in_the_readers_language(rule, language):
    """The engine speaks English; wording lists its texts so that the catalogues have them."""
    assert rule.title in wording.ENGINE_TEXTS
    assert rule.legal_basis in wording.ENGINE_TEXTS
    with translation.override(language):
        assert wording.rule_title(rule) != rule.title
        assert wording.citation(rule) != rule.legal_basis


@pytest.mark.parametrize(
    ("days", "words"),
    [
        pytest.param(1, "1 день", id="one"),
        pytest.param(3, "3 дня", id="few"),
        pytest.param(5, "5 дней", id="many"),
        pytest.param(11, "11 дней", id="eleven-is-many"),
        pytest.param(21, "21 день", id="twenty-one-is-one"),
        pytest.param(24, "24 дня", id="twenty-four-is-few"),
    ],
)
def test_russian_counts_take_the_right_one_of_three_forms(days, words):
    with translation.override("ru"):
        assert ngettext("%(n)d day", "%(n)d days", days) % {"n": days} == words


# --- The catalogues -------------------------------------------------------------------------


# Under pytest-xdist the module runs on one worker, so makemessages runs once.
pytestmark = pytest.mark.xdist_group("i18n")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[str, polib.POFile]:
    """The catalogues as `makemessages` leaves them for the source as it is now.

    It runs on a copy, so that a string added without running makemessages counts as missing
    and the working tree is left as it was.
    """
    copy = tmp_path_factory.mktemp("source") / "staysite"
    shutil.copytree(BASE_DIR, copy, ignore=shutil.ignore_patterns(".git", *NOT_SOURCE))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(copy)
        patch.setattr(settings, "LOCALE_PATHS", [copy / "locale"])
        call_command("makemessages", locale=TRANSLATED, ignore_patterns=NOT_SOURCE, verbosity=0)
    return {
        language: polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / "django.po"))
        for language in TRANSLATED
    }


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_of_the_source_is_translated(extracted, language):
    po = extracted[language]
    missing = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]

    assert not missing, (
        f"Untranslated in locale/{language} (make catalogues, then translate):\n"
        + ("\n".join(missing))
    )
    assert not fuzzy, f"Fuzzy (a guess to check) in locale/{language}:\n" + "\n".join(fuzzy)


def test_russian_plurals_have_all_three_forms():
    po = catalogue("ru")
    incomplete = [
        entry.msgid
        for entry in po
        if entry.msgid_plural
        and sorted(k for k, v in entry.msgstr_plural.items() if v) != [0, 1, 2]
    ]

    assert po.metadata["Plural-Forms"].startswith("nplurals=3;")
    assert incomplete == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_every_placeholder(language):
    def placeholders(text: str) -> set[str]:
        return set(PLACEHOLDER.findall(text))

    changed = [
        entry.msgid
        for entry in catalogue(language).translated_entries()
        for text in ([entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values())
        if placeholders(text) != placeholders(entry.msgid_plural or entry.msgid)
        and placeholders(text) != placeholders(entry.msgid)
    ]

    assert changed == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_matches_the_po_file(language):
    po = catalogue(language)
    mo = polib.mofile(str(BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.mo"))
    compiled = {(entry.msgctxt, entry.msgid): entry for entry in mo}

    def same(entry: polib.POEntry) -> bool:
        found = compiled.get((entry.msgctxt, entry.msgid))
        if found is None:
            return False
        if entry.msgid_plural:
            return found.msgstr_plural == entry.msgstr_plural
        return found.msgstr == entry.msgstr

    stale = [entry.msgid for entry in po.translated_entries() if not same(entry)]
    assert stale == [], "run make messages"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        pytest.param("de", "Späteste legale Ausreise", id="german"),
        pytest.param("ru", "Крайний срок законного выезда", id="russian"),
    ],
)
def test_the_travellers_list_words_the_next_deadline_in_the_readers_language(
    client, hr, traveller, language, words
):
    today = timezone.localdate()
    exit_day = today + timedelta(days=4)
    StatusSnapshot.objects.create(
        traveller=traveller,
        evaluated_on=today,
        status=Status.ATTENTION,
        urgency=1,
        next_deadline=exit_day,
        next_deadline_kind=AlertKind.EXIT_SOON,
        next_deadline_params={"exit": str(exit_day), "days_to_exit": 4},
    )
    client.force_login(hr)
    url = reverse("trips:traveller_list")

    content = client.get(url, headers={"Accept-Language": language}).content.decode()

    with translation.override(language):
        expected = wording.describe(AlertKind.EXIT_SOON, {"exit": str(exit_day), "days_to_exit": 4})
    assert expected in content
    assert words in expected
    assert "Latest legal exit" not in content
