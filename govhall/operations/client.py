"""The client address: one answer, from configuration, for every limit, lockout and log.

Behind a reverse proxy the TCP peer (``REMOTE_ADDR``) is the proxy; the client is in
``X-Forwarded-For``, which anyone can also send. So the header is believed only as far
as the operator says: ``GOVHALL_TRUSTED_PROXY_COUNT`` proxies in front (nginx alone: 1)
— the client is the address the outermost trusted proxy saw — or
``GOVHALL_TRUSTED_PROXIES``, the proxies' networks: walking the chain from the peer
backwards, the first address outside them is the client. With neither set (the default)
the header is ignored. Addresses a client wrote into the header itself are never
reached by either walk, so rotating the header changes nothing.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PEER_META = "GOVHALL_PEER_ADDR"


@functools.lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple:
    try:
        return tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)
    except ValueError as exc:
        raise ImproperlyConfigured(f"GOVHALL_TRUSTED_PROXIES: {exc}") from exc


def _ip(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def resolve(peer: str, forwarded_for: str | None) -> str:
    """The client address for a request from ``peer`` carrying ``forwarded_for``."""
    count = settings.GOVHALL_TRUSTED_PROXY_COUNT
    networks = _networks(tuple(settings.GOVHALL_TRUSTED_PROXIES))
    if not forwarded_for or (count <= 0 and not networks):
        return peer
    hops = [h for h in (part.strip() for part in forwarded_for.split(",")) if h]
    chain = [*hops, peer]  # oldest first; the peer is the last hop
    if count > 0:
        if len(chain) <= count:
            return peer  # fewer hops than proxies: not through the proxies we trust
        candidate = _ip(chain[-1 - count])
        return str(candidate) if candidate is not None else peer
    client = peer
    for hop in reversed(chain):
        address = _ip(hop)
        if address is None:
            return client
        client = str(address)
        if not any(address in network for network in networks):
            return client
    return client


def client_address(request) -> str | None:
    """The resolved client address (``ClientAddressMiddleware`` stores it as REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR") or None
