"""Flash messages across a redirect: an HMAC-signed cookie read (and cleared) by the next page."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response
from litestar.datastructures import Cookie

COOKIE = "photonix_flash"


@dataclass(frozen=True, slots=True)
class Flash:
    level: str       # "ok" | "error"
    text: str


def _sign(secret: bytes, payload: bytes) -> str:
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()


def flash_cookie(secret: bytes, flash: Flash, *, secure: bool) -> Cookie:
    payload = base64.urlsafe_b64encode(json.dumps([flash.level, flash.text]).encode())
    return Cookie(key=COOKIE, value=f"{payload.decode()}.{_sign(secret, payload)}", httponly=True,
                  samesite="lax", secure=secure, path="/", max_age=60)


def read_flash(request: Request[Any, Any, Any], secret: bytes) -> Flash | None:
    raw = request.cookies.get(COOKIE)
    if not raw or "." not in raw:
        return None
    payload, signature = raw.rsplit(".", 1)
    if not hmac.compare_digest(signature, _sign(secret, payload.encode())):
        return None
    try:
        level, text = json.loads(base64.urlsafe_b64decode(payload))
    except ValueError:
        return None
    return Flash(str(level), str(text))


def clear_flash(response: Response[Any]) -> None:
    response.delete_cookie(COOKIE, path="/")
