"""POST /upload refuses strangers, missing tokens and oversize bodies before reading the body.

The app is called as an ASGI server calls it, with a body that arrives chunk by chunk, so the test sees
how much of it the app asked for."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from arq import ArqRedis
from litestar import Litestar
from litestar.middleware.csrf import generate_csrf_token

from photonix.config import Settings
from photonix.db import user_sessions
from photonix.web import sessions
from photonix.web.app import create_app
from photonix.web.upload import MIB, body_limit
from photonix.web.upload_gate import FIELD_LIMIT
from tests.conftest import make_settings
from tests.web.conftest import Member

BOUNDARY = "gate-test-boundary"
CHUNK = 64 * 1024


def part(name: str, value: bytes, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    kind = "Content-Type: image/jpeg\r\n" if filename else ""
    return f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n{kind}\r\n".encode() + value + b"\r\n"


def form(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


@dataclass
class StreamedRequest:
    """One request body sent in CHUNK-sized pieces; `taken` counts the pieces the app received."""

    body: bytes
    headers: dict[str, str]
    taken: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)

    @property
    def chunks(self) -> list[bytes]:
        return [self.body[i:i + CHUNK] for i in range(0, len(self.body), CHUNK)]

    async def receive(self) -> dict[str, Any]:
        chunks = self.chunks
        if self.taken >= len(chunks):
            return {"type": "http.disconnect"}
        self.taken += 1
        return {"type": "http.request", "body": chunks[self.taken - 1], "more_body": self.taken < len(chunks)}

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        return next(m["status"] for m in self.sent if m["type"] == "http.response.start")

    async def to(self, app: Litestar) -> StreamedRequest:
        headers = [(k.lower().encode(), v.encode()) for k, v in
                   {"content-type": f"multipart/form-data; boundary={BOUNDARY}", **self.headers}.items()]
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                 "scheme": "http", "path": "/upload", "raw_path": b"/upload", "root_path": "",
                 "query_string": b"", "headers": headers, "client": ("127.0.0.1", 40000),
                 "server": ("photonix.test", 80)}
        await app(scope, self.receive, self.send)   # type: ignore[arg-type]
        return self


@pytest.fixture
def gate_app(settings: Settings, clean: None) -> Litestar:
    return create_app(settings, owns_database=False)


@dataclass(frozen=True)
class Browser:
    """What a signed-in browser holds: the session cookie and the CSRF cookie (and its token)."""

    session: str
    csrf: str

    def cookies(self, *, session: bool = True) -> dict[str, str]:
        jar = f"csrftoken={self.csrf}" + (f"; {sessions.COOKIE}={self.session}" if session else "")
        return {"cookie": jar}


@pytest.fixture
async def browser(gate_app: Litestar, alice: Member) -> Browser:
    assert gate_app.csrf_config is not None
    return Browser(await user_sessions.start_session(alice.user_id),
                   generate_csrf_token(gate_app.csrf_config.secret))


BIG_FILE = form(part("files", b"\xff" * (16 * CHUNK), "big.jpg"))


async def test_a_strangers_upload_is_refused_before_its_body_is_read(gate_app, browser: Browser) -> None:
    async with gate_app.lifespan():
        plain = await StreamedRequest(BIG_FILE, browser.cookies(session=False)).to(gate_app)
        htmx = await StreamedRequest(BIG_FILE, {**browser.cookies(session=False), "hx-request": "true",
                                                "x-csrftoken": browser.csrf}).to(gate_app)
    assert plain.status == 303 and plain.taken == 0
    assert htmx.status == 401 and htmx.taken == 0


async def test_an_upload_without_the_csrf_token_is_refused_after_one_chunk_at_most(gate_app, browser) -> None:
    async with gate_app.lifespan():
        missing = await StreamedRequest(BIG_FILE, browser.cookies()).to(gate_app)
        wrong = await StreamedRequest(BIG_FILE, {**browser.cookies(), "x-csrftoken": "0" * 128}).to(gate_app)
        file_first = form(part("files", b"\xff" * (4 * CHUNK), "a.jpg"),
                          part("_csrf_token", browser.csrf.encode()))
        late = await StreamedRequest(file_first, browser.cookies()).to(gate_app)
    assert missing.status == 403 and missing.taken <= 1
    assert wrong.status == 403 and wrong.taken == 0
    assert late.status == 403 and late.taken <= 1        # the token must come before the files


async def test_a_body_declared_over_the_limit_answers_413_unread(gate_app, browser: Browser,
                                                                  settings: Settings) -> None:
    over = str(body_limit(settings) + 1)
    async with gate_app.lifespan():
        refused = await StreamedRequest(BIG_FILE, {**browser.cookies(), "x-csrftoken": browser.csrf,
                                                   "content-length": over}).to(gate_app)
    assert refused.status == 413 and refused.taken == 0
    assert body_limit(settings) <= settings.max_upload_mb * MIB + MIB


async def test_a_non_file_field_over_its_cap_answers_413(gate_app, browser, alice: Member) -> None:
    padded = form(part("library", str(alice.library_id).encode()), part("note", b"x" * (FIELD_LIMIT + 1)),
                  part("files", b"\xff" * CHUNK, "a.jpg"))
    async with gate_app.lifespan():
        headers = {**browser.cookies(), "x-csrftoken": browser.csrf}
        refused = await StreamedRequest(padded, headers).to(gate_app)
    assert refused.status == 413


async def test_the_plain_forms_token_field_lets_the_upload_through(gate_app, browser, alice: Member) -> None:
    body = form(part("_csrf_token", browser.csrf.encode()), part("library", str(alice.library_id).encode()),
                part("files", b"not a photo", "notes.txt"))
    async with gate_app.lifespan():
        answered = await StreamedRequest(body, browser.cookies()).to(gate_app)
    assert answered.status == 422 and answered.taken == len(answered.chunks)   # read whole, refused in words


async def test_an_undeclared_body_is_cut_off_with_413_at_the_limit(settings: Settings, clean: None,
                                                                    redis: ArqRedis, alice: Member) -> None:
    urls = {"database": settings.database_url, "redis": settings.redis_url or ""}
    small = make_settings(settings.data_dir, urls, PHOTONIX_MAX_UPLOAD_MB="1")
    app = create_app(small, owns_database=False)
    assert app.csrf_config is not None
    token = generate_csrf_token(app.csrf_config.secret)
    signed_in = Browser(await user_sessions.start_session(alice.user_id), token)
    streamed = StreamedRequest(form(part("library", str(alice.library_id).encode()),
                                    part("files", b"\xff" * (4 * MIB), "huge.jpg")),
                               {**signed_in.cookies(), "x-csrftoken": token})    # chunked: no Content-Length
    async with app.lifespan():
        await streamed.to(app)
    assert streamed.status == 413
    assert streamed.taken * CHUNK <= body_limit(small) + CHUNK < len(streamed.body)
