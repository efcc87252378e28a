"""Admin settings for people: create users, reset passwords, disable, promote, delete; every API token.

Each change that should lock someone out does so at once: a disabled or deleted user's sessions end and
their tokens stop working at their next request; a reset password ends every session of that user."""

from __future__ import annotations

from typing import Any

from arq import ArqRedis
from litestar import Controller, get, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from photonix.db import accounts, overviews, tokens, users
from photonix.db.accounts import AccountError, Viewer
from photonix.web import ratelimit, sessions
from photonix.web.auth import provide_page_viewer, requires_admin
from photonix.web.deps import RedisDep, SettingsDep, ViewerDep
from photonix.web.params import Id
from photonix.web.settings import MIN_PASSWORD, FormData, done, invalid, tabs_for
from photonix.web.templating import page

TAB = "users"


async def users_context(viewer: Viewer, redis: ArqRedis) -> dict[str, Any]:
    people = await overviews.user_overviews()
    return {"tab": TAB, "tabs": tabs_for(viewer), "users": people,
            "locks": await _sign_in_locks(redis, people),
            "libraries": await accounts.all_libraries(), "tokens": await tokens.list_tokens(None),
            "errors": {}, "values": {}}


async def _sign_in_locks(redis: ArqRedis, people: list[overviews.UserOverview]) -> dict[int, int]:
    """User id -> seconds their sign-in stays locked somewhere (only the locked ones)."""
    locked = await ratelimit.locked_users(redis, [user.username for user in people])
    return {user.id: locked[user.username] for user in people if user.username in locked}


async def _user_or_404(user_id: int) -> users.UserState:
    state = await users.user_state(user_id)
    if state is None:
        raise NotFoundException("There is no such user.")
    return state


