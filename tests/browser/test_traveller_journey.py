"""The traveller's own staysite, end to end: Tom, on day 27 of a 30-day visa-free stay, plans
a trip for next month, sets his planned exit, attaches a photo of his entry stamp and proposes
a correction that HR accepts. The status and the alerts follow each step."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from tests import factories
from trips.choices import AlertKind
from trips.evaluation import alert_queue, snapshots
from trips.models import Alert, Evidence, StatusSnapshot, Trip, TripCorrection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def active_kinds(traveller) -> set[str]:
    return set(Alert.objects.active().filter(traveller=traveller).values_list("kind", flat=True))


def snapshot(traveller) -> StatusSnapshot:
    return StatusSnapshot.objects.get(traveller=traveller)


def stamp_photo(tmp_path) -> str:
    path = tmp_path / "entry-stamp.jpg"
    out = io.BytesIO()
    Image.new("RGB", (800, 600), "#d9e2ec").save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def test_a_traveller_on_day_27_plans_records_proves_and_hr_accepts_a_correction(
    page: Page, live_server, log_in, traveller_user, traveller, hr, tmp_path, browser
):
    today = timezone.localdate()
    past = factories.make_trip(traveller=traveller, entry=today - timedelta(days=120), days=25)
    current = factories.make_trip(traveller=traveller, entry=today - timedelta(days=26), days=None)
    snapshots.refresh_snapshot(traveller, on=today)
    alert_queue.refresh_alerts(on=today)
    assert snapshot(traveller).stay_day == 27
    assert snapshot(traveller).kz_days_used == 25 + 27
    latest = snapshot(traveller).latest_legal_exit
    assert latest == current.entry + timedelta(days=29)
    before = active_kinds(traveller)
    assert AlertKind.EXIT_SOON in before

    page.set_viewport_size({"width": 390, "height": 844})
    log_in(traveller_user)
    page.goto(live_server.url + traveller.get_absolute_url())
    planner = page.locator("section.planner")
    expect(planner.get_by_text("the latest legal exit")).to_be_visible()

    # 1. A trip next month: the plan is answered with the current stay ending on day 30.
    entry = today + timedelta(days=35)
    planner.get_by_label("Planned entry").fill(entry.isoformat())
    planner.get_by_label("or length in days").fill("10")
    answer = page.locator("#plan-answer")
    expect(answer.get_by_text("Save as planned trip")).to_be_visible()
    expect(answer.locator(".plan-verdict .status").first).to_have_text("Legal")
    expect(answer.locator("svg.timeline .timeline-planned")).to_have_count(1)
    answer.get_by_role("button", name="Save as planned trip").click()
    expect(page.get_by_text("planned by the traveller").first).to_be_visible()
    planned = Trip.objects.get(traveller=traveller, entry=entry)
    assert planned.traveller_planned
    # The plan counts in the figures at once (its days are ahead, today's count is the same).
    assert snapshot(traveller).kz_days_used == 52

    # 2. A planned exit: on day 32 the planner says it is too late, and recorded it opens an
    # alert; moved to day 29, the alert closes.
    def record_exit(day):
        page.goto(live_server.url + traveller.get_absolute_url())
        field = page.locator("section.planner").get_by_label("Leave the current stay on")
        field.fill(day.isoformat())
        record = page.get_by_role("button", name=re.compile("as my planned exit"))
        expect(record).to_contain_text(str(day.day))
        return record

    record = record_exit(today + timedelta(days=5))
    expect(page.locator("#plan-answer").get_by_text("is too late")).to_be_visible()
    record.click()
    expect(page.get_by_text("Planned exit saved")).to_be_visible()
    too_late = active_kinds(traveller) - before
    assert AlertKind.PLAN_BREAKS_ALLOWANCE in too_late

    record_exit(today + timedelta(days=2)).click()
    expect(page.get_by_text("Planned exit saved")).to_be_visible()
    current.refresh_from_db()
    assert current.exit == today + timedelta(days=2) and current.traveller_planned
    assert not (active_kinds(traveller) & too_late)

    # 3. A photo of the entry stamp, attached to the stay of today.
    page.get_by_role("link", name="Attach proof").click()
    page.get_by_label("Proof of").select_option(f"trip:{current.pk}")
    page.get_by_label("Kind of proof").select_option("stamp")
    page.get_by_label("Photo or PDF").set_input_files(stamp_photo(tmp_path))
    page.get_by_role("button", name="Attach", exact=True).click()
    expect(page.get_by_text("Proof attached.")).to_be_visible()
    expect(page.locator(".evidence-list img")).to_have_count(1)
    assert Evidence.objects.get().trip == current

    # 4. The past trip ended a day earlier than recorded: Tom proposes, HR accepts.
    page.goto(live_server.url + traveller.get_absolute_url())
    page.locator(f"#trip-{past.pk}").get_by_role("link", name="Propose a correction").click()
    page.get_by_label("Exit").fill((past.exit - timedelta(days=1)).isoformat())
    page.get_by_label("Why").fill("The exit stamp says a day earlier.")
    page.get_by_role("button", name="Send to HR").click()
    expect(page.get_by_text("Your correction was sent to HR.")).to_be_visible()
    assert snapshot(traveller).kz_days_used == 52  # nothing changes until HR accepts

    hr_context = browser.new_context(
        viewport={"width": 390, "height": 844}, service_workers="block"
    )
    hr_page = hr_context.new_page()
    try:
        hr_page.goto(live_server.url + reverse("login"))
        form = hr_page.locator("form", has=hr_page.locator("input[name=password]"))
        form.locator("input[name=username]").fill(hr.username)
        form.locator("input[name=password]").fill("a-long-test-password")
        form.locator("[type=submit]").click()
        hr_page.goto(live_server.url + traveller.get_absolute_url())
        hr_page.locator(".correction").get_by_role("button", name="Accept").click()
        expect(hr_page.get_by_text("Correction accepted")).to_be_visible()
    finally:
        hr_context.close()

    past.refresh_from_db()
    assert TripCorrection.objects.get().state == "accepted"
    assert past.history.first().history_user == hr
    assert snapshot(traveller).kz_days_used == 51  # one day fewer in the window
    page.reload()
    expect(page.locator(".correction-accepted")).to_be_visible()
