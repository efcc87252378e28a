"""Admin settings as a browser uses them: users, libraries, classifier switches, and who may open them."""

from __future__ import annotations

import asyncio
import html
import shutil
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from photonix.classifiers import CLASSIFIERS
from photonix.db import accounts, classifier_settings, overviews
from photonix.db.tables import Photo
from photonix.jobs.queue import queue_depth
from photonix.jobs.worker import build_worker, run_until_stopped
from tests.library_files import import_into
from tests.web.conftest import CSRF_COOKIE, Member, csrf, sign_in
from tests.web.test_pages import PHOTO, Elements

Client = AsyncTestClient[Litestar]
PAGES = ("/settings/libraries", "/settings/users", "/settings/classifiers")
CLASSIFIER = CLASSIFIERS[0].name
POSTS = ("/settings/libraries", "/settings/libraries/{lib}/folders", "/settings/libraries/{lib}/scan",
         "/settings/libraries/{lib}/members", "/settings/users", f"/settings/classifiers/{CLASSIFIER}")


@pytest.fixture
async def admin(clean: None) -> int:
    return await accounts.create_user("root", "admin password", is_admin=True)


async def signed_in_admin(client: Client) -> None:
    await sign_in(client, "root", "admin password")


def form(client: Client, **fields: str) -> dict[str, str]:
    return {**fields, "_csrf_token": client.cookies[CSRF_COOKIE]}


async def test_created_user_signs_in_and_sees_only_their_libraries(client, admin, alice: Member, redis,
                                                                  tmp_path) -> None:
    family = await accounts.create_library("Family", [tmp_path])
    [theirs] = (await import_into(redis, family, [PHOTO.file])).new_photo_ids
    [not_theirs] = (await import_into(redis, alice.library_id, [PHOTO.file])).new_photo_ids
    await signed_in_admin(client)
    response = await client.post("/settings/users", follow_redirects=False, data=form(
        client, username="carol", password="carol's password", **{f"library-{family}": "on"}))
    assert response.status_code == 303 and response.headers["location"] == "/settings/users"
    listed = await client.get("/settings/users")
    assert "Created carol" in listed.text            # the flash rode the redirect
    [row] = [r for r in (await overviews.user_overviews()) if r.username == "carol"]
    assert Elements(listed.text).all("tr", id=f"user-{row.id}") and row.libraries == ("Family",)

    await client.post("/logout", data=form(client))
    await sign_in(client, "carol", "carol's password")
    grid = Elements((await client.get("/photos/")).text)
    assert grid.all("a", id=f"p{theirs}") and not grid.all("a", id=f"p{not_theirs}")
    assert (await client.get("/settings/users")).status_code == 403


async def test_short_password_answers_400_beside_the_field(client, admin) -> None:
    await signed_in_admin(client)
    response = await client.post("/settings/users", data=form(client, username="dave", password="short"))
    assert response.status_code == 400
    assert Elements(response.text).all("p", id="err-user-password")
    assert "at least 8 characters" in response.text
    assert await accounts.user_by_name("dave") is None


async def test_library_with_a_missing_folder_answers_400_with_the_message(client, admin,
                                                                          tmp_path: Path) -> None:
    await signed_in_admin(client)
    missing = tmp_path / "not-there"
    response = await client.post("/settings/libraries", data=form(client, name="Trips", folder=str(missing)))
    assert response.status_code == 400
    assert Elements(response.text).all("p", id="err-library-folder")
    assert f"{missing} is not a folder" in response.text
    assert await accounts.library_by_name("Trips") is None


async def test_library_with_a_folder_is_created_and_scanned(client, admin, redis, tmp_path: Path) -> None:
    await signed_in_admin(client)
    response = await client.post("/settings/libraries", data=form(client, name="Trips", folder=str(tmp_path)),
                                 headers={**csrf(client), "HX-Request": "true"})
    fragment = Elements(response.text)
    assert response.status_code == 200 and fragment.all("section", id="settings-libraries")
    assert not fragment.all("html") and fragment.all("div", id="toasts")
    library = await accounts.library_by_name("Trips")
    assert library is not None and library.folders == (tmp_path.resolve(),)
    assert [key async for key in redis.scan_iter(match=f"arq:job:scan_library:{library.id}:*")]


