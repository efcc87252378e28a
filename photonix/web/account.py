"""Sign in, sign out, and the first-run welcome that creates the admin and the first library."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from redis.exceptions import RedisError

from photonix.config import Settings
from photonix.db import accounts, user_sessions
from photonix.db.accounts import AccountError
from photonix.errors import Busy
from photonix.jobs.outages import OUTAGE_RETRY_SECONDS, REDIS, unreachable_service
from photonix.jobs.scan import enqueue_scan
from photonix.web import ratelimit, sessions
from photonix.web.client_address import request_host
from photonix.web.deps import RedisDep, SettingsDep
from photonix.web.setup_code import ensure_setup_code, forget_setup_code, setup_code_matches
from photonix.web.templating import page

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
BUSY_RETRY_SECONDS = 5
# Without Redis no failed attempt could be counted, so nobody signs in (a guesser would go unlimited);
# those already signed in carry on, their sessions being in the database.
SIGN_IN_NEEDS_REDIS = ("Signing in is unavailable while Redis cannot be reached: it counts failed attempts. "
                       "Try again in a minute.")


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
    setup_code: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def _later(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{(seconds + 59) // 60} minutes"


def safe_next(target: str) -> str:
    """Only a path on this site: never `//evil.example` or a full URL."""
    return target if target.startswith("/") and not target.startswith("//") else "/photos/"


def session_cookie(token: str, settings: Settings, max_age: int = sessions.MAX_AGE_SECONDS) -> Cookie:
    """The session cookie, or with max_age=0 its removal (same attributes, so a Secure one is replaced)."""
    return Cookie(key=sessions.COOKIE, value=token, httponly=True, samesite="lax",
                  secure=settings.secure_cookies,
                  path="/", max_age=max_age)


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
        return await page(request, "pages/login.html", {"form": SignInForm(next=safe_next(next)),
                                                        "error": None})

    async def _refused(self, request: HTMXRequest, data: SignInForm, message: str, wait: int,
                       status_code: int = 429) -> Template:
        """429 (or 503) with the sentence on the sign-in page (never the password typed)."""
        form = SignInForm(username=data.username, next=safe_next(data.next))
        response = await page(request, "pages/login.html", {"form": form, "error": message},
                              status_code=status_code)
        response.headers["Retry-After"] = str(wait)
        return response

    @post("/login")
    async def login(self, request: HTMXRequest, settings: SettingsDep, redis: RedisDep,
                    data: Annotated[SignInForm, Form]) -> Template | Redirect:
        host = request_host(request, settings)
        try:
            wait = await ratelimit.reserve_attempt(redis, data.username, host)   # before argon2, atomically
        except RedisError as exc:
            if unreachable_service(exc) != REDIS:
                raise
            return await self._refused(request, data, SIGN_IN_NEEDS_REDIS, round(OUTAGE_RETRY_SECONDS),
                                       status_code=503)
        if wait:
            return await self._refused(request, data,
                                       f"Too many failed sign-ins. Try again in {_later(wait)}.", wait)
        try:
            viewer = await accounts.authenticate(data.username, data.password)
        except Busy as exc:
            return await self._refused(request, data, str(exc), BUSY_RETRY_SECONDS)
        if viewer is None:
            return await page(request, "pages/login.html", status_code=400,
                              context={"form": data, "error": "Wrong user name or password."})
        await ratelimit.record_success(redis, data.username, host)
        await user_sessions.end_session(request.cookies.get(sessions.COOKIE))
        token = await user_sessions.start_session(viewer.id)      # always a new id: no fixation
        return Redirect(safe_next(data.next), status_code=303, cookies=[session_cookie(token, settings)])

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any], settings: SettingsDep) -> Redirect:
        await user_sessions.end_session(request.cookies.get(sessions.COOKIE))
        return Redirect("/login", status_code=303, cookies=[session_cookie("", settings, max_age=0)])

    @get("/welcome")
    async def welcome_page(self, request: HTMXRequest, settings: SettingsDep) -> Template | Redirect:
        if await accounts.user_count() > 0:
            return Redirect("/login", status_code=303)
        ensure_setup_code(settings.data_dir)      # whoever started the app, the code exists to be read
        return await page(request, "pages/welcome.html", {"form": WelcomeForm()})

    @post("/welcome")
    async def welcome(self, request: HTMXRequest, settings: SettingsDep, redis: RedisDep,
                      data: Annotated[WelcomeForm, Form]) -> Template | Redirect:
        """First run only: the admin, the first library from a server folder, and its first scan."""
        if await accounts.user_count() > 0:
            return Redirect("/login", status_code=303)
        if not setup_code_matches(settings.data_dir, data.setup_code):
            # Checked first: without the code, nothing about this server (its folders) is revealed.
            data.errors["setup_code"] = "That is not the setup code. Check it and try again."
            data.setup_code = ""
            return await self._welcome_again(request, data, status_code=403)
        # "~user" makes expanduser read the password database: off the event loop, like the stat below.
        typed = data.folder.strip()
        folder = await asyncio.to_thread(Path(typed).expanduser) if typed else None
        if not data.username.strip():
            data.errors["username"] = "Choose a user name."
        if len(data.password) < 8:
            data.errors["password"] = "Use at least 8 characters."
        if not data.library_name.strip():
            data.errors["library_name"] = "Name the library, e.g. Family."
        if folder is not None and not await asyncio.to_thread(folder.is_dir):
            data.errors["folder"] = f"{folder} is not a folder this server can read."
        elif folder is not None and not settings.allows_library_folder(folder):
            data.errors["folder"] = f"{folder} is outside the folders this server allows for libraries."
        if data.errors:
            return await self._welcome_again(request, data, status_code=400)
        try:
            user_id, library_id = await accounts.create_first_admin(
                data.username.strip(), data.password, data.library_name.strip(),
                [folder.resolve()] if folder else [])
        except AccountError as exc:
            if await accounts.user_count() > 0:          # another first run won the race
                return Redirect("/login", status_code=303)
            data.errors["library_name"] = str(exc)
            return await self._welcome_again(request, data, status_code=400)
        forget_setup_code(settings.data_dir)
        if folder is not None:
            await enqueue_scan(redis, library_id)
        token = await user_sessions.start_session(user_id)
        return Redirect("/photos/", status_code=303, cookies=[session_cookie(token, settings)])

    async def _welcome_again(self, request: HTMXRequest, data: WelcomeForm, *, status_code: int) -> Template:
        """The form with its messages and what was typed (a wrong code is dropped), never the password."""
        data.password = ""
        return await page(request, "pages/welcome.html", {"form": data}, status_code=status_code)
