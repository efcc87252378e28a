"""Roles, crawled: every state-changing route as a stranger, a user of another library, a member, an owner
and an admin of the library, against the rule in db/roles.py (404 unseen, 403 seen but not allowed)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from photonix.db import accounts, album_members, album_photos, albums, photos, share_links
from tests.web.conftest import CSRF_COOKIE, Member, sign_in
from tests.web.test_security import MUTATING, concrete, request, routes

OK = "reaches the action"
# Signing in and out; and the public share pages, which no role reaches by its own right (their token
# does: tests/web/test_share_security.py crawls them).
SKIPPED = ("/login", "/welcome", "/logout", "/s/")


@dataclass(frozen=True)
class Actor:
    role: str                    # stranger | other | member | owner | admin
    username: str | None
    token: str | None


def expected(path: str, role: str) -> str | int:
    """What each role gets on a mutating route of Alice's library, her photo or another user."""
    if path.startswith("/account"):
        # your own account only; a token id not yours is absent
        return 404 if "{token_id" in path else OK
    if path.startswith("/settings/libraries/{library_id"):
        return {"other": 404, "member": 403}.get(role, OK)
    if path.startswith("/settings"):                    # new libraries, users, every token, classifiers
        return OK if role == "admin" else 403
    if path.startswith(("/jobs/", "/api/v1/jobs/")):   # the job actions: admins only
        return OK if role == "admin" else 403
    if path.endswith("/reprocess"):
        return {"other": 404, "member": 403}.get(role, OK)
    if path == "/photos/trash/restore-all":             # the viewer's own libraries' trash: anyone's own
        return OK
    if path == "/photos/trash/empty":                   # owners of some library (their own) and admins
        return 403 if role == "member" else OK
    if path == "/albums":                               # anyone signed in makes albums of their own
        return OK
    if path.endswith("/leave") and "{album_id" in path:  # a member leaves; others are no member of it
        return OK if role == "member" else 404
    if "{album_id" in path:
        # Alice's album, shared with the member (Carol) as a viewer: she sees it but may not change it.
        # Album roles are the album's own: an admin who is no member of it does not see it.
        return {"other": 404, "member": 403, "admin": 404}.get(role, OK)
    if path.startswith("/photos/selection/"):          # tagging a selection of her photos: every member
        return 404 if role == "other" else OK
    if path == "/shares/new":                           # a member shares the photos of her library
        return 404 if role == "other" else OK
    if "{link_id" in path:                              # Alice's link: hers alone to edit or revoke
        return OK if role == "owner" else 404
    if "{photo_id" in path or path.startswith("/upload"):   # view, rate, tag, upload: every member
        return 404 if role == "other" else OK
    raise AssertionError(f"{path} has no rule here: say who may use it")


def crawl_order(route: tuple[str, str]) -> tuple[bool, bool, bool, str]:
    """Routes that end the actor's session, delete the target user, or delete or leave the album go last."""
    path = route[1]
    ends_album = path.startswith("/albums/") and path.endswith(("/delete", "/leave"))
    ends_user = path.endswith("/delete") and "users" in path
    return path.endswith("/sign-out-everywhere"), ends_user, ends_album, path


@pytest.fixture
async def cast(alice: Member, bob: Member) -> dict[str, Actor]:
    carol = await accounts.create_user("carol", "correct horse battery")
    await accounts.add_member(alice.library_id, carol, role="member")
    root = await accounts.create_user("root", "correct horse battery", is_admin=True)
    await accounts.add_member(alice.library_id, root, role="member")     # admin by account, member by role
    return {
        "stranger": Actor("stranger", None, None),
        "other": Actor("other", "bob", bob.token),
        "member": Actor("member", "carol", await accounts.create_token(carol, "tests")),
        "owner": Actor("owner", "alice", alice.token),
        "admin": Actor("admin", "root", await accounts.create_token(root, "tests")),
    }


