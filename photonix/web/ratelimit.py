"""Sign-in rate limiting: every attempt is reserved in Redis before its password is checked.

Reserving is one MULTI transaction (SET key 0 NX EX window, then INCR), so a burst of concurrent
attempts gets distinct counts and only those within the limit go on to argon2; the window starts
with the first attempt and is not stretched by later ones. Three counters:

- per (user, address): PAIR_LIMIT attempts per window, the only limit a normal typo meets;
- per address: ADDRESS_LIMIT attempts over all user names (one host spraying many names);
- per user: past USER_THRESHOLD attempts from everywhere, one attempt per gate, and the gate's wait
  doubles with each attempt let through (2 s, 4 s, ... up to USER_MAX_WAIT). An address the user
  signed in from recently skips this gate, so strangers elsewhere cannot lock an admin out.

An admin lifts a user's locks with `unlock` (settings page, `photonix user unlock NAME`)."""

from __future__ import annotations

import hashlib
import ipaddress

from redis.asyncio import Redis

PAIR_LIMIT = 5
PAIR_WINDOW_SECONDS = 15 * 60
ADDRESS_LIMIT = 30
ADDRESS_WINDOW_SECONDS = 15 * 60
USER_THRESHOLD = 20
USER_WINDOW_SECONDS = 60 * 60
USER_MAX_WAIT_SECONDS = 15 * 60
KNOWN_ADDRESS_SECONDS = 30 * 24 * 3600
PREFIX = "photonix:signin:"


def _user(username: str) -> str:
    """A digest, so any user name makes a safe key (and a safe SCAN pattern)."""
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]


def _address(host: str) -> str:
    """IPv6 counts per /64: one host usually holds a whole /64."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _pair_key(username: str, host: str) -> str:
    return f"{PREFIX}pair:{_user(username)}:{_address(host)}"


def _known_key(username: str, host: str) -> str:
    return f"{PREFIX}known:{_user(username)}:{_address(host)}"


def _keys(username: str) -> dict[str, str]:
    user = _user(username)
    return {"attempts": f"{PREFIX}user:{user}", "gate": f"{PREFIX}gate:{user}",
            "passed": f"{PREFIX}passed:{user}"}


async def _count(redis: Redis, key: str, window: int) -> tuple[int, int]:
    """(count after this one, seconds left in its window), in one transaction."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(key, 0, nx=True, ex=window)
        pipe.incr(key)
        pipe.ttl(key)
        _, count, ttl = await pipe.execute()
    return int(count), max(1, int(ttl))


async def reserve_attempt(redis: Redis, username: str, host: str) -> int:
    """Count this attempt; 0 when its password may be checked, else the seconds until one may."""
    pair, user, known = _pair_key(username, host), _keys(username), _known_key(username, host)
    async with redis.pipeline(transaction=True) as pipe:
        for key, window in ((pair, PAIR_WINDOW_SECONDS), (f"{PREFIX}addr:{_address(host)}",
                                                          ADDRESS_WINDOW_SECONDS),
                            (user["attempts"], USER_WINDOW_SECONDS)):
            pipe.set(key, 0, nx=True, ex=window)
            pipe.incr(key)
            pipe.ttl(key)
        pipe.exists(known)
        replies = await pipe.execute()
    (pair_n, pair_ttl), (addr_n, addr_ttl), (user_n, _) = ((int(replies[i + 1]), int(replies[i + 2]))
                                                          for i in (0, 3, 6))
    if pair_n > PAIR_LIMIT:
        return max(1, pair_ttl)
    if addr_n > ADDRESS_LIMIT:
        return max(1, addr_ttl)
    if user_n > USER_THRESHOLD and not replies[9]:
        return await _through_user_gate(redis, user)
    return 0


async def _through_user_gate(redis: Redis, user: dict[str, str]) -> int:
    passed = int(await redis.get(user["passed"]) or 0)
    wait = min(USER_MAX_WAIT_SECONDS, 2 ** min(passed + 1, 20))
    if not await redis.set(user["gate"], 1, nx=True, ex=wait):    # someone else went through this gate
        return max(1, int(await redis.ttl(user["gate"])))
    await _count(redis, user["passed"], USER_WINDOW_SECONDS)
    return 0


async def record_success(redis: Redis, username: str, host: str) -> None:
    """A right password forgives this address's attempts and lets it skip the per-user gate later."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.delete(_pair_key(username, host))
        pipe.set(_known_key(username, host), 1, ex=KNOWN_ADDRESS_SECONDS)
        await pipe.execute()


async def _pair_keys(redis: Redis, username: str) -> list[str]:
    return [key.decode() if isinstance(key, bytes) else key
            async for key in redis.scan_iter(match=f"{PREFIX}pair:{_user(username)}:*", count=500)]


async def seconds_locked(redis: Redis, username: str) -> int:
    """How long the user stays locked out somewhere (any address at its limit, or the user gate); 0: not."""
    longest = 0
    for key in await _pair_keys(redis, username):
        if int(await redis.get(key) or 0) >= PAIR_LIMIT:
            longest = max(longest, int(await redis.ttl(key)))
    user = _keys(username)
    if int(await redis.get(user["attempts"]) or 0) >= USER_THRESHOLD:
        longest = max(longest, int(await redis.ttl(user["gate"])), 1)
    return longest


async def locked_users(redis: Redis, usernames: list[str]) -> dict[str, int]:
    """Of these users, those locked out somewhere, with seconds left: one SCAN for all, for the settings
    page."""
    by_digest = {_user(name): name for name in usernames}
    longest: dict[str, int] = {}
    async for raw in redis.scan_iter(match=f"{PREFIX}pair:*", count=500):
        key = raw.decode() if isinstance(raw, bytes) else raw
        name = by_digest.get(key.removeprefix(f"{PREFIX}pair:").split(":", 1)[0])
        if name is not None and int(await redis.get(key) or 0) >= PAIR_LIMIT:
            longest[name] = max(longest.get(name, 0), int(await redis.ttl(key)), 1)
    for name in usernames:
        user = _keys(name)
        if int(await redis.get(user["attempts"]) or 0) >= USER_THRESHOLD:
            longest[name] = max(longest.get(name, 0), int(await redis.ttl(user["gate"])), 1)
    return longest


async def unlock(redis: Redis, username: str) -> bool:
    """Lift every lock on this user (per-address counts and the user gate); True if there was one."""
    locked = await seconds_locked(redis, username) > 0
    keys = [*await _pair_keys(redis, username), *_keys(username).values()]
    await redis.delete(*keys)
    return locked
