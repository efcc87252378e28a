"""Sign-in rate limiting: a few failures per user name and per address, then a wait with a clear message."""

from __future__ import annotations

from redis.asyncio import Redis

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
_PREFIX = "photonix:login-failures:"


def _keys(username: str, address: str) -> list[str]:
    return [f"{_PREFIX}user:{username.lower()}", f"{_PREFIX}addr:{address}"]


async def seconds_locked(redis: Redis, username: str, address: str) -> int:
    """0 when a sign-in may be tried; otherwise how long until it may."""
    for key in _keys(username, address):
        failures = await redis.get(key)
        if failures is not None and int(failures) >= MAX_FAILURES:
            return max(1, int(await redis.ttl(key)))
    return 0


async def record_failure(redis: Redis, username: str, address: str) -> None:
    for key in _keys(username, address):
        count = await redis.incr(key)
        if count == 1:
            await redis.expire(key, WINDOW_SECONDS)


async def clear_failures(redis: Redis, username: str, address: str) -> None:
    await redis.delete(_keys(username, address)[0])
