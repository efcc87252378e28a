"""With Redis stopped, signed-in people keep their pages: sessions are in the database, the header says
since when Redis is unreachable, and whatever needs Redis answers a sentence (503), never a 500.

Each test runs the app on a private Redis of its own and stops it: the shared one stays up."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from photonix.config import Settings
from photonix.db import accounts
from photonix.jobs.embedded_redis import EmbeddedRedis, start_embedded_redis
from photonix.web.account import SIGN_IN_NEEDS_REDIS
from photonix.web.app import create_app
from photonix.web.errors import REDIS_AWAY
from photonix.web.settings_users import LOCKS_UNKNOWN
from tests.conftest import make_settings
from tests.web.conftest import CSRF_COOKIE, Member, csrf, sign_in
from tests.web.test_jobs_page import text_of
from tests.web.test_pages import Elements

Client = AsyncTestClient[Litestar]
SINCE = re.compile(r"Redis unreachable since (\d\d):(\d\d) UTC\.")


@dataclass
class Outage:
    """The app under test and the private Redis it talks to."""

    client: Client
    server: EmbeddedRedis


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    server = start_embedded_redis(tmp_path / "redis")
    yield server
    server.stop()                      # a second stop of a stopped server is harmless


@pytest.fixture
async def outage(settings: Settings, database: None, clean: None,
                 own_redis: EmbeddedRedis) -> AsyncIterator[Outage]:
    private = make_settings(settings.data_dir, {"database": settings.database_url, "redis": own_redis.url})
    async with AsyncTestClient(app=create_app(private, owns_database=False)) as client:
        yield Outage(client, own_redis)


def assert_says_redis_unreachable_since_a_minute_of_today(text: str) -> None:
    found = SINCE.search(text)
    assert found, text
    now = datetime.now(UTC)
    assert (now.hour * 60 + now.minute - (int(found[1]) * 60 + int(found[2]))) % (24 * 60) <= 1


async def test_a_signed_in_admins_pages_render_with_redis_stopped_and_say_since_when(
        outage: Outage, alice: Member) -> None:
    await accounts.create_user("root", "admin password", is_admin=True)
    client = outage.client
    await sign_in(client, "root", "admin password")
    assert "unreachable" not in text_of((await client.get("/photos/")).text, "header-status")
    outage.server.stop()

    for path in ("/photos/", "/account", "/jobs/", "/settings/libraries"):
        response = await client.get(path, follow_redirects=False)
        assert response.status_code == 200, (path, response.status_code)
        assert_says_redis_unreachable_since_a_minute_of_today(text_of(response.text, "header-status"))
    jobs = await client.get("/jobs/")
    assert_says_redis_unreachable_since_a_minute_of_today(text_of(jobs.text, "jobs-notices"))
    users = await client.get("/settings/users")
    assert users.status_code == 200 and LOCKS_UNKNOWN in users.text


async def test_the_header_poll_brings_the_outage_sentence_without_a_reload(outage: Outage,
                                                                          alice: Member) -> None:
    client = outage.client
    await sign_in(client, "alice")
    assert text_of((await client.get("/status/header")).text, "header-status") == ""
    outage.server.stop()
    polled = await client.get("/status/header", headers={"HX-Request": "true"})
    assert polled.status_code == 200
    assert_says_redis_unreachable_since_a_minute_of_today(text_of(polled.text, "header-status"))


async def test_signing_in_while_redis_is_down_answers_503_with_a_sentence(outage: Outage,
                                                                           alice: Member) -> None:
    client = outage.client
    await client.get("/login")
    outage.server.stop()
    response = await client.post("/login", follow_redirects=False, data={
        "username": "alice", "password": "correct horse battery", "_csrf_token": client.cookies[CSRF_COOKIE]})
    assert response.status_code == 503 and SIGN_IN_NEEDS_REDIS in response.text
    assert response.headers["Retry-After"]


async def test_an_action_that_needs_redis_answers_503_with_a_sentence(outage: Outage, alice: Member) -> None:
    client = outage.client
    await sign_in(client, "alice")
    outage.server.stop()
    response = await client.post(f"/settings/libraries/{alice.library_id}/scan", headers=csrf(client),
                                 follow_redirects=False)
    assert response.status_code == 503 and REDIS_AWAY in response.text


async def test_signing_out_and_sign_out_everywhere_work_while_redis_is_down(outage: Outage,
                                                                           alice: Member) -> None:
    client = outage.client
    await sign_in(client, "alice")
    outage.server.stop()
    response = await client.post("/account/sign-out-everywhere", headers=csrf(client), follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert (await client.get("/photos/", follow_redirects=False)).status_code == 303


async def test_an_htmx_action_that_needs_redis_answers_a_toast_and_swaps_nothing(outage: Outage,
                                                                                 alice: Member) -> None:
    client = outage.client
    await sign_in(client, "alice")
    outage.server.stop()
    response = await client.post(f"/settings/libraries/{alice.library_id}/scan",
                                 headers={**csrf(client), "HX-Request": "true"})
    assert response.headers["HX-Reswap"] == "none"
    [toasts] = Elements(response.text).all("div", id="toasts")
    assert toasts["hx-swap-oob"] == "true" and text_of(response.text, "toasts") == REDIS_AWAY
