"""The compliance review queue: list, filters, acknowledge, assign, resolve."""

from datetime import date

import pytest
from django.urls import reverse

from tests import factories
from trips import wording
from trips.choices import AlertKind, Status
from trips.models import Alert, AlertEvent


def make_alert(traveller, **fields) -> Alert:
    fields.setdefault("kind", AlertKind.EQONAQ_OVERDUE)
    fields.setdefault("subject", f"eqonaq:trip:{Alert.objects.count() + 1}")
    fields.setdefault("severity", Status.ACTION)
    fields.setdefault("due_on", date(2026, 3, 4))
    fields.setdefault(
        "params",
        {"subject": "trip", "event_day": "2026-03-02", "deadline": "2026-03-04"},
    )
    fields.setdefault("rule_key", "eqonaq_notification")
    fields.setdefault("opened_on", date(2026, 3, 5))
    return Alert.objects.create(traveller=traveller, **fields)


@pytest.fixture
def alert(traveller):
    return make_alert(traveller)


HTMX = {"HX-Request": "true"}


def test_compliance_sees_open_alerts_most_urgent_first(client, compliance, traveller):
    later = make_alert(traveller, due_on=date(2026, 3, 20))
    sooner = make_alert(traveller, due_on=date(2026, 3, 10))
    overstay = make_alert(
        traveller,
        kind=AlertKind.MONTAGE_EXCEEDED,
        subject="montage:2026",
        severity=Status.OVERSTAY,
        due_on=None,
        params={"days": 121, "cap": 120},
    )
    make_alert(traveller, state=Alert.State.RESOLVED, resolution_note="Filed late.")
    client.force_login(compliance)

    response = client.get(reverse("trips:alert_list"))

    assert response.status_code == 200
    assert [a.pk for a in response.context["page"]] == [overstay.pk, sooner.pk, later.pk]
    assert "is overdue since 4 Mar 2026" in response.text
    assert "121 Montage days this year" in response.text


def test_resolved_alerts_remain_searchable(client, compliance, traveller, other_traveller):
    resolved = make_alert(traveller, state=Alert.State.RESOLVED, resolution_note="Filed late.")
    make_alert(other_traveller, state=Alert.State.RESOLVED)
    make_alert(traveller)
    client.force_login(compliance)

    response = client.get(reverse("trips:alert_list"), {"state": "resolved", "q": "weber"})

    assert [a.pk for a in response.context["page"]] == [resolved.pk]
    assert "Filed late." in response.text


def test_the_queue_filters_by_kind(client, compliance, traveller):
    make_alert(traveller)
    tax = make_alert(
        traveller, kind=AlertKind.TAX_CROSSED, subject="tax:183", params={"date": "2026-07-07"}
    )
    client.force_login(compliance)

    response = client.get(reverse("trips:alert_list"), {"kind": AlertKind.TAX_CROSSED})

    assert [a.pk for a in response.context["page"]] == [tax.pk]


def test_acknowledging_inline_returns_the_row_and_records_who(client, compliance, alert):
    client.force_login(compliance)

    response = client.post(reverse("trips:alert_acknowledge", args=[alert.pk]), headers=HTMX)

    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'id="alert-{alert.pk}"' in response.text
    assert "alerts-changed" in response.headers["HX-Trigger"]
    alert.refresh_from_db()
    assert alert.state == Alert.State.ACKNOWLEDGED
    event = alert.events.get()
    assert (event.action, event.actor) == (AlertEvent.Action.ACKNOWLEDGED, compliance)


def test_acknowledging_without_javascript_redirects_back(client, compliance, alert):
    client.force_login(compliance)

    response = client.post(
        reverse("trips:alert_acknowledge", args=[alert.pk]), {"next": "/alerts/?state=all"}
    )

    assert response.status_code == 302
    assert response.url == "/alerts/?state=all"


def test_assigning_to_a_colleague_records_the_assignment(client, compliance, hr, alert):
    client.force_login(compliance)

    client.post(reverse("trips:alert_assign", args=[alert.pk]), {"assignee": hr.pk}, headers=HTMX)

    alert.refresh_from_db()
    assert alert.assigned_to == hr
    event = alert.events.get()
    assert (event.action, event.actor, event.note) == (
        AlertEvent.Action.ASSIGNED,
        compliance,
        str(hr),
    )


