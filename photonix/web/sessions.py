"""Server-side sessions in Redis: a random token in an HttpOnly cookie, a fresh one at every sign-in.

Only the token's SHA-256 is a Redis key, and a token is never taken from the client at sign-in, so a
planted cookie cannot become a signed-in session (no session fixation).

A session ends after `idle_seconds` without a request (the key's TTL, pushed back by each request) and
at the latest `max_age_seconds` after sign-in (the start time is stored with the user id). A sorted set
per user indexes their sessions, so "sign out everywhere", a password change and disabling a user end
them all at once."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from redis.asyncio import Redis

COOKIE = "photonix_session"
DAY = 24 * 3600
MAX_AGE_SECONDS = 120 * DAY          # the cookie's lifetime; the server enforces the configured limits
_PREFIX = "photonix:session:"
_INDEX = "photonix:user-sessions:"


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    idle_seconds: int = 14 * DAY
    max_age_seconds: int = MAX_AGE_SECONDS


DEFAULT_POLICY = SessionPolicy()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _index(user_id: int) -> str:
    return f"{_INDEX}{user_id}"


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


async def start_session(redis: Redis, user_id: int, policy: SessionPolicy = DEFAULT_POLICY) -> str:
    token = secrets.token_urlsafe(32)
    digest, now = _digest(token), time.time()
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(_PREFIX + digest, f"{user_id}:{int(now)}", ex=min(policy.idle_seconds, policy.max_age_seconds))
        pipe.zadd(_index(user_id), {digest: now})
        pipe.zremrangebyscore(_index(user_id), "-inf", now - policy.max_age_seconds)   # long gone anyway
        pipe.expire(_index(user_id), policy.max_age_seconds)
        await pipe.execute()
    return token


async def user_id_for(redis: Redis, token: str | None, policy: SessionPolicy = DEFAULT_POLICY) -> int | None:
    """The signed-in user, sliding the idle timeout; None for no, an unknown, an idle or a too old session."""
    if not token:
        return None
    key = _PREFIX + _digest(token)
    value = await redis.get(key)
    if value is None:
        return None
    user_part, _, started_part = _text(value).partition(":")
    try:
        user_id, age = int(user_part), time.time() - int(started_part)
    except ValueError:                    # a session from before the idle timeout existed: sign in again
        await redis.delete(key)
        return None
    if age >= policy.max_age_seconds:
        await end_session(redis, token)
        return None
    await redis.expire(key, max(1, int(min(policy.idle_seconds, policy.max_age_seconds - age))))
    return user_id


async def end_session(redis: Redis, token: str | None) -> None:
    if not token:
        return
    digest = _digest(token)
    value = await redis.getdel(_PREFIX + digest)
    if value is not None:
        user_part = _text(value).partition(":")[0]
        if user_part.isdigit():
            await redis.zrem(_index(int(user_part)), digest)


async def end_all_sessions(redis: Redis, user_id: int, *, keep: str | None = None) -> int:
    """End every session of the user except `keep` (the token of the request that asked); how many ended."""
    kept = _digest(keep) if keep else None
    digests = [_text(d) for d in await redis.zrange(_index(user_id), 0, -1)]
    ending = [d for d in digests if d != kept]
    if not ending:
        return 0
    async with redis.pipeline(transaction=True) as pipe:
        pipe.delete(*(_PREFIX + d for d in ending))
        pipe.zrem(_index(user_id), *ending)
        deleted, _ = await pipe.execute()
    return int(deleted)


async def session_count(redis: Redis, user_id: int) -> int:
    """Sessions of the user that have not ended (idle ones are dropped from the index here)."""
    digests = [_text(d) for d in await redis.zrange(_index(user_id), 0, -1)]
    if not digests:
        return 0
    gone = [d for d in digests if not await redis.exists(_PREFIX + d)]
    if gone:
        await redis.zrem(_index(user_id), *gone)
    return len(digests) - len(gone)