@pytest.fixture
async def targets(alice: Member, alices_photo: dict[str, int | str],
                  cast: dict[str, Actor]) -> dict[str, int | str]:
    """Path ids: Alice's photo, tag and library, and Dave, a member of her library with a token."""
    dave = await accounts.create_user("dave", "correct horse battery")
    await accounts.add_member(alice.library_id, dave, role="member")
    token_id = await _token_id(dave, await accounts.create_token(dave, "dave's script"))
    album_id = await albums.create_album(alice.user_id, "Alice's album")
    await album_photos.add_photos(alice.user_id, album_id, [int(alices_photo["photo_id"])])
    await album_members.share_album(alice.user_id, album_id, "carol", "viewer")
    link = await share_links.create_for_photos(alice.user_id, [int(alices_photo["photo_id"])],
                                               share_links.ShareOptions())
    return {**alices_photo, "library_id": alice.library_id, "user_id": dave, "token_id": token_id,
            "name": "color", "album_id": album_id, "link_id": link.link.id, "action": "add-tag"}


async def _token_id(user_id: int, _: str) -> int:
    from photonix.db import tokens
    [token] = await tokens.list_tokens(user_id)
    return token.id


@pytest.mark.parametrize("role", ["stranger", "other", "member", "owner", "admin"])
async def test_every_mutating_route_follows_the_role_rule(app: Litestar, client: AsyncTestClient[Litestar],
                                                          cast, targets, tmp_path, role: str) -> None:
    actor = cast[role]
    if actor.username:
        await sign_in(client, actor.username)
    else:
        await client.get("/login")
    headers = {"x-csrftoken": client.cookies[CSRF_COOKIE]}
    if actor.token:
        headers["Authorization"] = f"Bearer {actor.token}"
    data = {"rating": "3", "name": "x", "username": "dave", "role": "member", "folder": str(tmp_path),
            "password": "long enough", "is_admin": "on", "enabled": "on",
            "library": str(targets["library_id"]), "ids": str(targets["photo_id"]), "tag": "x"}
    mutating = sorted(((m, p) for m, p in routes(app) if m in MUTATING and not p.startswith(SKIPPED)),
                      key=crawl_order)
    assert len(mutating) >= 20
    wrong = []
    for method, path in mutating:
        url = concrete(path, targets)
        body = {"json": {}} if path.startswith("/api/") else {"data": data}
        response = await request(client, method, url, headers=headers, **body)
        status = response.status_code
        if role == "stranger":
            if 200 <= status < 300 or status >= 500:
                wrong.append(f"{method} {path}: {status}")
            continue
        want = expected(path, role)
        if want == OK:
            if status in (401, 403, 404) or status >= 500:
                wrong.append(f"{method} {path}: {status}, expected to reach the action")
        elif status != want:
            wrong.append(f"{method} {path}: {status}, expected {want}")
    assert not wrong, "\n".join(wrong)


async def test_a_member_cannot_reprocess_and_an_owner_can(client, alice: Member, cast, alices_photo) -> None:
    photo_id = alices_photo["photo_id"]
    before = (await photos.source_for(int(photo_id))).version
    member = {"Authorization": f"Bearer {cast['member'].token}"}
    refused = await client.post(f"/api/v1/photos/{photo_id}/reprocess", headers=member, json={})
    assert refused.status_code == 403 and "owners" in refused.json()["detail"]
    assert (await photos.source_for(int(photo_id))).version == before
    done = await client.post(f"/api/v1/photos/{photo_id}/reprocess", headers=alice.auth, json={})
    assert done.status_code == 202 and done.json()["version"] == before + 1


async def test_a_member_sees_no_reprocess_button_and_the_owner_does(client, cast, alices_photo) -> None:
    await sign_in(client, "carol")
    page = (await client.get(f"/photos/{alices_photo['photo_id']}")).text
    assert "/reprocess" not in page
    await client.post("/logout", headers={"x-csrftoken": client.cookies[CSRF_COOKIE]})
    await sign_in(client, "alice")
    assert "/reprocess" in (await client.get(f"/photos/{alices_photo['photo_id']}")).text


async def test_an_owner_manages_only_their_own_libraries(client, alice: Member, bob: Member) -> None:
    await sign_in(client, "alice")
    page = await client.get("/settings/libraries")
    assert page.status_code == 200
    assert "alice&#39;s library" in page.text and "bob&#39;s library" not in page.text
    assert "New library" not in page.text and "/settings/users" not in page.text
    headers = {"x-csrftoken": client.cookies[CSRF_COOKIE]}
    theirs = await client.post(f"/settings/libraries/{bob.library_id}/scan", headers=headers)
    assert theirs.status_code == 404
    assert (await client.get("/settings/users")).status_code == 403
