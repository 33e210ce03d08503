"""The client's address behind reverse proxies, for login throttling and rate limits.

Behind a proxy, REMOTE_ADDR is the proxy's address: throttling on it would let one attacker
lock everybody out. Each proxy appends the address it received the request from to
X-Forwarded-For, so with N trusted proxies (STAYSITE_TRUSTED_PROXIES) the client is the N-th
entry from the right. Entries further left were written by the client and are not trusted.

The header is believed only from a proxy's address (STAYSITE_TRUSTED_PROXY_NETWORKS; private
networks and loopback unless set): a client that reaches staysite's own port directly could
otherwise write any address into it and rotate it past every lockout. Such a request is
counted by its own address, and logged as a warning, since staysite's port should not be
reachable. `check --deploy` flags the configurations where this cannot be told apart.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from functools import cache

from django.conf import settings
from django.core import checks
from django.http import HttpRequest

logger = logging.getLogger(__name__)

# Where a reverse proxy usually stands: loopback and the private networks.
PRIVATE_NETWORKS = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"
# A request that bypassed the proxies is logged at most this often per process.
WARN_EVERY_SECONDS = 300


def client_address(request: HttpRequest) -> str:
    """The address the request came from, as the nearest trusted proxy saw it."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.STAYSITE_TRUSTED_PROXIES
    if proxies <= 0 or not from_a_proxy(remote):
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        # The request skipped a proxy (or came straight in): the peer is all we know.
        return remote
    return forwarded[-proxies]


def from_a_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(
        ip in network for network in proxy_networks(settings.STAYSITE_TRUSTED_PROXY_NETWORKS)
    )


@cache
def proxy_networks(setting: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    text = setting or PRIVATE_NETWORKS
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()
    )


def bypassed_the_proxies(request: HttpRequest) -> bool:
    """Whether a request reached staysite without the trusted proxies in front of it."""
    proxies = settings.STAYSITE_TRUSTED_PROXIES
    if proxies <= 0:
        return False
    forwarded = [p for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
    return not from_a_proxy(request.META.get("REMOTE_ADDR", "")) or len(forwarded) < proxies


class ProxyBypassMiddleware:
    """Logs a warning when a request arrives without the trusted proxies: staysite's own port
    is then reachable, and whoever reaches it may claim any address in X-Forwarded-For."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.warned_at = 0.0

    def __call__(self, request: HttpRequest):
        if bypassed_the_proxies(request) and time.monotonic() - self.warned_at > WARN_EVERY_SECONDS:
            self.warned_at = time.monotonic()
            logger.warning(
                "A request from %s reached staysite without passing through the %d trusted "
                "proxies (STAYSITE_TRUSTED_PROXIES): staysite's own port is reachable. It is "
                "counted by its own address; close the port to all but the proxy.",
                request.META.get("REMOTE_ADDR", ""),
                settings.STAYSITE_TRUSTED_PROXIES,
            )
        return self.get_response(request)


@checks.register(checks.Tags.security, deploy=True)
def check_proxy_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Risky proxy settings: trusting X-Forwarded-For from any private address, or anywhere."""
    if settings.STAYSITE_TRUSTED_PROXIES <= 0:
        return []
    found: list[checks.CheckMessage] = []
    networks = proxy_networks(settings.STAYSITE_TRUSTED_PROXY_NETWORKS)
    if any(network.prefixlen == 0 for network in networks):
        found.append(
            checks.Warning(
                "STAYSITE_TRUSTED_PROXY_NETWORKS trusts X-Forwarded-For from every address: "
                "a client that reaches staysite's port can claim any address and rotate it "
                "past the login lockout.",
                hint="List only your reverse proxy's addresses.",
                id="staysite.W001",
            )
        )
    elif not settings.STAYSITE_TRUSTED_PROXY_NETWORKS:
        found.append(
            checks.Warning(
                "STAYSITE_TRUSTED_PROXIES is set but STAYSITE_TRUSTED_PROXY_NETWORKS is not: "
                "X-Forwarded-For is believed from any private or loopback address, so any "
                "host on the internal network that reaches staysite's port can claim any "
                "client address.",
                hint="Set STAYSITE_TRUSTED_PROXY_NETWORKS to your reverse proxy's addresses.",
                id="staysite.W002",
            )
        )
    return found
