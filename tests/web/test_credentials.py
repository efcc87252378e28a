"""Credentials after sign-up: API tokens (named, listed, revoked), and an admin's reset, disable, delete,
promote and remove-member, each taking effect at the user's very next request."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from photonix.config import Settings
from photonix.db import accounts, tokens, users
from photonix.web.app import create_app
from tests.web.conftest import Member, csrf, sign_in
from tests.web.test_pages import Elements

Client = AsyncTestClient[Litestar]


@pytest.fixture
async def admin(clean: None) -> int:
    return await accounts.create_user("root", "admin password", is_admin=True)


@pytest.fixture
async def alices_browser(settings: Settings, clean: None) -> AsyncIterator[Client]:
    """Alice's own browser, signed in: an app of its own (a test client's start-up rebinds its app's
    Redis)."""
    async with AsyncTestClient(app=create_app(settings, owns_database=False)) as browser:
        yield browser


async def signed_in(client: Client) -> bool:
    return (await client.get("/photos/", follow_redirects=False)).status_code == 200


async def test_a_token_is_named_shown_once_listed_with_its_last_use_and_revoked(client,
                                                                                alice: Member) -> None:
    await sign_in(client, "alice")
    created = await client.post("/account/tokens", headers=csrf(client), data={"name": "backup script"})
    assert created.status_code == 200 and created.headers["cache-control"] == "no-store"
    assert Elements(created.text).all("code", id="new-token-secret")
    secret = created.text.split('id="new-token-secret">')[1].split("<")[0]
    assert (await client.get("/api/v1/photos",
                             headers={"Authorization": f"Bearer {secret}"})).status_code == 200

    listed = await client.get("/account")
    assert secret not in listed.text                          # shown once, never again
    [mine] = [t for t in await tokens.list_tokens(alice.user_id) if t.name == "backup script"]
    assert mine.last_used_at is not None
    row = listed.text.split(f'id="token-{mine.id}"')[1].split("</tr>")[0]
    assert "backup script" in row and "never" not in row

    revoked = await client.post(f"/account/tokens/{mine.id}/revoke", headers=csrf(client))
    assert revoked.status_code == 200 and "Revoked" in revoked.text
    assert (await client.get("/api/v1/photos",
                             headers={"Authorization": f"Bearer {secret}"})).status_code == 401


async def test_a_user_cannot_revoke_someone_elses_token(client, alice: Member, bob: Member) -> None:
    [bobs] = await tokens.list_tokens(bob.user_id)
    await sign_in(client, "alice")
    response = await client.post(f"/account/tokens/{bobs.id}/revoke", headers=csrf(client))
    assert response.status_code == 404
    assert (await client.get("/api/v1/photos", headers=bob.auth)).status_code == 200


async def test_an_admin_sees_every_token_and_revokes_any(client, admin, alice: Member, bob: Member) -> None:
    await sign_in(client, "root", "admin password")
    page = await client.get("/settings/users")
    [alices] = await tokens.list_tokens(alice.user_id)
    [bobs] = await tokens.list_tokens(bob.user_id)
    assert f'id="token-{alices.id}"' in page.text and f'id="token-{bobs.id}"' in page.text
    assert (await client.post(f"/settings/tokens/{bobs.id}/revoke", headers=csrf(client))).status_code == 200
    assert (await client.get("/api/v1/photos", headers=bob.auth)).status_code == 401


async def test_disabling_a_user_stops_their_session_and_tokens_at_once(client, alices_browser, admin,
                                                                       alice: Member) -> None:
    await sign_in(alices_browser, "alice")
    await sign_in(client, "root", "admin password")
    response = await client.post(f"/settings/users/{alice.user_id}/disable", headers=csrf(client))
    assert response.status_code == 200 and "Disabled alice" in response.text
    assert not await signed_in(alices_browser)
    assert (await client.get("/api/v1/photos", headers=alice.auth)).status_code == 401
    await alices_browser.get("/login")
    refused = await alices_browser.post("/login", data={"username": "alice",
                                                        "password": "correct horse battery",
                                                        "_csrf_token": alices_browser.cookies["csrftoken"]})
    assert refused.status_code == 400

    await client.post(f"/settings/users/{alice.user_id}/enable", headers=csrf(client))
    assert (await client.get("/api/v1/photos", headers=alice.auth)).status_code == 200
    await sign_in(alices_browser, "alice")


async def test_a_disabled_users_session_stops_even_without_redis_cleanup(client, alice: Member) -> None:
    """The database alone locks them out: disabling from anywhere (another web process) is enough."""
    await sign_in(client, "alice")
    await users.set_disabled(alice.user_id, True)
    assert not await signed_in(client)


async def test_an_admin_reset_sets_the_password_and_ends_the_users_sessions(client, alices_browser, admin,
                                                                             alice: Member) -> None:
    await sign_in(alices_browser, "alice")
    await sign_in(client, "root", "admin password")
    short = await client.post(f"/settings/users/{alice.user_id}/password", headers=csrf(client),
                              data={"password": "short"})
    assert short.status_code == 400 and "at least 8" in short.text
    response = await client.post(f"/settings/users/{alice.user_id}/password", headers=csrf(client),
                                 data={"password": "reset by the admin"})
    assert response.status_code == 200 and "1 session(s) of theirs ended" in response.text
    assert not await signed_in(alices_browser) and await signed_in(client)
    await sign_in(alices_browser, "alice", "reset by the admin")


async def test_deleting_a_user_keeps_their_librarys_photos(client, admin, alice: Member,
                                                           alices_photo) -> None:
    await sign_in(client, "root", "admin password")
    response = await client.post(f"/settings/users/{alice.user_id}/delete", headers=csrf(client))
    assert response.status_code == 200 and "Deleted alice" in response.text
    assert await accounts.user_by_name("alice") is None
    assert (await client.get("/api/v1/photos", headers=alice.auth)).status_code == 401
    assert (await accounts.library_by_id(alice.library_id)) is not None


@pytest.mark.parametrize("action, data", [("disable", {}), ("delete", {}), ("admin", {"is_admin": "off"})])
async def test_the_last_admin_cannot_be_disabled_deleted_or_demoted(client, admin, action: str,
                                                                    data: dict[str, str]) -> None:
    await sign_in(client, "root", "admin password")
    response = await client.post(f"/settings/users/{admin}/{action}", headers=csrf(client), data=data)
    assert response.status_code == 409 and "last admin" in html.unescape(response.text)
    state = await users.user_state(admin)
    assert state is not None and state.is_admin and not state.disabled
    assert await signed_in(client)


async def test_with_a_second_admin_the_first_can_be_demoted(client, admin) -> None:
    other = await accounts.create_user("second", "admin password", is_admin=True)
    await sign_in(client, "root", "admin password")
    response = await client.post(f"/settings/users/{other}/admin", headers=csrf(client),
                                 data={"is_admin": "off"})
    assert response.status_code == 200
    last = await client.post(f"/settings/users/{admin}/disable", headers=csrf(client))
    assert last.status_code == 409                             # root is the last active admin now


async def test_a_disabled_admin_does_not_count_as_the_remaining_admin(admin) -> None:
    other = await accounts.create_user("second", "admin password", is_admin=True)
    await users.set_disabled(other, True)
    with pytest.raises(users.LastAdmin):
        await users.delete_user(admin)


async def test_a_removed_member_no_longer_sees_the_library(client, alices_browser, alice: Member, bob: Member,
                                                           alices_photo) -> None:
    await accounts.add_member(alice.library_id, bob.user_id)
    photo = f"/api/v1/photos/{alices_photo['photo_id']}"
    assert (await client.get(photo, headers=bob.auth)).status_code == 200
    await sign_in(alices_browser, "alice")                     # the owner removes him
    response = await alices_browser.post(
        f"/settings/libraries/{alice.library_id}/members/{bob.user_id}/remove", headers=csrf(alices_browser))
    assert response.status_code == 200
    assert (await client.get(photo, headers=bob.auth)).status_code == 404


async def test_two_admins_disabling_each_other_at_once_leave_one_active(admin) -> None:
    other = await accounts.create_user("second", "admin password", is_admin=True)
    results = await asyncio.gather(users.set_disabled(admin, True), users.set_disabled(other, True),
                                   return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["LastAdmin", "NoneType"]
    states = [await users.user_state(admin), await users.user_state(other)]
    assert [s.disabled for s in states if s is not None].count(False) == 1
