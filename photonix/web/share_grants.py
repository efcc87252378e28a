"""The signed cookie a share link gives a browser: the password was right ("p"), and a page view was
counted ("v"). Scoped to the link's own path (/s/<token>), so it opens that link and no other.

The signature binds the link, the grant, its expiry and the link's password hash: a new password (or
none) voids every grant given under the old one."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie

from photonix.db.share_links import ShareLinkInfo

COOKIE = "photonix_share"
GRANT_SECONDS = 12 * 3600
PASSWORD, VIEWED = "p", "v"


def share_path(link: ShareLinkInfo) -> str:
    return f"/s/{link.token}"


def _signature(secret: bytes, link: ShareLinkInfo, grant: str, expires: int) -> str:
    message = f"{link.id}|{link.token}|{grant}|{expires}|{link.password_hash or ''}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def grant_cookie(secret: bytes, link: ShareLinkInfo, grant: str, *, secure: bool) -> Cookie:
    expires = int(time.time()) + GRANT_SECONDS
    value = f"{grant}.{expires}.{_signature(secret, link, grant, expires)}"
    return Cookie(key=COOKIE, value=value, path=share_path(link), max_age=GRANT_SECONDS, httponly=True,
                  samesite="lax", secure=secure)


def granted(request: Request[Any, Any, Any], secret: bytes, link: ShareLinkInfo) -> str | None:
    """The grant this browser holds for this link ("p" or "v"), or None."""
    raw = request.cookies.get(COOKIE, "")
    parts = raw.split(".")
    if len(parts) != 3 or parts[0] not in (PASSWORD, VIEWED) or not parts[1].isdigit():
        return None
    grant, expires = parts[0], int(parts[1])
    if expires < time.time():
        return None
    if not hmac.compare_digest(parts[2], _signature(secret, link, grant, expires)):
        return None
    return grant
