"""Webhooks: signed events pushed to an HR system's endpoint, in order, retried, never to a
private address. A real HTTP receiver listens on a loopback port (allowed by a setting that
production leaves off); the worker's task is called as the worker would call it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tests import factories, pages
from tests.trips.test_alert_views import make_alert
from tests.trips.test_api import send, trips_url
from trips.delivery import webhooks
from trips.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from trips.upkeep import daily


class Receiver:
    """An HTTP server on 127.0.0.1 that records each request and answers the next status."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict, bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/staysite"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def events(self) -> list[dict]:
        return [json.loads(body) for _headers, body in self.requests]


@pytest.fixture
def receiver():
    receiver = Receiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def endpoint(receiver, organisation, compliance, settings):
    settings.STAYSITE_WEBHOOK_ALLOW_LOOPBACK = True
    settings.STAYSITE_WEBHOOK_RETRY_SECONDS = 0  # each retry due at once
    return WebhookEndpoint.objects.create(
        organisation=organisation, url=receiver.url, created_by=compliance
    )


@pytest.fixture
def api(compliance):
    key = factories.make_api_token(created_by=compliance)[1]
    return Client(headers={"Authorization": f"Bearer {key}"})


def deliver() -> None:
    """What the worker does: send what is due."""
    webhooks.send_webhooks.call()


def expected_signature(secret: str, headers: dict, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def test_a_delivery_is_json_signed_with_the_endpoints_secret(api, endpoint, receiver, traveller):
    body = {"country": "KZ", "entry": "2026-03-02", "exit": "2026-03-05"}
    trip = send(api, "post", trips_url(traveller), body).json()

    deliver()

    ((headers, sent),) = receiver.requests
    assert headers["content-type"] == "application/json"
    assert headers["webhook-signature"] == expected_signature(endpoint.secret, headers, sent)
    event = json.loads(sent)
    assert event["type"] == "trip.created"
    assert event["data"] | {"id": trip["id"]} == event["data"]
    assert event["data"]["entry"] == "2026-03-02"
    assert headers["webhook-id"] == f"evt_{WebhookEvent.objects.get().pk}"


def test_a_travellers_events_arrive_in_order_each_with_its_own_id(
    api, endpoint, receiver, traveller
):
    trip = send(api, "post", trips_url(traveller), {"country": "KZ", "entry": "2026-03-02"})
    url = f"{trips_url(traveller)}/{trip.json()['id']}"
    send(api, "patch", url, {"exit": "2026-03-09"})
    send(api, "delete", url)

    deliver()

    kinds = [event["type"] for event in receiver.events()]
    assert [kind for kind in kinds if kind.startswith("trip.")] == [
        "trip.created",
        "trip.changed",
        "trip.deleted",
    ]
    ids = [int(headers["webhook-id"].removeprefix("evt_")) for headers, _ in receiver.requests]
    assert ids == sorted(set(ids))


def test_a_delivery_is_retried_after_two_500s_with_the_same_id(api, endpoint, receiver, traveller):
    receiver.statuses = [500, 500]
    send(api, "post", trips_url(traveller), {"country": "KZ", "entry": "2026-03-02"})

    for _run in range(3):
        deliver()

    delivery = WebhookDelivery.objects.get()
    assert [attempt.status_code for attempt in delivery.log.order_by("pk")] == [500, 500, 204]
    assert delivery.state == WebhookDelivery.State.DELIVERED
    assert len({headers["webhook-id"] for headers, _body in receiver.requests}) == 1


def test_a_later_event_waits_for_an_earlier_one_of_the_same_traveller(
    api, endpoint, receiver, traveller, settings
):
    settings.STAYSITE_WEBHOOK_RETRY_SECONDS = 3600
    receiver.statuses = [500]
    trip = send(api, "post", trips_url(traveller), {"country": "KZ", "entry": "2026-03-02"})
    send(api, "patch", f"{trips_url(traveller)}/{trip.json()['id']}", {"host": "Astana LLP"})

    deliver()

    assert [event["type"] for event in receiver.events()] == ["trip.created"]
    assert WebhookDelivery.objects.filter(state="pending").count() == 2


@override_settings(STAYSITE_WEBHOOK_DISABLE_AFTER=3)
def test_an_endpoint_that_keeps_failing_is_disabled(api, endpoint, receiver, traveller):
    receiver.statuses = [500] * 10
    send(api, "post", trips_url(traveller), {"country": "KZ", "entry": "2026-03-02"})

    for _run in range(5):
        deliver()

    endpoint.refresh_from_db()
    assert endpoint.disabled_at is not None
    assert len(receiver.requests) == 3
    send(api, "post", trips_url(traveller), {"country": "DE", "entry": "2025-01-02"})
    assert WebhookDelivery.objects.count() == 1  # a disabled endpoint is told nothing new


def test_a_delivery_gives_up_when_its_next_try_would_be_a_day_late(
    endpoint, receiver, traveller, settings
):
    settings.STAYSITE_WEBHOOK_RETRY_SECONDS = 2 * 3600
    receiver.statuses = [500, 500]
    webhooks.record(traveller.organisation_id, "trip.created", traveller.pk, {"id": 1})
    deliver()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.PENDING  # again in 2 hours
    WebhookEvent.objects.update(created_at=timezone.now() - timedelta(hours=23))
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())

    deliver()

    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.state) == (2, WebhookDelivery.State.FAILED)


