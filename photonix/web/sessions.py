"""Server-side sessions in Redis: a random token in an HttpOnly cookie, a fresh one at every sign-in.

Only the token's SHA-256 is a Redis key, and a token is never taken from the client at sign-in, so a
planted cookie cannot become a signed-in session (no session fixation).

A session ends after `idle_seconds` without a request and at the latest `max_age_seconds` after sign-in:
the value holds the user id, the sign-in time and the last request's time, and each request pushes the
key's TTL back to the idle limit, so Redis drops idle sessions by itself. A sorted set
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


def _value(user_id: int, started: float, seen: float) -> str:
    return f"{user_id}:{int(started)}:{int(seen)}"


async def start_session(redis: Redis, user_id: int, policy: SessionPolicy = DEFAULT_POLICY) -> str:
    """A new session. The key lives up to the absolute limit; user_id_for enforces the idle limit from the
    stored last-seen time (whatever policy the caller passed) and then shortens the key's TTL to it."""
    token = secrets.token_urlsafe(32)
    digest, now = _digest(token), time.time()
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(_PREFIX + digest, _value(user_id, now, now), ex=policy.max_age_seconds)
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
    parts = _text(value).split(":")
    try:
        user_id, started, seen = int(parts[0]), int(parts[1]), int(parts[2])
    except (ValueError, IndexError):      # a session from before these limits existed: sign in again
        await end_session(redis, token)
        return None
    now = time.time()
    if now - started >= policy.max_age_seconds or now - seen >= policy.idle_seconds:
        await end_session(redis, token)
        return None
    ttl = max(1, int(min(policy.idle_seconds, policy.max_age_seconds - (now - started))))
    # XX: a session ended meanwhile (sign out everywhere) stays ended; this request was its last.
    await redis.set(key, _value(user_id, started, now), ex=ttl, xx=True)
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
