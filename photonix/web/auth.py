"""Who is asking: the Viewer behind a bearer token (API) — a guessed or missing token answers 401."""

from __future__ import annotations

from litestar import Request
from litestar.exceptions import NotAuthorizedException

from photonix.db import accounts
from photonix.db.accounts import Viewer


async def provide_viewer(request: Request) -> Viewer:  # type: ignore[type-arg]
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        viewer = await accounts.viewer_for_token(token.strip())
        if viewer is not None:
            return viewer
    raise NotAuthorizedException("sign in, or send Authorization: Bearer <token>")
