"""Live status in Chromium: the dashboard follows a change made in
another tab without a reload, revalidates an unchanged fragment instead of fetching it again,
and a traveller's planner answers as the dates are typed."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_adds_a_trip_in_another_tab_and_the_dashboard_row_changes_without_a_reload(
    log_in, live_server, hr, traveller, settings
):
    # The dashboard polls every 60 s in production; one second here, so the test need not wait.
    settings.STAYSITE_DASHBOARD_POLL_SECONDS = 1
    today = timezone.localdate()
    dashboard: Page = log_in(hr)
    dashboard.goto(live_server.url + reverse("trips:home"))
    dashboard.evaluate("window.notReloaded = true")
    row = dashboard.locator(f"#traveller-row-{traveller.pk}")
    expect(row).to_contain_text("Not assessed yet")

    # A second tab of the same browser session: HR records that Tom entered 27 days ago.
    other = dashboard.context.new_page()
    other.goto(live_server.url + reverse("trips:traveller_detail", args=[traveller.pk]))
    other.get_by_role("link", name="Add trip").click()
    form = other.locator("#trip-form-new")
    form.get_by_label("Country:", exact=True).select_option("KZ")
    form.get_by_label("Entry:", exact=True).fill((today - timedelta(days=27)).isoformat())
    form.get_by_role("button", name="Save").click()
    expect(other.locator("#trip-table")).to_contain_text("still there")

    expect(row).to_contain_text("day 28 of 30", timeout=10_000)
    # No eQonaq notification was recorded for the arrival: action needed.
    expect(row.locator(".status")).to_have_class(re.compile(r"status-action"))
    expect(row).to_contain_text("eQonaq")
    assert dashboard.evaluate("window.notReloaded") is True


def test_the_dashboard_revalidates_its_poll_and_keeps_showing_the_rows(
    log_in, live_server, hr, traveller, settings
):
    settings.STAYSITE_DASHBOARD_POLL_SECONDS = 1
    dashboard: Page = log_in(hr)
    polls = []
    dashboard.on(
        "request",
        lambda request: (
            polls.append(request.all_headers()) if request.headers.get("hx-request") else None
        ),
    )
    dashboard.goto(live_server.url + reverse("trips:home"))
    row = dashboard.locator(f"#traveller-row-{traveller.pk}")

    dashboard.wait_for_timeout(3_500)

    # The first poll fetches the fragment; the browser revalidates it at each later poll
    # (the server answers 304), and htmx swaps in the fragment the browser holds.
    assert len(polls) >= 2
    assert "if-none-match" not in polls[0]
    assert all(poll.get("if-none-match", "").startswith('"') for poll in polls[1:])
    expect(row).to_contain_text("Not assessed yet")


def test_a_traveller_lands_on_their_own_page_and_the_planner_answers_as_dates_are_typed(
    log_in, live_server, traveller_user, traveller, other_traveller
):
    page: Page = log_in(traveller_user)

    expect(page).to_have_url(
        live_server.url + reverse("trips:traveller_detail", args=[traveller.pk])
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Tom Weber")
    expect(page.get_by_role("link", name="Travellers")).to_have_count(0)
    page.evaluate("window.notReloaded = true")

    entry = timezone.localdate() + timedelta(days=14)
    planner = page.locator(".planner")
    planner.get_by_label("Country:", exact=True).select_option("KZ")
    planner.get_by_label("Planned entry:", exact=True).fill(entry.isoformat())
    planner.get_by_label("or length in days:", exact=True).fill("40")

    answer = page.locator("#plan-answer")
    expect(answer).to_contain_text("Not legal")
    expect(answer).to_contain_text("Temporary registration")

    planner.get_by_label("or length in days:", exact=True).fill("10")
    expect(answer.locator(".plan-verdict")).to_contain_text("Legal")
    expect(answer).not_to_contain_text("Not legal")
    assert page.evaluate("window.notReloaded") is True

    page.goto(live_server.url + reverse("trips:traveller_detail", args=[other_traveller.pk]))
    expect(page.locator("h1")).not_to_have_text("Aigerim Sadykova")
