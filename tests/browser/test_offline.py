"""The installable web app: after one visit, the traveller's page opens with the network cut,
showing the last status seen and when."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from trips.evaluation import snapshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


def test_the_traveller_page_shows_the_last_status_with_its_date_when_offline(
    browser, live_server, traveller_user, traveller
):
    today = timezone.localdate()
    factories.make_trip(traveller=traveller, entry=today - timedelta(days=26), days=None)
    snapshots.refresh_snapshot(traveller, on=today)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(live_server.url + reverse("login"))
        form = page.locator("form", has=page.locator("input[name=password]"))
        form.locator("input[name=username]").fill(traveller_user.username)
        form.locator("input[name=password]").fill(PASSWORD)
        form.locator("[type=submit]").click()
        url = live_server.url + traveller.get_absolute_url()
        page.goto(url)
        expect(page.locator("[data-offline-note]")).to_be_hidden()
        # The one visit: the service worker is installed and has kept the page.
        page.wait_for_function(
            """async () => {
                const cache = await caches.open("staysite-offline-v1");
                return (await cache.keys()).length > 0;
            }"""
        )

        context.set_offline(True)
        page.goto(url)

        note = page.locator("[data-offline-note]")
        expect(note).to_be_visible()
        expect(note).to_have_text(re.compile(r"last status seen, as of \d+ \w+ \d{4}"))
        expect(page.get_by_role("heading", name="Tom Weber")).to_be_visible()
        expect(page.get_by_text("Latest legal exit").first).to_be_visible()
    finally:
        context.close()


def test_the_manifest_and_the_service_worker_come_from_our_own_files(client):
    worker = client.get(reverse("trips:service_worker"))
    manifest = json.loads(Path(finders.find("manifest.webmanifest")).read_text())

    assert worker.status_code == 200
    assert worker["Service-Worker-Allowed"] == "/"
    assert b"staysite-offline-v1" in worker.content
    assert manifest["start_url"] == "/me/"
    assert all(finders.find(f"{icon['src']}") for icon in manifest["icons"])