async def test_member_is_added_by_user_name(client, admin, alice: Member) -> None:
    family = await accounts.create_library("Family", [])
    await signed_in_admin(client)
    unknown = await client.post(f"/settings/libraries/{family}/members", data=form(client, username="nobody"))
    assert unknown.status_code == 400 and Elements(unknown.text).all("p", id=f"err-member-{family}")
    added = await client.post(f"/settings/libraries/{family}/members",
                              data=form(client, username="alice", role="owner"))
    assert added.status_code == 200         # the 303 was followed back to the tab
    assert "Family" in [lib.name for lib in await accounts.libraries_of(alice.user_id)]


async def test_member_gets_403_on_every_settings_page_and_form(client, alice: Member) -> None:
    """A member (not an owner) of the library: every settings page and form, that library's included."""
    carol = await accounts.create_user("carol", "correct horse battery")
    await accounts.add_member(alice.library_id, carol, role="member")
    await sign_in(client, "carol")
    for path in PAGES:
        response = await client.get(path)
        assert response.status_code == 403 and "You can't open this" in html.unescape(response.text)
    for path in POSTS:
        response = await client.post(path.format(lib=alice.library_id), headers=csrf(client),
                                     data={"name": "Mine", "username": "alice", "password": "long enough",
                                           "folder": "/", "enabled": "off"})
        assert response.status_code == 403, path
    assert await accounts.user_by_name("Mine") is None and await classifier_settings.is_enabled(CLASSIFIER)


async def test_signed_out_settings_redirect_to_sign_in(client, admin) -> None:
    for path in PAGES:
        response = await client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == f"/login?next={path}"


async def test_turning_a_classifier_off_shows_it_off(client, admin) -> None:
    await signed_in_admin(client)
    response = await client.post(f"/settings/classifiers/{CLASSIFIER}", data=form(client, enabled="off"))
    assert response.status_code == 200
    [switch] = Elements(response.text).all("button", id=f"switch-{CLASSIFIER}")
    assert switch["aria-checked"] == "false"
    assert not await classifier_settings.is_enabled(CLASSIFIER)
    back_on = await client.post(f"/settings/classifiers/{CLASSIFIER}", data={"enabled": "on"},
                                headers={**csrf(client), "HX-Request": "true"})
    assert Elements(back_on.text).all("button", id=f"switch-{CLASSIFIER}")[0]["aria-checked"] == "true"
    assert await classifier_settings.is_enabled(CLASSIFIER)


async def test_post_without_csrf_token_is_refused(client, admin) -> None:
    await signed_in_admin(client)
    response = await client.post(f"/settings/classifiers/{CLASSIFIER}", data={"enabled": "off"})
    assert response.status_code == 403
    assert await classifier_settings.is_enabled(CLASSIFIER)


async def test_a_library_made_in_the_form_is_watched_while_the_worker_runs(
    client, admin, settings, pool, redis, tmp_path: Path
) -> None:
    running = build_worker(settings, pool=pool, watch=True)
    task = asyncio.create_task(run_until_stopped(running))
    try:
        await until(lambda: "watcher" in running.ctx, "the worker's watcher to start")
        await signed_in_admin(client)
        response = await client.post("/settings/libraries", follow_redirects=False,
                                     data=form(client, name="Trips", folder=str(tmp_path)))
        assert response.status_code == 303
        await until_async(lambda: idle(redis), "the scan the form queued to finish")
        shutil.copy(PHOTO.file, tmp_path / "dropped-in-later.jpg")     # only the watcher can see this
        await until_async(lambda: has_photos(1), "the dropped file to be imported")
    finally:
        running.handle_sig(signal.SIGTERM)
        await task


async def until(predicate: Callable[[], bool], what: str) -> None:
    async def check() -> bool:
        return predicate()
    await until_async(check, what)


async def until_async(predicate: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + 60
    while not await predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def idle(redis) -> bool:
    depth = await queue_depth(redis)
    return depth["queued"] == 0 and depth["running"] == 0


async def has_photos(n: int) -> bool:
    return await Photo.count() >= n
