"""Security headers on every response: a strict Content-Security-Policy (our own scripts, styles and images
only; no inline script, no inline style, no framing), nosniff and a same-origin Referrer-Policy.

Photos and thumbnails are files people uploaded: their routes also get `sandbox`, so a file that a
browser would render as a document (an SVG, an HTML file named .jpg) runs nothing with our origin.
/schema's viewer alone may also show data: images (its stylesheet's icons).

Added by a `before_send` hook, which Litestar runs for every response, 404s and errors included."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from photonix.config import Settings

# A share link's files (/s/<token>/photos/<id>/...) are the same files, and its zip too.
FILE_ROUTE = re.compile(r"^(/s/[^/]+)?/photos/[^/]+/(original|download|thumbnail/[^/]+)/?$"
                        r"|^/s/[^/]+/download/?$")


def tile_source(tile_url: str) -> str:
    """The CSP source for a tile URL template: `https://{s}.tile.example.org/{z}/{x}/{y}.png` needs
    `https://*.tile.example.org` (a CSP wildcard stands only for leading labels)."""
    parts = urlsplit(tile_url)
    labels = (parts.hostname or "").split(".")
    templated = [i for i, label in enumerate(labels) if "{" in label]
    host = ".".join(["*", *labels[templated[-1] + 1:]]) if templated else ".".join(labels)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


# /schema's viewer (vendored Swagger UI) draws its icons as data: SVGs in its stylesheet.
SCHEMA_ROUTE = re.compile(r"^/schema(/|$)")


def content_security_policy(settings: Settings, *, data_images: bool = False) -> str:
    images = "'self'" + (f" {tile_source(settings.map_tile_url)}" if settings.map_tile_url else "")
    images += " data:" if data_images else ""
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src {images}",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


SendHook = Callable[[Message, Scope], Awaitable[None]]


def security_headers(settings: Settings) -> SendHook:
    """The before_send hook that sets the headers on each response's start message."""
    policy = content_security_policy(settings)
    sandboxed = f"{policy}; sandbox"
    schema = content_security_policy(settings, data_images=True)

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        path = scope.get("path", "")
        headers["Content-Security-Policy"] = (sandboxed if FILE_ROUTE.match(path)
                                              else schema if SCHEMA_ROUTE.match(path) else policy)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"          # frame-ancestors for browsers that predate CSP 2

    return add_headers
