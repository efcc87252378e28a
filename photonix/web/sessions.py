"""Server-side sessions in Redis: a random token in an HttpOnly cookie, a fresh one at every sign-in.

Only the token's SHA-256 is a Redis key, and a token is never taken from the client at sign-in, so a
planted cookie cannot become a signed-in session (no session fixation)."""

from __future__ import annotations

import hashlib
import secrets

from redis.asyncio import Redis

COOKIE = "photonix_session"
MAX_AGE_SECONDS = 14 * 24 * 3600
_PREFIX = "photonix:session:"


def _key(token: str) -> str:
    return _PREFIX + hashlib.sha256(token.encode()).hexdigest()


async def start_session(redis: Redis, user_id: int) -> str:
    token = secrets.token_urlsafe(32)
    await redis.set(_key(token), str(user_id), ex=MAX_AGE_SECONDS)
    return token


async def user_id_for(redis: Redis, token: str | None) -> int | None:
    if not token:
        return None
    value = await redis.get(_key(token))
    return int(value) if value is not None else None


async def end_session(redis: Redis, token: str | None) -> None:
    if token:
        await redis.delete(_key(token))
