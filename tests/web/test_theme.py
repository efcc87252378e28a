"""The theme switch: a form POST sets a cookie that the server renders into <html data-theme>."""

from __future__ import annotations

from tests.web.conftest import CSRF_COOKIE, Member, sign_in
from tests.web.test_pages import Elements


def theme_of(html: str) -> str | None:
    return Elements(html).all("html")[0].get("data-theme")


def pressed(html: str) -> list[str | None]:
    buttons = Elements(html).all("button", name="theme")
    return [a.get("value") for a in buttons if a.get("aria-pressed") == "true"]


async def test_the_theme_choice_sticks_without_javascript(client, alice: Member) -> None:
    await sign_in(client, "alice")
    account = await client.get("/account")
    assert theme_of(account.text) == "dark" and pressed(account.text) == ["dark"]         # the default
    chosen = await client.post("/account/theme", follow_redirects=False,
                               data={"theme": "light", "_csrf_token": client.cookies[CSRF_COOKIE]})
    assert chosen.status_code == 303 and chosen.headers["location"].startswith("/account")
    cookie = [c for c in chosen.headers.get_list("set-cookie") if c.startswith("theme=")]
    assert len(cookie) == 1 and "theme=light" in cookie[0] and "Max-Age=31536000" in cookie[0]
    for path in ("/photos/", "/account", "/s/no-such-link"):
        assert theme_of((await client.get(path)).text) == "light", path
    assert pressed((await client.get("/account")).text) == ["light"]


async def test_only_the_three_themes_are_kept(client, alice: Member) -> None:
    await sign_in(client, "alice")
    refused = await client.post("/account/theme", follow_redirects=False,
                                data={"theme": "neon", "_csrf_token": client.cookies[CSRF_COOKIE]})
    assert refused.status_code == 303
    assert not [c for c in refused.headers.get_list("set-cookie") if c.startswith("theme=")]
    client.cookies.set("theme", "\"><script>")                  # a forged cookie renders the default
    assert theme_of((await client.get("/photos/")).text) == "dark"


async def test_choosing_a_theme_needs_a_session_and_the_csrf_token(client, alice: Member) -> None:
    signed_out = await client.post("/account/theme", data={"theme": "dark"}, follow_redirects=False)
    assert signed_out.status_code in (303, 401, 403)
    assert "theme=dark" not in signed_out.headers.get("set-cookie", "")
    await sign_in(client, "alice")
    forged = await client.post("/account/theme", data={"theme": "dark"}, follow_redirects=False)
    assert forged.status_code == 403 and "theme=dark" not in forged.headers.get("set-cookie", "")

