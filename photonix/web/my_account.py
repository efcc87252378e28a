"""The signed-in user's own account page: change password, API tokens, sign out everywhere.

A token's secret is shown once, in the answer to the form that created it; only its digest is stored.
Changing the password ends every other session of the user; "sign out everywhere" ends this one too."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.datastructures import Cookie
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from photonix.config import Settings
from photonix.db import accounts, roles, tokens, user_sessions, users
from photonix.db.accounts import AccountError, Viewer
from photonix.web import sessions
from photonix.web.auth import provide_page_viewer, session_policy
from photonix.web.deps import SettingsDep, ViewerDep
from photonix.web.flash import Flash, flash_cookie
from photonix.web.params import Id
from photonix.web.settings import FormData
from photonix.web.templating import page, wants_fragment

MAX_TOKEN_NAME = 200


async def account_context(request: HTMXRequest, viewer: Viewer) -> dict[str, Any]:
    managed = await roles.managed_library_ids(viewer)
    return {
        "tokens": await tokens.list_tokens(viewer.id),
        "sessions": await user_sessions.session_count(viewer.id, session_policy(request)),
        "manages_libraries": managed is None or bool(managed),
        "idle_text": _duration(session_policy(request).idle_seconds),
        "new_token": None, "errors": {}, "values": {},
    }


def _duration(seconds: int) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"


class MyAccountController(Controller):
    path = "/account"
    dependencies = {"viewer": Provide(provide_page_viewer)}
    include_in_schema = False

    async def _answer(self, request: HTMXRequest, viewer: Viewer, settings: Settings, message: str,
                      **extra: Any) -> Template | Redirect:
        """Plain form: 303 back with a flash (unless the answer carries a new token's secret); HTMX: the
        section."""
        context = {**await account_context(request, viewer), **extra}
        if wants_fragment(request):
            context["toast"] = Flash("ok", message)       # out of band into #toasts
        elif extra.get("new_token"):
            context["flash"] = Flash("ok", message)       # the page itself carries the one-time secret
        else:
            cookie = flash_cookie(request.app.state.secret, Flash("ok", message),
                                  secure=settings.secure_cookies)
            return Redirect("/account", status_code=303, cookies=[cookie])
        answer = await page(request, "pages/account.html", context, fragment="partials/account.html")
        answer.headers["Cache-Control"] = "no-store"       # never keep a page that showed a secret
        return answer

    async def _invalid(self, request: HTMXRequest, viewer: Viewer, errors: dict[str, str],
                       values: dict[str, str] | None = None) -> Template:
        context = {**await account_context(request, viewer), "errors": errors, "values": values or {}}
        return await page(request, "pages/account.html", context, fragment="partials/account.html",
                          status_code=400)

    @get("/")
    async def account(self, request: HTMXRequest, viewer: ViewerDep) -> Template:
        return await page(request, "pages/account.html", await account_context(request, viewer),
                          fragment="partials/account.html")

    @post("/password")
    async def change_password(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                              data: FormData) -> Template | Redirect:
        new = data.get("new_password", "")
        if new != data.get("confirm_password", ""):
            return await self._invalid(request, viewer, {"new_password": "The two new passwords differ."})
        try:
            await users.change_password(viewer.id, data.get("current_password", ""), new)
        except AccountError as exc:
            field = "current_password" if "current" in str(exc) else "new_password"
            return await self._invalid(request, viewer, {field: str(exc)})
        ended = await user_sessions.end_all_sessions(viewer.id, keep=request.cookies.get(sessions.COOKIE))
        return await self._answer(request, viewer, settings,
                                  f"Password changed; signed out {ended} other session(s).")

    @post("/tokens")
    async def create_token(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                           data: FormData) -> Template | Redirect:
        name = " ".join(data.get("name", "").split())
        if not name or len(name) > MAX_TOKEN_NAME:
            return await self._invalid(request, viewer,
                                       {"token_name": "Name the token (1 to 200 characters), "
                                                      "e.g. the script or laptop that uses it."},
                                       {"name": name})
        secret = await accounts.create_token(viewer.id, name)
        return await self._answer(request, viewer, settings, f"Created the token {name}. Copy it now: "
                                  "it is shown only once.", new_token={"name": name, "secret": secret})

    @post("/tokens/{token_id:int}/revoke")
    async def revoke_token(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                           token_id: Id) -> Template | Redirect:
        if not await tokens.revoke_token(token_id, viewer.id):      # another user's token: as if absent
            raise NotFoundException("There is no such token.")
        return await self._answer(request, viewer, settings, "Revoked the token; it no longer works.")

    @post("/sign-out-everywhere")
    async def sign_out_everywhere(self, request: HTMXRequest, viewer: ViewerDep) -> Redirect:
        await user_sessions.end_all_sessions(viewer.id)
        return Redirect("/login", status_code=303,
                        cookies=[Cookie(key=sessions.COOKIE, value="", max_age=0, path="/")])
