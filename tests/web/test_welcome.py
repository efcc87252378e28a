"""First run: /welcome needs the server's one-time setup code, makes one admin only, and respects library
roots."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from photonix.config import Settings
from photonix.db import accounts
from photonix.errors import ConfigError
from photonix.web.app import create_app
from photonix.web.setup_code import FILE_NAME, ensure_setup_code, forget_setup_code
from tests.conftest import make_settings
from tests.web.concurrent import browser_on
from tests.web.conftest import CSRF_COOKIE, csrf, sign_in


@pytest.fixture
def fresh_code(settings: Settings, clean: None) -> str:
    forget_setup_code(settings.data_dir)
    return ensure_setup_code(settings.data_dir)


def welcome_form(code: str, folder: Path | str = "", username: str = "admin") -> dict[str, str]:
    return {"setup_code": code, "username": username, "password": "correct horse battery",
            "library_name": "Family", "folder": str(folder)}


async def post_welcome(client, form: dict[str, str]):
    await client.get("/welcome")
    return await client.post("/welcome", follow_redirects=False,
                             data={**form, "_csrf_token": client.cookies[CSRF_COOKIE]})


async def test_the_first_visitor_without_the_setup_code_does_not_become_admin(client, fresh_code,
                                                                              tmp_path) -> None:
    response = await post_welcome(client, welcome_form("AAAA-BBBB-CCCC-DDDD",
                                                       folder=tmp_path / "nothing here"))
    assert response.status_code == 403 and "not the setup code" in response.text
    assert "not a folder" not in response.text               # nothing about the server's folders either
    assert await accounts.user_count() == 0
    missing = await post_welcome(client, {k: v for k, v in welcome_form("").items() if k != "setup_code"})
    assert missing.status_code == 403 and await accounts.user_count() == 0


async def test_the_setup_code_makes_the_admin_once_and_is_then_forgotten(client, settings, clean) -> None:
    forget_setup_code(settings.data_dir)
    page = await client.get("/welcome")                     # the page makes the code if nobody has
    assert page.status_code == 200 and 'name="setup_code"' in page.text
    path = settings.data_dir / FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    typed = path.read_text().strip().lower().replace("-", " ")   # as a person might type it
    response = await post_welcome(client, welcome_form(typed))
    assert response.status_code == 303 and response.headers["location"] == "/photos/"
    admin = await accounts.user_by_name("admin")
    assert admin is not None and admin.is_admin
    assert not path.exists()
    assert (await client.get("/welcome", follow_redirects=False)).headers["location"] == "/login"


async def test_two_concurrent_first_runs_make_exactly_one_admin(app, fresh_code) -> None:
    async def first_run(peer: str, username: str) -> str:
        async for browser in browser_on(app, peer):
            response = await browser.post("/welcome", follow_redirects=False, data={
                **welcome_form(fresh_code, username=username), "_csrf_token": browser.cookies[CSRF_COOKIE]})
            assert response.status_code == 303, response.text
            return response.headers["location"]
        raise AssertionError("no browser")

    places = await asyncio.gather(first_run("192.0.2.1", "first"), first_run("192.0.2.2", "second"))
    assert sorted(places) == ["/login", "/photos/"]
    assert await accounts.user_count() == 1


async def test_concurrent_first_admins_in_the_database_make_exactly_one(clean) -> None:
    outcomes = await asyncio.gather(*(accounts.create_first_admin(f"admin{n}", "correct horse battery",
                                                                  f"Library {n}", []) for n in range(3)),
                                    return_exceptions=True)
    assert sum(isinstance(o, tuple) for o in outcomes) == 1
    assert all(isinstance(o, (tuple, accounts.AccountError)) for o in outcomes)
    assert await accounts.user_count() == 1 and len(await accounts.all_libraries()) == 1


@pytest.fixture
def rooted(settings: Settings, tmp_path: Path) -> tuple[Settings, Path]:
    root = tmp_path / "allowed"
    root.mkdir()
    urls = {"database": settings.database_url, "redis": settings.redis_url or ""}
    return make_settings(settings.data_dir, urls, PHOTONIX_LIBRARY_ROOTS=str(root)), root


async def test_a_folder_outside_the_library_roots_is_refused_on_the_welcome_page(rooted, fresh_code,
                                                                                 tmp_path) -> None:
    chosen, root = rooted
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "escape").symlink_to(outside)                    # a link inside a root that leads out of it
    async with AsyncTestClient(app=create_app(chosen, owns_database=False)) as client:
        for folder in (outside, root / "escape"):
            refused = await post_welcome(client, welcome_form(fresh_code, folder=folder))
            assert refused.status_code == 400 and "outside the folders this server allows" in refused.text
        assert await accounts.user_count() == 0
        (root / "family").mkdir()
        accepted = await post_welcome(client, welcome_form(fresh_code, folder=root / "family"))
        assert accepted.status_code == 303


async def test_a_folder_outside_the_library_roots_is_refused_in_settings(rooted, clean, tmp_path) -> None:
    chosen, root = rooted
    await accounts.create_user("root", "correct horse battery", is_admin=True)
    async with AsyncTestClient(app=create_app(chosen, owns_database=False)) as client:
        await sign_in(client, "root")
        refused = await client.post("/settings/libraries", headers=csrf(client),
                                    data={"name": "Elsewhere", "folder": str(tmp_path)})
        assert refused.status_code == 400 and "outside the folders allowed for libraries" in refused.text
        assert await accounts.library_by_name("Elsewhere") is None
        library_id = await accounts.create_library("Family", [])
        added = await client.post(f"/settings/libraries/{library_id}/folders", headers=csrf(client),
                                  data={"folder": str(tmp_path)})
        assert added.status_code == 400
        accepted = await client.post("/settings/libraries", headers=csrf(client), follow_redirects=False,
                                     data={"name": "Inside", "folder": str(root)})
        assert accepted.status_code == 303


def test_library_roots_must_be_absolute_folders() -> None:
    with pytest.raises(ConfigError, match="PHOTONIX_LIBRARY_ROOTS"):
        Settings.from_env({"PHOTONIX_DATA_DIR": "/tmp/unused", "PHOTONIX_LIBRARY_ROOTS": "photos"})
