"""Sessions end when they should: idle too long, too old, signed out everywhere, password changed."""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import AsyncIterator

import pytest
from arq import ArqRedis
from litestar import Litestar
from litestar.testing import AsyncTestClient

from photonix.config import Settings
from photonix.web import sessions
from photonix.web.app import create_app
from tests.web.conftest import CSRF_COOKIE, Member, csrf, sign_in

Client = AsyncTestClient[Litestar]


def session_key(client: Client) -> str:
    return "photonix:session:" + hashlib.sha256(client.cookies[sessions.COOKIE].encode()).hexdigest()


async def signed_in(client: Client) -> bool:
    response = await client.get("/photos/", follow_redirects=False)
    return response.status_code == 200


@pytest.fixture
async def second_client(settings: Settings, clean: None) -> AsyncIterator[Client]:
    """Another browser: an app of its own, since a test client's start-up rebinds its app's Redis."""
    async with AsyncTestClient(app=create_app(settings, owns_database=False)) as other:
        yield other


@pytest.fixture
async def short_idle_client(settings: Settings, database: None, clean: None) -> AsyncIterator[Client]:
    """An app configured with PHOTONIX_SESSION_IDLE_MINUTES=30 and PHOTONIX_SESSION_MAX_DAYS=2."""
    configured = dataclasses.replace(settings, session_idle_minutes=30, session_max_days=2)
    async with AsyncTestClient(app=create_app(configured, owns_database=False)) as client:
        yield client


async def test_each_request_slides_the_idle_timeout_to_the_configured_length(short_idle_client, alice,
                                                                            redis: ArqRedis) -> None:
    await sign_in(short_idle_client, "alice")
    key = session_key(short_idle_client)
    await redis.expire(key, 60)                  # as if the session had sat unused for 29 minutes
    assert await signed_in(short_idle_client)
    assert 29 * 60 < await redis.ttl(key) <= 30 * 60


async def test_a_session_idle_past_the_timeout_is_signed_out(client, alice, redis: ArqRedis) -> None:
    await sign_in(client, "alice")
    await redis.pexpire(session_key(client), 1)  # the idle timeout is the key's expiry: let it run out
    deadline = time.monotonic() + 10
    while await redis.exists(session_key(client)) and time.monotonic() < deadline:
        await redis.ping()
    assert not await signed_in(client)


async def test_a_session_unused_longer_than_the_configured_idle_time_ends(short_idle_client, alice,
                                                                          redis: ArqRedis) -> None:
    """Whatever TTL the key was given at sign-in, the stored last request time decides."""
    await sign_in(short_idle_client, "alice")
    key = session_key(short_idle_client)
    user_id, started, _ = (await redis.get(key)).decode().split(":")
    # last seen 31 min ago
    await redis.set(key, f"{user_id}:{started}:{int(time.time()) - 31 * 60}", ex=86400)
    assert not await signed_in(short_idle_client)
    assert not await redis.exists(key)


async def test_a_session_older_than_the_absolute_limit_ends_even_when_active(short_idle_client, alice,
                                                                              redis: ArqRedis) -> None:
    await sign_in(short_idle_client, "alice")
    key = session_key(short_idle_client)
    user_id = (await redis.get(key)).decode().split(":")[0]
    now = int(time.time())
    await redis.set(key, f"{user_id}:{now - 2 * 86400 - 1}:{now}", keepttl=True)   # signed in 2 days ago
    assert not await signed_in(short_idle_client)
    assert not await redis.exists(key)


async def test_sign_out_everywhere_ends_every_session_of_the_user_only(client, second_client, settings, alice,
                                                                       bob: Member) -> None:
    await sign_in(client, "alice")
    await sign_in(second_client, "alice")
    async with AsyncTestClient(app=create_app(settings, owns_database=False)) as bobs:
        await sign_in(bobs, "bob")
        response = await client.post("/account/sign-out-everywhere", headers=csrf(client),
                                     follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/login"
        assert not await signed_in(client) and not await signed_in(second_client)
        assert await signed_in(bobs)


async def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(client, second_client,
                                                                                  alice) -> None:
    await sign_in(client, "alice")
    await sign_in(second_client, "alice")
    response = await client.post("/account/password", headers=csrf(client), data={
        "current_password": "correct horse battery", "new_password": "a brand new secret",
        "confirm_password": "a brand new secret"})
    assert response.status_code == 200 and "signed out 1 other session" in response.text
    assert await signed_in(client) and not await signed_in(second_client)
    await sign_in(second_client, "alice", "a brand new secret")


async def test_a_wrong_current_password_changes_nothing(client, second_client, alice) -> None:
    await sign_in(client, "alice")
    await sign_in(second_client, "alice")
    response = await client.post("/account/password", headers=csrf(client), data={
        "current_password": "guess", "new_password": "a brand new secret",
        "confirm_password": "a brand new secret"})
    assert response.status_code == 400 and "current password is not right" in response.text
    assert await signed_in(second_client)
    await sign_in(second_client, "alice")         # the old password still works


async def test_the_account_page_counts_sessions_and_states_the_idle_timeout(client, second_client,
                                                                            alice) -> None:
    await sign_in(client, "alice")
    await sign_in(second_client, "alice")
    page = (await client.get("/account")).text
    assert 'signed in on <span class="num">2</span> browsers' in page and "14 days without use" in page
    assert client.cookies.get(CSRF_COOKIE)
