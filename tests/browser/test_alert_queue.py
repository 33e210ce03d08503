"""A compliance admin resolves an alert inline, in Chromium."""

from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from trips.choices import AlertKind, Status
from trips.models import Alert, AlertEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_compliance_resolves_an_alert_inline_and_the_badge_follows(
    log_in, live_server, compliance, traveller
):
    alert = Alert.objects.create(
        traveller=traveller,
        kind=AlertKind.EQONAQ_OVERDUE,
        subject="eqonaq:trip:1",
        severity=Status.ACTION,
        due_on=date(2026, 3, 4),
        params={"subject": "trip", "event_day": "2026-03-02", "deadline": "2026-03-04"},
        rule_key="eqonaq_notification",
        opened_on=date(2026, 3, 5),
    )
    page = log_in(compliance)
    page.goto(live_server.url + reverse("trips:alert_list"))
    badge = page.locator("#alert-badge .badge")
    expect(badge).to_have_text("1")
    row = page.locator(f"#alert-{alert.pk}")
    expect(row).to_contain_text("is overdue since 4 Mar 2026")

    page.evaluate("window.notReloaded = true")

    row.get_by_placeholder("What was done").fill("Host filed it on 5 March.")
    row.get_by_role("button", name="Resolve").click()

    # The row was swapped in place (same URL, no reload) and the badge refreshed itself.
    expect(row.locator(".alert-state")).to_have_text("Resolved")
    expect(row).to_contain_text("Host filed it on 5 March.")
    expect(badge).to_have_count(0)
    assert page.evaluate("window.notReloaded") is True
    alert.refresh_from_db()
    assert (alert.state, alert.resolved_by) == (Alert.State.RESOLVED, compliance)
    assert alert.events.get().action == AlertEvent.Action.RESOLVED
