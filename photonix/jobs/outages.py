"""Redis or the database out of reach: telling an outage from a bug, and what the dashboard shows.

Each outage is written where it can be read while it lasts: a worker that loses Redis records it in the
database (service_outage), one that loses the database records it in Redis (DATABASE_OUTAGE_KEY). Both
records are refreshed while the outage lasts and go stale when nobody refreshes them (a worker that
died mid-outage leaves no lasting alarm). `current_outages` also counts its own failed reads: the web
notices Redis or the database gone even with no worker running."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from arq import ArqRedis, Retry
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from photonix.db.reachability import is_database_unreachable
from photonix.db.service_outages import recorded_outages
from photonix.errors import TransientError

REDIS, DATABASE = "redis", "database"
DATABASE_OUTAGE_KEY = "photonix:outage:database"
OUTAGE_STALE_SECONDS = 60            # a record nobody refreshed for this long describes no current outage
OUTAGE_RETRY_SECONDS = 5.0           # a step cut short by an outage runs again within this (jittered)
READ_TIMEOUT_SECONDS = 2.0           # how long the dashboard waits on a service before calling it down

log = structlog.get_logger()

# This process's own failed reads: by service, and for Redis by server, since one process may talk to
# several (a web app restarted against another Redis, or a test run) and must not date a new outage by an
# old one's first failure.
_first_failed: dict[str, datetime] = {}


@dataclass(frozen=True, slots=True)
class Outage:
    """A service Photonix cannot reach, since when ("Redis unreachable since 12:03")."""

    service: str                     # REDIS | DATABASE
    since: datetime

    @property
    def label(self) -> str:
        return "Redis" if self.service == REDIS else "The database"


def unreachable_service(exc: BaseException) -> str | None:
    """REDIS or DATABASE when the exception means that service could not be reached; None otherwise."""
    if isinstance(exc, (RedisConnectionError, RedisTimeoutError)):
        return REDIS
    if isinstance(exc, RedisError) and isinstance(exc.__context__, (RedisConnectionError, RedisTimeoutError)):
        return REDIS                     # e.g. WatchError: "a ConnectionError occurred while watching"
    if is_database_unreachable(exc):
        return DATABASE
    return None


async def as_transient(work: Awaitable[None]) -> None:
    """A step body cut short by an outage failed for a passing reason: TransientError, so it retries."""
    try:
        await work
    except Exception as exc:
        service = unreachable_service(exc)
        if service is None:
            raise
        raise TransientError(f"{'Redis' if service == REDIS else 'the database'} could not be reached "
                             f"({type(exc).__name__})") from exc


async def retrying(ctx: dict[str, Any], work: Awaitable[str]) -> str:
    """A step that could not even record itself (the database or Redis away): run it again shortly,
    and tell the worker, which stops taking jobs until the service is back."""
    try:
        return await work
    except Exception as exc:
        service = unreachable_service(exc)
        if service is None:
            raise
        if (noticed := ctx.get("outage_noticed")) is not None:
            noticed(service, exc)
        log.warning("step_interrupted_by_outage", service=service, error=str(exc),
                    error_kind=type(exc).__name__)
        raise Retry(defer=random.uniform(0.5, OUTAGE_RETRY_SECONDS)) from exc


def database_outage_value(since: datetime, noticed_by: str, error: str) -> str:
    return json.dumps({"since": since.isoformat(), "noticed_by": noticed_by, "error": error})


async def record_database_outage(redis: ArqRedis, since: datetime, noticed_by: str, error: str) -> None:
    """Note in Redis that the database is unreachable; the key lapses unless refreshed."""
    await redis.set(DATABASE_OUTAGE_KEY, database_outage_value(since, noticed_by, error),
                    ex=OUTAGE_STALE_SECONDS)


async def current_outages(redis: ArqRedis, now: datetime | None = None) -> list[Outage]:
    """Every service Photonix cannot reach now, by the workers' records and this process's own reads."""
    now = now or datetime.now(UTC)
    found: dict[str, Outage] = {}
    try:
        # asyncio.timeout, not wait_for: no task per read (every page's header makes these two reads).
        async with asyncio.timeout(READ_TIMEOUT_SECONDS):
            rows = await recorded_outages()
    except Exception as exc:
        if unreachable_service(exc) is None and not isinstance(exc, TimeoutError):
            raise
        _add(found, Outage(DATABASE, _failed_since(DATABASE, now)))
    else:
        _first_failed.pop(DATABASE, None)
        for row in rows:
            if now - row.seen_at <= timedelta(seconds=OUTAGE_STALE_SECONDS):
                _add(found, Outage(row.service, row.since))
    try:
        async with asyncio.timeout(READ_TIMEOUT_SECONDS):
            raw = await redis.get(DATABASE_OUTAGE_KEY)
    except (RedisError, OSError, TimeoutError):
        _add(found, Outage(REDIS, _failed_since(_redis_key(redis), now)))
    else:
        _first_failed.pop(_redis_key(redis), None)
        if raw is not None:
            _add(found, Outage(DATABASE, datetime.fromisoformat(json.loads(raw)["since"])))
    return sorted(found.values(), key=lambda outage: outage.since)


def _add(found: dict[str, Outage], outage: Outage) -> None:
    """Several witnesses of one outage: it began when the first of them saw it."""
    known = found.get(outage.service)
    if known is None or outage.since < known.since:
        found[outage.service] = outage


def _failed_since(key: str, now: datetime) -> datetime:
    return _first_failed.setdefault(key, now)


def _redis_key(redis: ArqRedis) -> str:
    """REDIS and which server: its address and database."""
    where = redis.connection_pool.connection_kwargs
    return f"{REDIS}:{where.get('host') or where.get('path')}:{where.get('port')}/{where.get('db')}"
