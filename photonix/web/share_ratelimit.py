"""Share-link password attempts, limited per link and per client address before argon2 runs.

Each attempt is counted in one MULTI (SET NX EX, then INCR) per counter, as sign-in does
(web/ratelimit.py): a burst of concurrent guesses gets distinct counts. Three counters:

- per (link, address): PAIR_LIMIT, the limit someone mistyping meets;
- per address over all links: ADDRESS_LIMIT (one host trying many links);
- per link over all addresses: LINK_LIMIT (many hosts guessing one link's password).

A right password forgives its (link, address) count."""

from __future__ import annotations

import hashlib

from redis.asyncio import Redis

from photonix.web.ratelimit import _address as address_bucket

PAIR_LIMIT = 5
ADDRESS_LIMIT = 20
LINK_LIMIT = 50
WINDOW_SECONDS = 15 * 60
PREFIX = "photonix:share-password:"


def _link(link_id: int) -> str:
    return hashlib.sha256(str(link_id).encode()).hexdigest()[:16]


def _pair_key(link_id: int, host: str) -> str:
    return f"{PREFIX}pair:{_link(link_id)}:{address_bucket(host)}"


async def reserve_attempt(redis: Redis, link_id: int, host: str) -> int:
    """Count this attempt; 0 when its password may be checked, else the seconds until one may."""
    counters = ((_pair_key(link_id, host), PAIR_LIMIT),
                (f"{PREFIX}addr:{address_bucket(host)}", ADDRESS_LIMIT),
                (f"{PREFIX}link:{_link(link_id)}", LINK_LIMIT))
    async with redis.pipeline(transaction=True) as pipe:
        for key, _ in counters:
            pipe.set(key, 0, nx=True, ex=WINDOW_SECONDS)
            pipe.incr(key)
            pipe.ttl(key)
        replies = await pipe.execute()
    for index, (_, limit) in enumerate(counters):
        count, ttl = int(replies[index * 3 + 1]), int(replies[index * 3 + 2])
        if count > limit:
            return max(1, ttl)
    return 0


async def record_success(redis: Redis, link_id: int, host: str) -> None:
    await redis.delete(_pair_key(link_id, host))
