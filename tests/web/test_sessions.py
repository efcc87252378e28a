"""Sessions end when they should: idle too long, too old, signed out everywhere, password changed. They
live in the database (user_session), with only a digest of the cookie's token."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from photonix.config import Settings
from photonix.db.tables import UserSession
from photonix.web import sessions
from photonix.web.app import create_app
from tests.web.conftest import CSRF_COOKIE, Member, csrf, sign_in

Client = AsyncTestClient[Litestar]


def token_hash(client: Client) -> str:
    return hashlib.sha256(client.cookies[sessions.COOKIE].encode()).hexdigest()


async def session_row(client: Client) -> dict[str, Any] | None:
    row: dict[str, Any] | None = await UserSession.select().where(
        UserSession.token_hash == token_hash(client)).first()
    return row


async def backdate(client: Client, *, seen: timedelta = timedelta(0),
                   started: timedelta = timedelta(0)) -> None:
    """As if the session's last request were `seen` ago and its sign-in `started` ago."""
    now = datetime.now(UTC)
    await UserSession.update({UserSession.seen_at: now - seen, UserSession.created_at: now - started}).where(
        UserSession.token_hash == token_hash(client))


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


async def test_a_session_is_a_database_row_holding_only_a_digest_of_the_token(client, alice) -> None:
    await sign_in(client, "alice")
    row = await session_row(client)
    assert row is not None and row["user"] == alice.user_id
    assert not await UserSession.exists().where(UserSession.token_hash == client.cookies[sessions.COOKIE])


async def test_a_request_after_a_minute_notes_the_session_as_seen_now(short_idle_client, alice) -> None:
    await sign_in(short_idle_client, "alice")
    await backdate(short_idle_client, seen=timedelta(minutes=29))    # 29 of the 30 idle minutes gone
    assert await signed_in(short_idle_client)
    row = await session_row(short_idle_client)
    assert row is not None and datetime.now(UTC) - row["seen_at"] < timedelta(minutes=1)


async def test_requests_within_a_minute_do_not_write_the_session_again(client, alice) -> None:
    await sign_in(client, "alice")
    await backdate(client, seen=timedelta(seconds=30))
    before = await session_row(client)
    assert await signed_in(client) and await signed_in(client)
    assert await session_row(client) == before


async def test_a_session_unused_longer_than_the_configured_idle_time_ends(short_idle_client, alice) -> None:
    await sign_in(short_idle_client, "alice")
    await backdate(short_idle_client, seen=timedelta(minutes=31))
    assert not await signed_in(short_idle_client)
    assert await session_row(short_idle_client) is None


async def test_a_session_idle_past_the_default_timeout_is_signed_out(client, alice) -> None:
    await sign_in(client, "alice")
    await backdate(client, seen=timedelta(days=14, seconds=1), started=timedelta(days=15))
    assert not await signed_in(client)


async def test_a_session_older_than_the_absolute_limit_ends_even_when_active(short_idle_client,
                                                                              alice) -> None:
    await sign_in(short_idle_client, "alice")
    await backdate(short_idle_client, started=timedelta(days=2, seconds=1))     # signed in 2 days ago
    assert not await signed_in(short_idle_client)
    assert await session_row(short_idle_client) is None


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