def test_a_status_change_from_the_daily_run_is_delivered_once(endpoint, receiver, traveller):
    # Visa-free in Kazakhstan since 1 March: fine on day 10, overstaying on day 40.
    factories.make_trip(traveller=traveller, entry=date(2026, 3, 1), days=None)
    daily.run_daily(on=date(2026, 3, 10))
    daily.run_daily(on=date(2026, 4, 9))
    daily.run_daily(on=date(2026, 4, 9))

    deliver()
    deliver()

    changes = [e for e in receiver.events() if e["type"] == "traveller.status_changed"]
    assert len(changes) == 1
    assert "alert.opened" in [e["type"] for e in receiver.events()]
    assert changes[0]["data"]["traveller"] == traveller.pk
    assert changes[0]["data"]["to"] == "overstay"


def test_a_resend_delivers_the_same_event_again(api, endpoint, receiver, traveller):
    send(api, "post", trips_url(traveller), {"country": "KZ", "entry": "2026-03-02"})
    deliver()

    webhooks.resend(WebhookDelivery.objects.get())
    deliver()

    first, second = (headers["webhook-id"] for headers, _body in receiver.requests)
    assert first == second


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("https://127.0.0.1/hooks", id="loopback"),
        pytest.param("https://[::1]/hooks", id="loopback-v6"),
        pytest.param("https://10.0.0.7/hooks", id="private"),
        pytest.param("https://169.254.169.254/latest/meta-data", id="cloud-metadata"),
        pytest.param("https://localhost/hooks", id="a-name-for-loopback"),
        pytest.param("http://203.0.113.9/hooks", id="not-https"),
    ],
)
def test_private_loopback_and_plain_http_endpoints_are_never_called(
    organisation, traveller, url, settings
):
    settings.STAYSITE_WEBHOOK_ALLOW_LOOPBACK = False
    WebhookEndpoint.objects.create(organisation=organisation, url=url)
    webhooks.record(organisation.pk, "trip.created", traveller.pk, {"id": 1})

    deliver()

    (delivery,) = WebhookDelivery.objects.all()
    (attempt,) = delivery.log.all()
    assert attempt.status_code is None
    assert "public address" in attempt.error or "only https" in attempt.error


def test_resolving_an_alert_is_pushed(api, endpoint, receiver, traveller):
    alert = make_alert(traveller)

    send(api, "post", f"/api/v1/alerts/{alert.pk}/resolve", {"note": "Filed."})
    deliver()

    (event,) = receiver.events()
    assert (event["type"], event["data"]["id"], event["data"]["state"]) == (
        "alert.resolved",
        alert.pk,
        "resolved",
    )


# --- The compliance page -------------------------------------------------------------------


def test_compliance_registers_an_https_endpoint_with_its_own_secret(client, compliance):
    client.force_login(compliance)
    url = reverse("trips:webhook_list")

    refused = client.post(url, {"url": "http://hr.example.com/hooks"})
    client.post(url, {"url": "https://hr.example.com/hooks"})
    client.post(url, {"url": "https://erp.example.com/hooks"})

    assert "Give an HTTPS address" in refused.content.decode()
    first, second = WebhookEndpoint.objects.order_by("pk")
    assert first.url == "https://hr.example.com/hooks"
    assert first.secret.startswith("whsec_") and first.secret != second.secret


def test_the_delivery_log_shows_status_codes_and_resends(
    client, compliance, api, endpoint, receiver, traveller
):
    receiver.statuses = [500]
    send(api, "post", trips_url(traveller), {"country": "KZ", "entry": "2026-03-02"})
    deliver()
    deliver()
    client.force_login(compliance)
    delivery = WebhookDelivery.objects.get()

    page = client.get(reverse("trips:webhook_list")).content.decode()
    client.post(reverse("trips:webhook_resend", args=[delivery.pk]))
    deliver()

    assert ": 500" in page and ": 204" in page
    assert len(receiver.requests) == 3
    assert len({headers["webhook-id"] for headers, _body in receiver.requests}) == 1


@override_settings(STAYSITE_WEBHOOK_DISABLE_AFTER=1)
def test_the_list_offers_enable_delete_and_resend_as_posted_forms(
    client, compliance, api, endpoint, receiver, traveller
):
    receiver.statuses = [500]
    send(api, "post", trips_url(traveller), {"country": "KZ", "entry": "2026-03-02"})
    deliver()
    client.force_login(compliance)
    delivery = WebhookDelivery.objects.get()

    page = client.get(reverse("trips:webhook_list")).content.decode()

    for url, label in [
        (reverse("trips:webhook_enable", args=[endpoint.pk]), "Enable again"),
        (reverse("trips:webhook_delete", args=[endpoint.pk]), "Delete"),
        (reverse("trips:webhook_resend", args=[delivery.pk]) + "#deliveries", "Resend"),
    ]:
        form = pages.posted_form(page, url)
        assert 'name="csrfmiddlewaretoken"' in form
        assert f">{label}</button>" in form
