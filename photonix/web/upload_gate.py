"""The door of POST /upload: sign-in, the CSRF token and the declared size are checked before the body is
read, and the multipart stream is followed as it passes so a non-file field cannot grow past a few KiB.

Litestar's CSRF middleware reads a whole form to look for the token when the header is missing; on a
400 MiB upload from a stranger that was 400 MiB received, parsed and spooled before the 403. Here a
request without a session is refused at once, and the token comes from the `x-csrftoken` header
(upload.js, HTMX) or from a `_csrf_token` field that precedes the files (the plain form puts it first),
found within the first PREFIX_LIMIT bytes."""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Litestar, Request
from litestar.enums import ScopeType
from litestar.exceptions import ClientException, PermissionDeniedException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, generate_csrf_hash
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send
from multipart import (  # the parser Litestar itself uses
    MultipartSegment,
    ParserError,
    ParserLimitReached,
    PushMultipartParser,
)

from photonix.db import user_sessions
from photonix.web import sessions
from photonix.web.auth import SignInRequired, session_policy

CSRF_FIELD = "_csrf_token"
PREFIX_LIMIT = 16 * 1024          # the token field must arrive within this many bytes of the body
FIELD_LIMIT = 64 * 1024           # a non-file field (library id, token) is tiny; anything bigger is abuse
MAX_PARTS = 1000


def _decoded(token: str, secret: str) -> str | None:
    """The random half of a Litestar CSRF token whose HMAC half is right, else None."""
    if len(token) <= CSRF_SECRET_LENGTH:
        return None
    raw, mac = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    return raw if hmac.compare_digest(mac, generate_csrf_hash(token=raw, secret=secret)) else None


def tokens_match(sent: str | None, cookie: str | None, secret: str) -> bool:
    """The double-submit check Litestar's CSRF middleware makes: both signed by us, and the same token."""
    if not sent or not cookie:
        return False
    ours, theirs = _decoded(cookie, secret), _decoded(sent, secret)
    return ours is not None and theirs is not None and hmac.compare_digest(ours, theirs)


class MultipartWatch:
    """Follows a multipart body chunk by chunk: the CSRF field's value, whether a file part began, and
    the size of every non-file part (over FIELD_LIMIT: 413)."""

    def __init__(self, boundary: str) -> None:
        self.parser = PushMultipartParser(boundary, max_segment_count=MAX_PARTS)
        self.segment: MultipartSegment | None = None
        self.size = 0
        self.value = bytearray()
        self.token: str | None = None
        self.file_started = False

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        try:
            for event in self.parser.parse(chunk):
                if isinstance(event, MultipartSegment):
                    self.segment, self.size = event, 0
                    self.value.clear()
                    self.file_started = self.file_started or bool(event.filename)
                elif event:
                    self._data(event)
                else:
                    self._end()
        except ParserLimitReached:
            raise RequestEntityTooLarge(f"at most {MAX_PARTS} form fields") from None
        except ParserError:
            raise ClientException("Invalid multipart/form-data") from None

    def _data(self, data: bytes | bytearray) -> None:
        if self.segment is None or self.segment.filename:
            return
        self.size += len(data)
        if self.size > FIELD_LIMIT:
            raise RequestEntityTooLarge(
                f"the form field {self.segment.name!r} is over {FIELD_LIMIT // 1024} KiB")
        if self.segment.name == CSRF_FIELD:
            self.value.extend(data)

    def _end(self) -> None:
        if self.segment is not None and self.segment.name == CSRF_FIELD and not self.segment.filename:
            self.token = self.token or self.value.decode("ascii", "replace")
        self.segment = None


class UploadGate:
    """ASGI middleware for the upload router: refuse before reading, then watch what is read."""

    def __init__(self, app: ASGIApp, body_limit: int) -> None:
        self.app = app
        self.body_limit = body_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        litestar = Litestar.from_scope(scope)
        request: Request[Any, Any, Any] = Request(scope)
        token = request.cookies.get(sessions.COOKIE)
        if await user_sessions.user_id_for(token, session_policy(request)) is None:
            raise SignInRequired("sign in to upload")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.body_limit:
            raise RequestEntityTooLarge
        content_type, options = request.content_type
        watch = MultipartWatch(options["boundary"]) if content_type == "multipart/form-data" and options.get(
            "boundary") else None
        config = litestar.csrf_config
        assert config is not None, "the app is built with CSRF protection"
        sent = request.headers.get(config.header_name)
        early: list[ReceiveMessage] = []
        if not sent and watch is not None:
            early = await self._read_token_field(receive, watch)
            sent = watch.token
        if not tokens_match(sent, request.cookies.get(config.cookie_name), config.secret):
            raise PermissionDeniedException("CSRF token verification failed")

        async def replay() -> ReceiveMessage:
            if early:
                return early.pop(0)
            message = await receive()
            if watch is not None and message["type"] == "http.request":
                watch.feed(message.get("body", b""))
            return message

        await self.app(scope, replay, send)

    @staticmethod
    async def _read_token_field(receive: Receive, watch: MultipartWatch) -> list[ReceiveMessage]:
        """Read until the token field has passed, a file began, or PREFIX_LIMIT bytes came without it."""
        early: list[ReceiveMessage] = []
        read = 0
        while watch.token is None and not watch.file_started and read < PREFIX_LIMIT:
            message = await receive()
            early.append(message)
            if message["type"] != "http.request":
                break
            body = message.get("body", b"")
            read += len(body)
            watch.feed(body)
            if not message.get("more_body", False):
                break
        return early
