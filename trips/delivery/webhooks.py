"""Webhooks: each event recorded with the change it reports, then signed and sent by the worker.

In the manner of Standard Webhooks (standardwebhooks.com): the body is JSON, `webhook-id` is
the event's id (the same on every retry and resend, for deduplication), and
`webhook-signature` is "v1," and the base64 HMAC-SHA256, keyed with the endpoint's secret,
of "<webhook-id>.<webhook-timestamp>.<body>". A failed delivery is tried again after
STAYSITE_WEBHOOK_RETRY_SECONDS, doubling each time, for a day; an endpoint failing
STAYSITE_WEBHOOK_DISABLE_AFTER attempts in a row is disabled. One traveller's events reach an
endpoint in the order they happened: a later one waits while an earlier one is pending.

Every address the endpoint's host resolves to is checked at send time, and the connection
goes to the address checked: never a private, loopback, link-local or reserved one (no
request forgery into the servers' own network), except loopback when the setting allows it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from trips.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookEventKind,
)

RETRY_FOR = timedelta(hours=24)
LONGEST_WAIT = timedelta(hours=6)
TIMEOUT_SECONDS = 10
Kind = WebhookEventKind


class Refused(Exception):
    """The endpoint may not be called: its scheme or one of its addresses."""


# --- Recording -----------------------------------------------------------------------------


def record(organisation_id: int, kind: str, traveller_id: int, data: dict) -> None:
    """An event of the organisation, with a delivery to each of its enabled endpoints; call
    it in the transaction of the change, so that both are saved or neither."""
    record_many([(organisation_id, kind, traveller_id, data)])


def record_many(events: list[tuple[int, str, int, dict]]) -> None:
    """Events (organisation, kind, traveller, data) in order, in a few queries however many
    (the daily run records a batch's status changes and alerts together)."""
    if not events:
        return
    endpoints: dict[int, list[int]] = {}
    enabled = WebhookEndpoint.objects.filter(
        organisation_id__in={organisation for organisation, *_rest in events},
        disabled_at__isnull=True,
    )
    for pk, organisation in enabled.values_list("pk", "organisation_id"):
        endpoints.setdefault(organisation, []).append(pk)
    told = [event for event in events if event[0] in endpoints]
    if not told:
        return
    created = WebhookEvent.objects.bulk_create(
        WebhookEvent(
            organisation_id=organisation,
            kind=kind,
            traveller_id=traveller,
            data=json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
        )
        for organisation, kind, traveller, data in told
    )
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint_id=pk, event=event, next_attempt_at=now)
        for event in created
        for pk in endpoints[event.organisation_id]
    )
    transaction.on_commit(send_webhooks.enqueue)


def trip_data(trip) -> dict:
    return {
        "id": trip.pk,
        "traveller": trip.traveller_id,
        "country": trip.country,
        "entry": trip.entry,
        "exit": trip.exit,
        "purpose": trip.purpose,
    }


def alert_data(alert) -> dict:
    return {
        "id": alert.pk,
        "traveller": alert.traveller_id,
        "kind": alert.kind,
        "severity": alert.severity,
        "state": alert.state,
        "due_on": alert.due_on,
    }


# --- Signing and sending -------------------------------------------------------------------


