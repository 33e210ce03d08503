"""On a 390 px phone, in English, German and Russian: every page of each role fits the screen
(no element wider than the viewport), and the traveller page, the planner and the alerts are
screenshot into test-results/ for a person to look at."""

from datetime import timedelta
from pathlib import Path
from pprint import pformat

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests import factories
from trips.evaluation import alert_queue, snapshots
from trips.files import evidence as evidence_files
from trips.models import TripCorrection, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LANGUAGES = {"en": "en-GB", "de": "de-DE", "ru": "ru-RU"}
SHOTS = Path(__file__).resolve().parents[2] / "test-results"
PASSWORD = "a-long-test-password"

# htmx marks an element with this class while its request runs.
NO_HTMX_REQUEST = "() => !document.querySelector('.htmx-request')"
# Every element's box against the viewport; a visually hidden one (1 px, clipped) is fine.
WIDER_THAN_VIEWPORT = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width) {
    found.push(`the page scrolls sideways: ${document.documentElement.scrollWidth}px`);
  }
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.width > width + 0.5 || box.right > width + 0.5) {
      const classes = typeof el.className === 'string' ? el.className.trim() : '';
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (classes ? '.' + classes.split(/\\s+/).join('.') : '');
      found.push(`${name}: ${Math.round(box.left)}..${Math.round(box.right)}px`);
    }
  }
  return found.slice(0, 10);
}"""


def png() -> bytes:
    import io

    out = io.BytesIO()
    Image.new("RGB", (600, 400), "#c8d4e0").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def world(organisation, hr, compliance, traveller_user, traveller):
    """Tom on day 27 of 30, with a past trip, a plan, proof, a correction and alerts."""
    today = timezone.localdate()
    past = factories.make_trip(
        traveller=traveller,
        entry=today - timedelta(days=120),
        days=25,
        host="Kazakh Engineering Partners LLP",
        address="Dostyk Ave 240, Medeu District, Almaty 050020",
    )
    factories.make_address_change(trip=past, changed_on=past.entry + timedelta(days=3))
    factories.make_notification(trip=past)
    factories.make_visa(traveller=traveller)
    current = factories.make_trip(
        traveller=traveller,
        entry=today - timedelta(days=26),
        days=None,
        host="Almaty Metro Construction Consortium",
        address="Satpaev St 90/21, Bostandyk District, Almaty",
    )
    evidence_files.store(
        evidence_files.check(SimpleUploadedFile("stamp.jpg", png())),
        traveller=traveller,
        subject={"trip": current},
        kind="stamp",
        by=traveller_user,
    )
    TripCorrection.objects.create(
        trip=past,
        country="KZ",
        entry=past.entry,
        exit=past.exit - timedelta(days=1),
        note="The exit stamp says one day earlier.",
        proposed_by=traveller_user,
    )
    snapshots.refresh_snapshot(traveller, on=today)
    alert_queue.refresh_alerts(on=today)
    return {"traveller": traveller, "past": past, "current": current}


def pages_of(role: str, world) -> list[str]:
    t = world["traveller"]
    own = [
        reverse("trips:traveller_detail", args=[t.pk]),
        reverse("trips:traveller_plan", args=[t.pk]),
        reverse("trips:traveller_report", args=[t.pk]),
        reverse("trips:evidence_upload", args=[t.pk]),
        reverse("trips:feed_detail"),
        reverse("two_factor_setup"),
    ]
    if role == "traveller":
        return [*own, reverse("trips:correction_create", args=[t.pk, world["past"].pk])]
    hr_pages = [
        reverse("trips:home"),
        reverse("trips:traveller_list"),
        reverse("trips:traveller_create"),
        reverse("trips:traveller_update", args=[t.pk]),
        reverse("trips:trip_create", args=[t.pk]),
        reverse("trips:trip_update", args=[t.pk, world["past"].pk]),
        reverse("trips:trip_import"),
        *own,
    ]
    if role == "hr":
        return hr_pages
    from trips.models import Alert

    alert = Alert.objects.first()
    return [
        *hr_pages,
        reverse("trips:alert_list"),
        *([reverse("trips:alert_detail", args=[alert.pk])] if alert else []),
        reverse("trips:organisation_settings"),
        reverse("trips:calendar_year_update"),
        reverse("trips:traveller_erase", args=[t.pk]),
    ]


def phone(browser, live_server, user: User, language: str):
    # No service worker: its background fetches would outlive the test (tests/browser/conftest.py).
    context = browser.new_context(
        viewport=PHONE, locale=LANGUAGES[language], service_workers="block"
    )
    page = context.new_page()
    page.goto(live_server.url + reverse("login"))
    form = page.locator("form", has=page.locator("input[name=password]"))
    form.locator("input[name=username]").fill(user.username)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("[type=submit]").click()
    page.wait_for_load_state()
    return context, page


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("role", ["traveller", "hr", "compliance"])
def test_every_page_fits_a_390_px_phone(
    browser, live_server, world, role, language, traveller_user, hr, compliance
):
    user = {"traveller": traveller_user, "hr": hr, "compliance": compliance}[role]
    User.objects.filter(pk=user.pk).update(language=language)
    context, page = phone(browser, live_server, user, language)
    too_wide = {}
    try:
        for url in pages_of(role, world):
            response = page.goto(live_server.url + url)
            assert response.status == 200, url
            # `goto` waits for the load event; a fragment htmx is still fetching is waited
            # for too (not "networkidle": its half second of quiet per page adds up to a minute).
            page.wait_for_function(NO_HTMX_REQUEST)
            found = page.evaluate(WIDER_THAN_VIEWPORT)
            if found:
                too_wide[url] = found
            name = {
                reverse("trips:traveller_detail", args=[world["traveller"].pk]): "traveller",
                reverse("trips:traveller_plan", args=[world["traveller"].pk]): "planner",
                reverse("trips:alert_list"): "alerts",
            }.get(url)
            if name and (role == "traveller" or name == "alerts"):
                SHOTS.mkdir(exist_ok=True)
                page.screenshot(path=SHOTS / f"phone-{name}-{language}.png", full_page=True)
    finally:
        context.close()

    assert too_wide == {}, pformat(too_wide)


LEGEND_BOXES = """() => [...document.querySelectorAll('.timeline-legend')].map(
  legend => [...legend.querySelectorAll('li')].map(li => {
    const b = li.getBoundingClientRect();
    return [b.left, b.top, b.right, b.bottom];
  }))"""


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_no_two_items_of_the_timeline_legend_overlap(
    browser, live_server, world, language, traveller_user
):
    User.objects.filter(pk=traveller_user.pk).update(language=language)
    context, page = phone(browser, live_server, traveller_user, language)
    try:
        page.goto(live_server.url + world["traveller"].get_absolute_url())
        legends = page.evaluate(LEGEND_BOXES)
    finally:
        context.close()

    assert legends and all(len(items) >= 3 for items in legends)
    for items in legends:
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
                assert apart, (language, a, b)


# Each label's printed size: its font size in the picture's units, times the units' size on
# the page (CSS px), in points.
PRINTED_LABEL_POINTS = """() => [...document.querySelectorAll('.timeline .timeline-label')].map(
  label => {
    const svg = label.ownerSVGElement;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return parseFloat(getComputedStyle(label).fontSize) * scale * 0.75;
  })"""


def test_the_printed_timeline_labels_are_at_least_8_pt(browser, live_server, world, hr):
    context, page = phone(browser, live_server, hr, "ru")
    try:
        # An A4 page less its 12 mm margins, at 96 px to the inch.
        page.set_viewport_size({"width": 703, "height": 1000})
        page.emulate_media(media="print")
        page.goto(live_server.url + reverse("trips:traveller_report", args=[world["traveller"].pk]))
        points = page.evaluate(PRINTED_LABEL_POINTS)
    finally:
        context.close()

    assert points and min(points) >= 8, points
