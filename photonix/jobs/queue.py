"""Connections to Redis for ARQ, and what the queue holds right now."""

from __future__ import annotations

from arq import ArqRedis, create_pool
from arq.connections import RedisSettings
from arq.constants import default_queue_name, in_progress_key_prefix

from photonix.config import Settings
from photonix.errors import ConfigError


def redis_settings(settings: Settings) -> RedisSettings:
    if settings.redis_url is None:
        raise ConfigError("no Redis configured: set PHOTONIX_REDIS_URL or start with `photonix up`")
    return RedisSettings.from_dsn(settings.redis_url)


async def connect(settings: Settings) -> ArqRedis:
    return await create_pool(redis_settings(settings))


async def queue_depth(redis: ArqRedis) -> dict[str, int]:
    """Jobs waiting (including deferred retries) and jobs being run now."""
    queued = await redis.zcard(default_queue_name)
    running = 0
    async for _key in redis.scan_iter(match=f"{in_progress_key_prefix}*", count=1000):
        running += 1
    return {"queued": int(queued), "running": running}