def body_of(event: WebhookEvent) -> bytes:
    payload = {"type": event.kind, "timestamp": event.created_at.isoformat(), "data": event.data}
    return json.dumps(payload, separators=(",", ":")).encode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def checked_address(url: str) -> tuple[str, int, str]:
    """The host, port and the address to connect to, every address of the host checked."""
    parts = urlsplit(url)
    allow_loopback = settings.STAYSITE_WEBHOOK_ALLOW_LOOPBACK
    if parts.scheme != "https" and not (allow_loopback and parts.scheme == "http"):
        raise Refused("only https endpoints are called")
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise Refused(f"{host} does not resolve ({error})") from error
    addresses = [str(info[4][0]) for info in found]  # an IPv4 or IPv6 address: a str
    for address in addresses:
        ip = ipaddress.ip_address(address)
        if not (ip.is_global or (allow_loopback and ip.is_loopback)):
            raise Refused(f"{host} resolves to {address}, not a public address")
    return host, port, addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    """A connection to the address that was checked, whatever the name resolves to now."""

    def __init__(self, host: str, port: int, address: str) -> None:
        super().__init__(host, port, timeout=TIMEOUT_SECONDS)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str) -> None:
        super().__init__(host, port, timeout=TIMEOUT_SECONDS)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        # HTTPSConnection's own SSL context, which typeshed leaves out (it is private).
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, headers: dict, body: bytes) -> int:
    """POST `body` to `url` after checking its addresses; the answer's status code."""
    host, port, address = checked_address(url)
    kind = _PinnedHTTPS if urlsplit(url).scheme == "https" else _PinnedHTTP
    connection = kind(host, port, address)
    try:
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", path, body, headers)
        return connection.getresponse().status
    finally:
        connection.close()


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure: doubling from the setting."""
    first = settings.STAYSITE_WEBHOOK_RETRY_SECONDS
    return min(timedelta(seconds=first * 2 ** (attempts - 1)), LONGEST_WAIT)


def attempt(delivery: WebhookDelivery, *, now: datetime) -> bool:
    """Try one delivery once, log it, and schedule the next try or give up; True if delivered."""
    endpoint, event = delivery.endpoint, delivery.event
    body = body_of(event)
    timestamp = int(now.timestamp())
    message_id = f"evt_{event.pk}"
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "staysite-webhooks",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(endpoint.secret, message_id, timestamp, body),
    }
    status, error = None, ""
    try:
        status = post(endpoint.url, headers, body)
    except Refused as refused:
        error = str(refused)
    except (OSError, http.client.HTTPException) as failed:
        error = f"{type(failed).__name__}: {failed}"
    WebhookAttempt.objects.create(delivery=delivery, status_code=status, error=error[:300])
    delivery.attempts += 1
    delivery.last_status_code = status
    delivered = status is not None and 200 <= status < 300
    if delivered:
        delivery.state, delivery.delivered_at = WebhookDelivery.State.DELIVERED, now
        endpoint.failures = 0
    else:
        endpoint.failures += 1
        if endpoint.failures >= settings.STAYSITE_WEBHOOK_DISABLE_AFTER:
            endpoint.disabled_at = now
        delivery.next_attempt_at = now + backoff(delivery.attempts)
        if delivery.next_attempt_at > event.created_at + RETRY_FOR:
            delivery.state = WebhookDelivery.State.FAILED
    delivery.save()
    endpoint.save(update_fields=["failures", "disabled_at"])
    return delivered


def send_due(endpoint: WebhookEndpoint, *, now: datetime) -> int:
    """Send the endpoint's due deliveries, oldest event first; how many were delivered."""
    pending = endpoint.deliveries.filter(state=WebhookDelivery.State.PENDING)
    waiting: set[int] = set()  # travellers with an earlier event still pending
    delivered = 0
    for delivery in pending.select_related("event").order_by("event_id"):
        traveller = delivery.event.traveller_id
        if traveller in waiting or endpoint.disabled_at is not None:
            continue
        delivery.endpoint = endpoint
        if delivery.next_attempt_at > now or not attempt(delivery, now=now):
            waiting.add(traveller)
        else:
            delivered += 1
    return delivered


def resend(delivery: WebhookDelivery) -> WebhookDelivery:
    """A new delivery of the same event (same `webhook-id`) to the same endpoint."""
    copy = WebhookDelivery.objects.create(
        endpoint=delivery.endpoint, event=delivery.event, next_attempt_at=timezone.now()
    )
    transaction.on_commit(send_webhooks.enqueue)
    return copy


@task
def send_webhooks() -> str:
    """Send every due delivery; come back when the next retry is due."""
    now = timezone.now()
    delivered = 0
    for endpoint in WebhookEndpoint.objects.filter(disabled_at__isnull=True):
        delivered += send_due(endpoint, now=now)
    later = (
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING, endpoint__disabled_at__isnull=True
        )
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if later is not None:
        send_webhooks.using(run_after=max(later, now)).enqueue()
    return f"{delivered} webhook deliveries sent."