class UsersController(Controller):
    path = "/settings"
    guards = [requires_admin]
    dependencies = {"viewer": Provide(provide_page_viewer)}
    include_in_schema = False

    async def _refused(self, request: HTMXRequest, viewer: Viewer, redis: ArqRedis, user_id: int,
                       message: str) -> Template:
        return await invalid(request, TAB, await users_context(viewer, redis), {f"user-{user_id}": message},
                             {},
                             status_code=409)

    @get("/users")
    async def users(self, request: HTMXRequest, viewer: ViewerDep, redis: RedisDep) -> Template:
        return await page(request, "pages/settings_users.html", await users_context(viewer, redis),
                          fragment="partials/settings_users.html")

    @post("/users")
    async def create_user(self, request: HTMXRequest, viewer: ViewerDep, redis: RedisDep,
                          settings: SettingsDep,
                          data: FormData) -> Template | Redirect:
        """No open sign-up: this form is how people get an account, with the libraries they may see."""
        username = data.get("username", "").strip()
        password = data.get("password", "")
        context = await users_context(viewer, redis)
        wanted = [lib.id for lib in context["libraries"] if data.get(f"library-{lib.id}")]
        errors: dict[str, str] = {}
        if not username or len(username) > 150:
            errors["username"] = "Choose a user name (1 to 150 characters)."
        elif await accounts.user_by_name(username) is not None:
            errors["username"] = f"A user named {username} already exists."
        if len(password) < MIN_PASSWORD:
            errors["password"] = f"Use at least {MIN_PASSWORD} characters."
        if errors:
            return await invalid(request, TAB, context, errors, data)
        try:
            user_id = await accounts.create_user(username, password, is_admin=bool(data.get("is_admin")))
        except AccountError as exc:          # a concurrent request took the name between check and insert
            return await invalid(request, TAB, context, {"username": str(exc)}, data)
        for library_id in wanted:
            await accounts.add_member(library_id, user_id, role="member")
        return await done(request, settings, TAB, await users_context(viewer, redis),
                          f"Created {username}; they can sign in now.")

    @post("/users/{user_id:int}/password")
    async def reset_password(self, request: HTMXRequest, viewer: ViewerDep, redis: RedisDep,
                             settings: SettingsDep,
                             user_id: Id,
                             data: FormData) -> Template | Redirect:
        user = await _user_or_404(user_id)
        try:
            await users.set_password(user_id, data.get("password", ""))
        except AccountError as exc:
            return await invalid(request, TAB, await users_context(viewer, redis),
                                 {f"password-{user_id}": str(exc)}, {})
        ended = await sessions.end_all_sessions(request.app.state.redis, user_id,
                                                keep=request.cookies.get(sessions.COOKIE))
        return await done(request, settings, TAB, await users_context(viewer, redis),
                          f"New password set for {user.username}; {ended} session(s) of theirs ended.")

    @post("/users/{user_id:int}/disable")
    async def disable(self, request: HTMXRequest, viewer: ViewerDep, redis: RedisDep, settings: SettingsDep,
                      user_id: Id) -> Template | Redirect:
        user = await _user_or_404(user_id)
        try:
            await users.set_disabled(user_id, True)
        except AccountError as exc:
            return await self._refused(request, viewer, redis, user_id, str(exc))
        await sessions.end_all_sessions(redis, user_id)
        return await done(request, settings, TAB, await users_context(viewer, redis),
                          f"Disabled {user.username}: signed out everywhere; their API tokens stop working.")

    @post("/users/{user_id:int}/enable")
    async def enable(self, request: HTMXRequest, viewer: ViewerDep, redis: RedisDep, settings: SettingsDep,
                     user_id: Id) -> Template | Redirect:
        user = await _user_or_404(user_id)
        await users.set_disabled(user_id, False)
        return await done(request, settings, TAB, await users_context(viewer, redis),
                          f"Enabled {user.username}; they can sign in again.")

    @post("/users/{user_id:int}/admin")
    async def set_admin(self, request: HTMXRequest, viewer: ViewerDep, redis: RedisDep, settings: SettingsDep,
                        user_id: Id,
                        data: FormData) -> Template | Redirect:
        user = await _user_or_404(user_id)
        wanted = data.get("is_admin")
        if wanted not in ("on", "off"):
            return await self._refused(request, viewer, redis, user_id, "Choose on or off.")
        try:
            await users.set_admin(user_id, wanted == "on")
        except AccountError as exc:
            return await self._refused(request, viewer, redis, user_id, str(exc))
        return await done(request, settings, TAB, await users_context(viewer, redis),
                          f"{user.username} is {'now an admin' if wanted == 'on' else 'no longer an admin'}.")

    @post("/users/{user_id:int}/delete")
    async def delete(self, request: HTMXRequest, viewer: ViewerDep, redis: RedisDep, settings: SettingsDep,
                     user_id: Id) -> Template | Redirect:
        user = await _user_or_404(user_id)
        try:
            await users.delete_user(user_id)
        except AccountError as exc:
            return await self._refused(request, viewer, redis, user_id, str(exc))
        await sessions.end_all_sessions(redis, user_id)
        return await done(request, settings, TAB, await users_context(viewer, redis),
                          f"Deleted {user.username}; the photos stay in their libraries.")

    @post("/users/{user_id:int}/sign-out")
    async def sign_out(self, request: HTMXRequest, viewer: ViewerDep, redis: RedisDep, settings: SettingsDep,
                       user_id: Id) -> Template | Redirect:
        user = await _user_or_404(user_id)
        ended = await sessions.end_all_sessions(request.app.state.redis, user_id,
                                                keep=request.cookies.get(sessions.COOKIE))
        return await done(request, settings, TAB, await users_context(viewer, redis),
                          f"Signed {user.username} out everywhere ({ended} session(s)).")

    @post("/users/{user_id:int}/unlock")
    async def unlock(self, request: HTMXRequest, viewer: ViewerDep, redis: RedisDep, settings: SettingsDep,
                     user_id: Id) -> Template | Redirect:
        """Lift the sign-in locks that failed attempts put on a user (from every address)."""
        user = await _user_or_404(user_id)
        lifted = await ratelimit.unlock(redis, user.username)
        message = f"{user.username} can sign in again." if lifted else f"{user.username} was not locked out."
        return await done(request, settings, TAB, await users_context(viewer, redis), message)

    @post("/tokens/{token_id:int}/revoke")
    async def revoke_token(self, request: HTMXRequest, viewer: ViewerDep, redis: RedisDep,
                           settings: SettingsDep,
                           token_id: Id) -> Template | Redirect:
        if not await tokens.revoke_token(token_id, None):
            raise NotFoundException("There is no such token.")
        return await done(request, settings, TAB, await users_context(viewer, redis), "Revoked the token.")
