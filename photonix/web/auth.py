"""Who is asking: a signed-in browser session (pages) or a bearer token (API); guards for admins.

A missing or unknown session sends a page request to sign-in; a bad token answers 401."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from photonix.db import accounts, user_sessions
from photonix.db.accounts import Viewer
from photonix.db.user_sessions import DEFAULT_POLICY, SessionPolicy
from photonix.web import sessions


class SignInRequired(NotAuthorizedException):
    """A page asked for without a session: the error handler redirects to /login."""


def session_policy(connection: ASGIConnection[Any, Any, Any, Any]) -> SessionPolicy:
    """The idle and absolute limits create_app put in the app's state (the defaults before start-up)."""
    policy: SessionPolicy = getattr(connection.app.state, "session_policy", DEFAULT_POLICY)
    return policy


async def viewer_from_session(request: Request[Any, Any, Any]) -> Viewer | None:
    """The session's user while the session is alive (sliding its idle timeout) and the user is not
    disabled. Sessions are in the database: this works while Redis is down."""
    return await user_sessions.viewer_for(request.cookies.get(sessions.COOKIE), session_policy(request))


async def viewer_from_token(request: Request[Any, Any, Any]) -> Viewer | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return await accounts.viewer_for_token(token.strip())
    return None


async def provide_api_viewer(request: Request[Any, Any, Any]) -> Viewer:
    """API: bearer tokens only, so no cookie can be ridden by another site (no CSRF on /api)."""
    viewer = await viewer_from_token(request)
    if viewer is None:
        raise NotAuthorizedException("send Authorization: Bearer <token> (photonix token create)")
    return viewer


async def provide_page_viewer(request: Request[Any, Any, Any]) -> Viewer:
    # requires_admin, when it guards the route, has just read the session: no second lookup.
    viewer: Viewer | None = getattr(request.state, "viewer", None) or await viewer_from_session(request)
    if viewer is None:
        raise SignInRequired("sign in to continue")
    request.state.viewer = viewer
    return viewer


async def provide_any_viewer(request: Request[Any, Any, Any]) -> Viewer:
    """File routes serve both the browser (session) and API clients (token)."""
    viewer = await viewer_from_session(request) or await viewer_from_token(request)
    if viewer is None:
        raise NotAuthorizedException("sign in, or send Authorization: Bearer <token>")
    return viewer


async def requires_admin(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    viewer = await viewer_from_session(connection)  # type: ignore[arg-type]
    if viewer is None:
        raise SignInRequired("sign in to continue")
    if not viewer.is_admin:
        raise PermissionDeniedException("only an admin can do that")
    connection.state.viewer = viewer


async def requires_api_admin(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """API routes for admins: checked before the body is read, so others learn nothing from a 400."""
    viewer = await viewer_from_token(connection)  # type: ignore[arg-type]
    if viewer is None:
        raise NotAuthorizedException("send Authorization: Bearer <token> (photonix token create)")
    if not viewer.is_admin:
        raise PermissionDeniedException("only an admin can do that")
