"""Session and CSRF cookies are Secure by default; plain HTTP from another host gets a hint on sign-in."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from photonix.config import Settings
from photonix.web import sessions
from photonix.web.app import create_app
from tests.web.conftest import Member, sign_in
from tests.web.test_pages import Elements


@pytest.fixture
def secure_app(settings: Settings, clean: None) -> Litestar:
    """The app as deployed: PHOTONIX_SECURE_COOKIES left at its default."""
    deployed = Settings.from_env({"PHOTONIX_DATA_DIR": str(settings.data_dir),
                                  "PHOTONIX_DATABASE_URL": settings.database_url,
                                  "PHOTONIX_REDIS_URL": settings.redis_url or ""})
    assert deployed.secure_cookies
    return create_app(deployed, owns_database=False)


def over(app: Litestar, base_url: str) -> AsyncTestClient[Litestar]:
    """A client reaching the app at base_url (one at a time: each runs the app's startup in its own loop)."""
    return AsyncTestClient(app=app, base_url=base_url)


def set_cookie_lines(response) -> dict[str, str]:
    return {line.split("=", 1)[0]: line for line in response.headers.get_list("set-cookie")}


async def test_session_and_csrf_cookies_are_secure_by_default(secure_app, alice: Member) -> None:
    async with over(secure_app, "https://photos.example") as client:
        await _sign_in_and_out(client)


async def _sign_in_and_out(client: AsyncTestClient[Litestar]) -> None:
    login = await client.get("/login")
    assert "secure" in set_cookie_lines(login)["csrftoken"].lower()
    response = await client.post("/login", follow_redirects=False, data={
        "username": "alice", "password": "correct horse battery", "_csrf_token": client.cookies["csrftoken"]})
    session = set_cookie_lines(response)[sessions.COOKIE].lower()
    assert response.status_code == 303 and "secure" in session and "httponly" in session
    assert (await client.get("/photos/")).status_code == 200
    signed_out = await client.post("/logout", headers={"x-csrftoken": client.cookies["csrftoken"]},
                                   follow_redirects=False)
    assert "secure" in set_cookie_lines(signed_out)[sessions.COOKIE].lower()


@pytest.mark.parametrize("base_url, hinted", [
    ("http://photos.lan", True), ("http://192.168.1.20:8000", True),
    ("https://photos.example", False), ("http://127.0.0.1:8000", False), ("http://localhost:8000", False),
])
async def test_plain_http_from_another_host_gets_a_hint_on_sign_in(secure_app, alice: Member, base_url: str,
                                                                   hinted: bool) -> None:
    async with over(secure_app, base_url) as client:
        page = Elements((await client.get("/login")).text)
    assert bool(page.all("p", id="plain-http-hint")) is hinted


async def test_no_hint_behind_a_tls_proxy(secure_app, alice: Member) -> None:
    async with over(secure_app, "http://photos.lan") as client:
        page = Elements((await client.get("/login", headers={"X-Forwarded-Proto": "https"})).text)
    assert not page.all("p", id="plain-http-hint")


async def test_the_test_settings_opt_out_explicitly(client, settings: Settings, alice: Member) -> None:
    assert not settings.secure_cookies
    await sign_in(client, "alice")
    assert not Elements((await client.get("/login")).text).all("p", id="plain-http-hint")
