"""The web app on the embedded server's locked-down user: sessions and the sign-in limiter need no
scripts and no admin commands (a Lua or CONFIG call here would be refused)."""

from __future__ import annotations

from pathlib import Path

from litestar.testing import AsyncTestClient

from photonix.config import Settings
from photonix.jobs.embedded_redis import start_embedded_redis
from photonix.web.app import create_app
from tests.conftest import make_settings
from tests.web.conftest import CSRF_COOKIE, make_member, sign_in


async def test_sign_in_and_pages_work_on_the_locked_down_embedded_redis(
    settings: Settings, database: None, clean: None, tmp_path: Path
) -> None:
    server = start_embedded_redis(tmp_path / "data")
    try:
        locked = make_settings(settings.data_dir, {"database": settings.database_url, "redis": server.url})
        await make_member("carol")
        async with AsyncTestClient(app=create_app(locked, owns_database=False)) as client:
            await client.get("/login")
            wrong = await client.post("/login", follow_redirects=False, data={
                "username": "carol", "password": "not it", "_csrf_token": client.cookies[CSRF_COOKIE]})
            assert wrong.status_code == 400                  # the limiter counted it in Redis
            await sign_in(client, "carol")
            assert (await client.get("/photos/")).status_code == 200
    finally:
        server.stop()
