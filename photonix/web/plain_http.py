"""Secure cookies and plain HTTP: the start-up warning when cookies are not Secure, and the sign-in hint
when they are but the browser came over http:// from another host (it then drops them, and signing in
silently fails). Browsers keep Secure cookies on http://localhost and 127.0.0.1, so `make run` works."""

from __future__ import annotations

import ipaddress
from typing import Any

import structlog
from litestar import Request

from photonix.config import Settings

log = structlog.get_logger()


def warn_if_cookies_not_secure(settings: Settings) -> None:
    if not settings.secure_cookies:
        log.warning("cookies_not_secure",
                    hint="PHOTONIX_SECURE_COOKIES=false sends the session and CSRF cookies over plain HTTP; "
                         "keep it to development, and serve Photonix over HTTPS")


def is_loopback_host(host: str) -> bool:
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _browser_used_https(request: Request[Any, Any, Any]) -> bool:
    # A TLS proxy in front may not be a trusted proxy (so uvicorn left the scheme at http); its
    # X-Forwarded-Proto is believed here because it can only hide this hint, never grant anything.
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https" or "proto=https" in request.headers.get(
        "forwarded", "").lower()


def cookies_dropped_here(request: Request[Any, Any, Any]) -> bool:
    """True when our cookies are Secure but this page came over plain HTTP from a host a browser does not
    treat as secure: the browser will not keep them."""
    config = request.app.csrf_config
    secure = bool(config and config.cookie_secure)
    return secure and not _browser_used_https(request) and not is_loopback_host(request.url.hostname or "")