def test_an_alert_cannot_be_assigned_to_a_traveller_or_an_outsider(
    client, compliance, traveller_user, foreign_hr, alert
):
    client.force_login(compliance)

    for person in (traveller_user, foreign_hr):
        response = client.post(
            reverse("trips:alert_assign", args=[alert.pk]), {"assignee": person.pk}, headers=HTMX
        )
        assert response.status_code == 200
        assert "Select a valid choice" in response.text

    alert.refresh_from_db()
    assert alert.assigned_to is None
    assert not alert.events.exists()


def test_resolving_with_a_note_keeps_the_note_and_who(client, compliance, alert):
    client.force_login(compliance)

    response = client.post(
        reverse("trips:alert_resolve", args=[alert.pk]),
        {"note": "Host filed it on 5 March."},
        headers=HTMX,
    )

    assert "Host filed it on 5 March." in response.text
    alert.refresh_from_db()
    assert (alert.state, alert.resolved_by, alert.resolution_note) == (
        Alert.State.RESOLVED,
        compliance,
        "Host filed it on 5 March.",
    )
    assert alert.events.get().action == AlertEvent.Action.RESOLVED


def test_resolving_without_a_note_says_so_and_changes_nothing(client, compliance, alert):
    client.force_login(compliance)

    inline = client.post(
        reverse("trips:alert_resolve", args=[alert.pk]), {"note": ""}, headers=HTMX
    )
    plain = client.post(reverse("trips:alert_resolve", args=[alert.pk]), {"note": " "})

    for response in (inline, plain):
        assert response.status_code == 200
        assert "Say how it was resolved: a note is required." in response.text
    assert "<html" in plain.text
    alert.refresh_from_db()
    assert alert.state == Alert.State.OPEN


def test_the_detail_page_explains_the_alert_with_its_source_and_history(client, compliance, alert):
    alert.acknowledge(by=compliance)
    client.force_login(compliance)

    response = client.get(reverse("trips:alert_detail", args=[alert.pk]))

    assert "is overdue since 4 Mar 2026" in response.text
    source = wording.legal_source(alert.rule_key)
    assert source and source in response.text
    assert alert.traveller.get_absolute_url() in response.text
    assert "Acknowledged" in response.text
    assert str(compliance) in response.text


def test_the_badge_counts_open_alerts_needing_action(client, compliance, traveller):
    make_alert(traveller)
    make_alert(traveller, severity=Status.OVERSTAY)
    make_alert(traveller, severity=Status.ATTENTION)
    make_alert(traveller, state=Alert.State.ACKNOWLEDGED)
    client.force_login(compliance)

    badge = client.get(reverse("trips:alert_badge"), headers=HTMX)
    page = client.get(reverse("trips:alert_list"))

    assert '<span class="badge"' in badge.text and ">2</span>" in badge.text
    assert "<html" not in badge.text
    assert 'hx-trigger="every 60s, alerts-changed from:body"' in page.text


# --- Personas ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["hr", "traveller_user"])
def test_hr_and_travellers_may_not_work_the_queue(client, persona, alert, request):
    client.force_login(request.getfixturevalue(persona))

    urls = [
        ("get", reverse("trips:alert_list")),
        ("get", reverse("trips:alert_badge")),
        ("get", reverse("trips:alert_detail", args=[alert.pk])),
        ("post", reverse("trips:alert_acknowledge", args=[alert.pk])),
        ("post", reverse("trips:alert_resolve", args=[alert.pk])),
    ]
    for method, url in urls:
        assert getattr(client, method)(url, {"note": "x"}).status_code == 403

    alert.refresh_from_db()
    assert alert.state == Alert.State.OPEN


def test_another_organisations_alert_is_not_found(client, other_organisation, foreign_traveller):
    from trips.models import User

    outsider = factories.make_user(organisation=other_organisation, role=User.Role.COMPLIANCE)
    client.force_login(outsider)
    # An alert of Steppe Engineering, seen from Other Company AG.
    organisation = factories.make_organisation(name="Steppe")
    alert = make_alert(factories.make_traveller(organisation=organisation))

    assert client.get(reverse("trips:alert_detail", args=[alert.pk])).status_code == 404
    response = client.post(reverse("trips:alert_resolve", args=[alert.pk]), {"note": "x"})
    assert response.status_code == 404
    assert alert.pk not in [a.pk for a in client.get("/alerts/?state=all").context["page"]]
    alert.refresh_from_db()
    assert alert.state == Alert.State.OPEN
