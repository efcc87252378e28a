"""The colour theme: dark (the default, as UI.md says), light, or the system's (`prefers-color-scheme`).

The choice lives in a cookie that the server reads into `<html data-theme>`, so the first paint has the
right colours and it works without JavaScript: the Account page's switch is a plain form POST."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.datastructures import Cookie
from litestar.di import Provide
from litestar.response import Redirect

from photonix.web.auth import provide_page_viewer
from photonix.web.deps import SettingsDep, ViewerDep
from photonix.web.flash import Flash, flash_cookie
from photonix.web.settings import FormData

COOKIE = "theme"
THEMES = {"system": "System", "light": "Light", "dark": "Dark"}
DEFAULT = "dark"                # UI.md: dark by default; light, or the system's, by choice
ONE_YEAR = 365 * 24 * 3600


def theme_of(request: Request[Any, Any, Any]) -> str:
    """The theme the cookie names; anything else (no cookie, an old or forged value) is the default."""
    chosen = request.cookies.get(COOKIE, DEFAULT)
    return chosen if chosen in THEMES else DEFAULT


class ThemeController(Controller):
    path = "/account/theme"
    dependencies = {"viewer": Provide(provide_page_viewer)}
    include_in_schema = False

    @post("/")
    async def choose(self, request: Request[Any, Any, Any], viewer: ViewerDep, settings: SettingsDep,
                     data: FormData) -> Redirect:
        chosen = data.get("theme", "")
        if chosen not in THEMES:
            flash = flash_cookie(request.app.state.secret, Flash("error", "Pick System, Light or Dark."),
                                 secure=settings.secure_cookies)
            return Redirect("/account", status_code=303, cookies=[flash])
        cookie = Cookie(key=COOKIE, value=chosen, max_age=ONE_YEAR, path="/", httponly=True, samesite="lax",
                        secure=settings.secure_cookies)
        flash = flash_cookie(request.app.state.secret, Flash("ok", f"Theme: {THEMES[chosen]}."),
                             secure=settings.secure_cookies)
        return Redirect("/account#appearance", status_code=303, cookies=[cookie, flash])
