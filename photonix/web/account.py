"""Sign in, sign out, and the first-run welcome that creates the admin and the first library."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from photonix.config import Settings
from photonix.db import accounts
from photonix.db.accounts import AccountError
from photonix.jobs.scan import enqueue_scan
from photonix.web import ratelimit, sessions
from photonix.web.deps import SettingsDep
from photonix.web.templating import page

Form = Body(media_type=RequestEncodingType.URL_ENCODED)


@dataclass
class SignInForm:
    username: str = ""
    password: str = ""
    next: str = "/photos/"


@dataclass
class WelcomeForm:
    username: str = ""
    password: str = ""
    library_name: str = ""
    folder: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def safe_next(target: str) -> str:
    """Only a path on this site: never `//evil.example` or a full URL."""
    return target if target.startswith("/") and not target.startswith("//") else "/photos/"


def session_cookie(token: str, settings: Settings) -> Cookie:
    return Cookie(key=sessions.COOKIE, value=token, httponly=True, samesite="lax", secure=settings.secure_cookies,
                  path="/", max_age=sessions.MAX_AGE_SECONDS)


class AccountController(Controller):
    include_in_schema = False

    @get("/")
    async def home(self) -> Redirect:
        return Redirect("/photos/", status_code=303)

    @get("/login")
    async def login_page(self, request: HTMXRequest,
                         next: FromQuery[str] = "/photos/") -> Template | Redirect:
        if await accounts.user_count() == 0:
            return Redirect("/welcome", status_code=303)
        return await page(request, "pages/login.html", {"form": SignInForm(next=safe_next(next)), "error": None})

    @post("/login")
    async def login(self, request: HTMXRequest, settings: SettingsDep,
                    data: Annotated[SignInForm, Form]) -> Template | Redirect:
        redis = request.app.state.redis
        address = request.client.host if request.client else "unknown"
        wait = await ratelimit.seconds_locked(redis, data.username, address)
        if wait:
            return await page(request, "pages/login.html", status_code=429, context={
                "form": data, "error": f"Too many failed sign-ins. Try again in {wait // 60 + 1} minutes."})
        viewer = await accounts.authenticate(data.username, data.password)
        if viewer is None:
            await ratelimit.record_failure(redis, data.username, address)
            return await page(request, "pages/login.html", status_code=400,
                              context={"form": data, "error": "Wrong user name or password."})
        await ratelimit.clear_failures(redis, data.username, address)
        await sessions.end_session(redis, request.cookies.get(sessions.COOKIE))
        token = await sessions.start_session(redis, viewer.id)      # always a new id: no fixation
        return Redirect(safe_next(data.next), status_code=303, cookies=[session_cookie(token, settings)])

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        await sessions.end_session(request.app.state.redis, request.cookies.get(sessions.COOKIE))
        return Redirect("/login", status_code=303, cookies=[Cookie(key=sessions.COOKIE, value="", max_age=0, path="/")])

    @get("/welcome")
    async def welcome_page(self, request: HTMXRequest) -> Template | Redirect:
        if await accounts.user_count() > 0:
            return Redirect("/login", status_code=303)
        return await page(request, "pages/welcome.html", {"form": WelcomeForm()})

    @post("/welcome")
    async def welcome(self, request: HTMXRequest, settings: SettingsDep,
                      data: Annotated[WelcomeForm, Form]) -> Template | Redirect:
        """First run only: the admin, the first library from a server folder, and its first scan."""
        if await accounts.user_count() > 0:
            return Redirect("/login", status_code=303)
        folder = Path(data.folder.strip()).expanduser() if data.folder.strip() else None
        if not data.username.strip():
            data.errors["username"] = "Choose a user name."
        if len(data.password) < 8:
            data.errors["password"] = "Use at least 8 characters."
        if not data.library_name.strip():
            data.errors["library_name"] = "Name the library, e.g. Family."
        if folder is not None and not folder.is_dir():
            data.errors["folder"] = f"{folder} is not a folder this server can read."
        if data.errors:
            return await page(request, "pages/welcome.html", {"form": data}, status_code=400)
        try:
            user_id = await accounts.create_user(data.username.strip(), data.password, is_admin=True)
            library_id = await accounts.create_library(data.library_name.strip(),
                                                       [folder.resolve()] if folder else [], user_id)
        except AccountError as exc:
            data.errors["username"] = str(exc)
            return await page(request, "pages/welcome.html", {"form": data}, status_code=400)
        if folder is not None:
            await enqueue_scan(request.app.state.redis, library_id)
        token = await sessions.start_session(request.app.state.redis, user_id)
        return Redirect("/photos/", status_code=303, cookies=[session_cookie(token, settings)])
