"""Refuse NUL characters in URLs and in url-encoded forms with a 400 before any handler sees them.

No name, tag, path or filter of ours contains one, and PostgreSQL refuses NUL in text, so a `%00` that
reached a query (a tag filter, a user name at sign-in) answered 500. Multipart bodies (files carry NULs
legitimately) and JSON (decoded by msgspec, checked by each handler) pass untouched."""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.exceptions import ValidationException
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

URLENCODED = b"application/x-www-form-urlencoded"
SENTENCE = "NUL characters are not allowed in a request"


def _has_nul(raw: bytes) -> bool:
    return b"\x00" in raw or b"%00" in raw


class NulGuard:
    """App-level ASGI middleware: the query string and path at once, a url-encoded body as it streams."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or _has_nul(scope.get("query_string", b"")):
            raise ValidationException(SENTENCE)
        content_type = dict(scope["headers"]).get(b"content-type", b"")
        if not content_type.lower().startswith(URLENCODED):
            await self.app(scope, receive, send)
            return
        tail = b""                  # a "%00" may straddle two chunks

        async def checked() -> ReceiveMessage:
            nonlocal tail
            message = await receive()
            if message["type"] == "http.request":
                body = tail + message.get("body", b"")
                if _has_nul(body):
                    raise ValidationException(SENTENCE)
                tail = body[-2:]
            return message

        await self.app(scope, checked, send)
