"""Admin settings for people: create users, reset passwords, disable, promote, delete; every API token.

Each change that should lock someone out does so at once: a disabled or deleted user's sessions end and
their tokens stop working at their next request; a reset password ends every session of that user."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from arq import ArqRedis
from litestar import Controller, get, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from redis.exceptions import RedisError

from photonix.config import Settings
from photonix.db import accounts, overviews, tokens, user_sessions, users
from photonix.db.accounts import AccountError, Viewer
from photonix.jobs.outages import REDIS, unreachable_service
from photonix.web import ratelimit, sessions
from photonix.web.auth import provide_page_viewer, requires_admin
from photonix.web.deps import RedisDep, SettingsDep, ViewerDep
from photonix.web.params import Id
from photonix.web.settings import MIN_PASSWORD, FormData, done, invalid, tabs_for
from photonix.web.templating import page

TAB = "users"
LOCKS_UNKNOWN = "Sign-in locks cannot be shown while Redis cannot be reached."

# What an admin does to a user: the change (an AccountError refuses it), answering the sentence to show.
UserChange = Callable[[users.UserState], Awaitable[str]]


async def users_context(viewer: Viewer, redis: ArqRedis) -> dict[str, Any]:
    people = await overviews.user_overviews()
    locks = await _sign_in_locks(redis, people)
    return {"tab": TAB, "tabs": tabs_for(viewer), "users": people,
            "locks": locks, "locks_unknown": LOCKS_UNKNOWN if locks is None else None,
            "libraries": await accounts.all_libraries(), "tokens": await tokens.list_tokens(None),
            "errors": {}, "values": {}}


async def _sign_in_locks(redis: ArqRedis, people: list[overviews.UserOverview]) -> dict[int, int] | None:
    """User id -> seconds their sign-in stays locked somewhere (only the locked ones); None while Redis,
    which holds the locks, cannot be reached (the page says so and shows the rest)."""
    try:
        locked = await ratelimit.locked_users(redis, [user.username for user in people])
    except RedisError as exc:
        if unreachable_service(exc) != REDIS:
            raise
        return None
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

    async def _change_user(self, request: HTMXRequest, viewer: Viewer, redis: ArqRedis, settings: Settings,
                           user_id: int, change: UserChange, *, ends_sessions: bool = False,
                           refused_at: str = "user") -> Template | Redirect:
        """Every admin action on a user: the user or 404; the change, whose AccountError shows beside the
        user's row (409) or under the field `refused_at` names (400); with `ends_sessions`, every session
        of the user but the asking admin's own ends, and the count is said; then the fresh section."""
        user = await _user_or_404(user_id)
        try:
            said = await change(user)
        except AccountError as exc:
            return await invalid(request, TAB, await users_context(viewer, redis),
                                 {f"{refused_at}-{user_id}": str(exc)}, {},
                                 status_code=409 if refused_at == "user" else 400)
        if ends_sessions:
            ended = await user_sessions.end_all_sessions(user_id, keep=request.cookies.get(sessions.COOKIE))
            said = f"{said} ({ended} session(s) of theirs ended)."
        return await done(request, settings, TAB, await users_context(viewer, redis), said)

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
                             settings: SettingsDep, user_id: Id, data: FormData) -> Template | Redirect:
        async def change(user: users.UserState) -> str:
            await users.set_password(user.id, data.get("password", ""))
            return f"New password set for {user.username}"

        return await self._change_user(request, viewer, redis, settings, user_id, change, ends_sessions=True,
                                       refused_at="password")

    @post("/users/{user_id:int}/disable")
    async def disable(self, request: HTMXRequest, viewer: ViewerDep, redis: RedisDep, settings: SettingsDep,
                      user_id: Id) -> Template | Redirect:
        async def change(user: users.UserState) -> str:
            await users.set_disabled(user.id, True)
            return f"Disabled {user.username}: signed out everywhere; their API tokens stop working"

        return await self._change_user(request, viewer, redis, settings, user_id, change, ends_sessions=True)

    @post("/users/{user_id:int}/enable")
    async def enable(self, request: HTMXRequest, viewer: ViewerDep, redis: RedisDep, settings: SettingsDep,
                     user_id: Id) -> Template | Redirect:
        async def change(user: users.UserState) -> str:
            await users.set_disabled(user.id, False)
            return f"Enabled {user.username}; they can sign in again."

        return await self._change_user(request, viewer, redis, settings, user_id, change)

    @post("/users/{user_id:int}/admin")
    async def set_admin(self, request: HTMXRequest, viewer: ViewerDep, redis: RedisDep, settings: SettingsDep,
                        user_id: Id, data: FormData) -> Template | Redirect:
        async def change(user: users.UserState) -> str:
            wanted = data.get("is_admin")
            if wanted not in ("on", "off"):
                raise AccountError("Choose on or off.")
            await users.set_admin(user.id, wanted == "on")
            return f"{user.username} is {'now an admin' if wanted == 'on' else 'no longer an admin'}."

        return await self._change_user(request, viewer, redis, settings, user_id, change)

    @post("/users/{user_id:int}/delete")
    async def delete(self, request: HTMXRequest, viewer: ViewerDep, redis: RedisDep, settings: SettingsDep,
                     user_id: Id) -> Template | Redirect:
        async def change(user: users.UserState) -> str:
            await users.delete_user(user.id)
            return f"Deleted {user.username}; the photos stay in their libraries"

        return await self._change_user(request, viewer, redis, settings, user_id, change, ends_sessions=True)

    @post("/users/{user_id:int}/sign-out")
    async def sign_out(self, request: HTMXRequest, viewer: ViewerDep, redis: RedisDep, settings: SettingsDep,
                       user_id: Id) -> Template | Redirect:
        async def change(user: users.UserState) -> str:
            return f"Signed {user.username} out everywhere"

        return await self._change_user(request, viewer, redis, settings, user_id, change, ends_sessions=True)

    @post("/users/{user_id:int}/unlock")
    async def unlock(self, request: HTMXRequest, viewer: ViewerDep, redis: RedisDep, settings: SettingsDep,
                     user_id: Id) -> Template | Redirect:
        """Lift the sign-in locks that failed attempts put on a user (from every address)."""
        async def change(user: users.UserState) -> str:
            if await ratelimit.unlock(redis, user.username):
                return f"{user.username} can sign in again."
            return f"{user.username} was not locked out."

        return await self._change_user(request, viewer, redis, settings, user_id, change)

    @post("/tokens/{token_id:int}/revoke")
    async def revoke_token(self, request: HTMXRequest, viewer: ViewerDep, redis: RedisDep,
                           settings: SettingsDep,
                           token_id: Id) -> Template | Redirect:
        if not await tokens.revoke_token(token_id, None):
            raise NotFoundException("There is no such token.")
        return await done(request, settings, TAB, await users_context(viewer, redis), "Revoked the token.")
