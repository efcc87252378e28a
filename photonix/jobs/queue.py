"""Connections to Redis for ARQ, how jobs are serialized there, and what the queue holds right now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import msgspec
from arq import ArqRedis, create_pool
from arq.connections import RedisSettings
from arq.constants import default_queue_name, expires_extra_ms, in_progress_key_prefix, job_key_prefix
from arq.jobs import serialize_job as arq_job_payload
from arq.utils import timestamp_ms

from photonix.config import Settings
from photonix.errors import ConfigError

_encoder = msgspec.msgpack.Encoder(enc_hook=repr)   # a failed job's exception is stored as its repr
_decoder = msgspec.msgpack.Decoder()


def serialize_job(data: dict[str, Any]) -> bytes:
    """msgpack, never pickle: whoever can write to Redis must not be able to run code in a worker."""
    return _encoder.encode(data)


def deserialize_job(data: bytes) -> dict[str, Any]:
    """Plain msgpack values only; anything else (a pickle planted in Redis) raises, and ARQ fails that job."""
    decoded = _decoder.decode(data)
    if not isinstance(decoded, dict):
        raise TypeError("a job must be a msgpack map")
    return decoded


# Every ARQ connection (worker and enqueuers alike) passes these, so no pickle is ever read or written.
SERIALIZERS: dict[str, Any] = {"job_serializer": serialize_job, "job_deserializer": deserialize_job}


def redis_settings(settings: Settings) -> RedisSettings:
    """ARQ's settings from PHOTONIX_REDIS_URL: user:password in it are URL-decoded, and rediss:// checks
    the server's certificate and host name (`?ssl_ca_certs=/path/ca.pem` for a private CA)."""
    if settings.redis_url is None:
        raise ConfigError("no Redis configured: set PHOTONIX_REDIS_URL or start with `photonix up`")
    parsed = RedisSettings.from_dsn(settings.redis_url)
    query = parse_qs(urlsplit(settings.redis_url).query)
    return replace(
        parsed,
        username=unquote(parsed.username) if parsed.username else None,
        password=unquote(parsed.password) if parsed.password else None,
        ssl_check_hostname=parsed.ssl,
        ssl_ca_certs=query.get("ssl_ca_certs", [None])[0],
    )


async def connect(settings: Settings) -> ArqRedis:
    return await create_pool(redis_settings(settings), **SERIALIZERS)


@dataclass(frozen=True, slots=True)
class NewJob:
    """A job to enqueue under a known id: its function and arguments."""

    job_id: str
    function: str
    args: tuple[Any, ...]


BATCH = 1000                     # commands per round trip


async def enqueue_batch(redis: ArqRedis, jobs: Sequence[NewJob]) -> int:
    """Enqueue many jobs in a few round trips (recovery after Redis came back empty: one per photo);
    a job whose id is taken is left alone, as enqueue_job would. Returns how many were enqueued.

    enqueue_job WATCHes each job key (two or three round trips a job); here a batch of SET NX writes
    the payloads and a second batch queues the ids whose payload went in. The caller removes a kept
    result first (enqueue_job refuses an id with one)."""
    enqueued = 0
    for start in range(0, len(jobs), BATCH):
        chunk = jobs[start:start + BATCH]
        now = timestamp_ms()
        async with redis.pipeline(transaction=False) as pipe:
            for job in chunk:
                payload = arq_job_payload(job.function, job.args, {}, None, now, serializer=serialize_job)
                pipe.set(job_key_prefix + job.job_id, payload, px=expires_extra_ms, nx=True)
            written = await pipe.execute()
        fresh = [job.job_id for job, ok in zip(chunk, written, strict=True) if ok]
        if fresh:
            await redis.zadd(default_queue_name, dict.fromkeys(fresh, now))
        enqueued += len(fresh)
    return enqueued


async def queue_depth(redis: ArqRedis) -> dict[str, int]:
    """Jobs waiting (including deferred retries) and jobs being run now."""
    queued = await redis.zcard(default_queue_name)
    running = 0
    async for _key in redis.scan_iter(match=f"{in_progress_key_prefix}*", count=1000):
        running += 1
    return {"queued": int(queued), "running": running}
