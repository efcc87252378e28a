"""Who is on the other end: the peer address, or X-Forwarded-For's client when the peer is a trusted proxy.

PHOTONIX_TRUSTED_PROXIES lists the proxies; by default nobody's header is believed, since anyone can
send one. uvicorn gets the same list (`uvicorn_proxy_options`), and applying the rule again here after
uvicorn did is harmless: the address it leaves is not a trusted proxy, so the header is not re-read."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from litestar import Request

from photonix.config import Settings

UNKNOWN = "unknown"


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(network, strict=False) for network in trusted)


def _is_trusted(host: str, trusted: tuple[str, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host.strip().strip("[]"))
    except ValueError:
        return False
    return any(address in network for network in _networks(trusted))


def client_host(peer: str | None, forwarded_for: Sequence[str], trusted: tuple[str, ...]) -> str:
    """The peer, unless it is a trusted proxy: then the right-most X-Forwarded-For entry that is not one
    (entries further left were written by the client itself and prove nothing)."""
    if not peer:
        return UNKNOWN
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


def request_host(request: Request[Any, Any, Any], settings: Settings) -> str:
    peer = request.client.host if request.client else None
    return client_host(peer, request.headers.getall("x-forwarded-for", []), settings.trusted_proxies)


def uvicorn_proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn trusts 127.0.0.1's X-Forwarded-For by default; ours trusts only the configured proxies."""
    if not settings.trusted_proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True,
            "forwarded_allow_ips": ",".join(settings.trusted_proxies)}
