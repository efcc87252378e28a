"""How a worker rides out an outage of Redis or the database instead of dying, and resumes by itself.

- Redis: ARQ's poll loop meets the ConnectionError and its main task ends with it; run_until_stopped
  hands it here. If Redis does not answer, the steps in flight are cancelled (each records itself as
  retrying, "interrupted": a transient failure, never a lost step), the outage is written to the
  database for the dashboard, and Redis is pinged with backoff until it answers. Then the jobs whose end
  ARQ could not write are released (their in-progress keys dropped) and the worker polls again; its
  start-up recovery re-enqueues from the record whatever an emptied Redis lost.
- The database: a step that cannot reach it retries (outages.retrying) and reports it here. The worker
  stops taking jobs (ARQ's allow_pick_jobs), so waiting steps keep their tries, writes the outage to
  Redis for the dashboard, and pings the database with backoff; once it answers, it takes jobs again."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from contextvars import Context
from datetime import UTC, datetime
from signal import Signals

import structlog
from arq import ArqRedis, Worker
from arq.constants import in_progress_key_prefix
from redis.exceptions import RedisError

from photonix.db.reachability import ping_database
from photonix.db.service_outages import end_outage, record_outage
from photonix.jobs.inflight import IN_FLIGHT_CTX_KEY, InFlight, in_flight_key
from photonix.jobs.outages import (
    DATABASE,
    DATABASE_OUTAGE_KEY,
    OUTAGE_STALE_SECONDS,
    REDIS,
    database_outage_value,
    unreachable_service,
)

OUTAGE_CTX_KEY = "outage_handling"
FIRST_RETRY_SECONDS = 0.2
LAST_RETRY_SECONDS = 5.0

log = structlog.get_logger()


class OutageHandling:
    """One worker's outage state: whether it is stopping, and the database outage it is riding out."""

    def __init__(self, worker: Worker, worker_id: str) -> None:
        self.worker = worker
        self.worker_id = worker_id
        self.stopping = asyncio.Event()
        self._database_ride: asyncio.Task[None] | None = None

    def stop_requested(self, signal: Signals) -> None:
        """ARQ's on_stop: a signal arrived; an outage being ridden out ends the worker instead."""
        self.stopping.set()

    def noticed(self, service: str, exc: BaseException) -> None:
        """A step met an outage. Redis: the poll loop meets it too (ride_out). The database: ride it out."""
        if service == DATABASE and (self._database_ride is None or self._database_ride.done()):
            # A context of its own: the step that noticed must not lend its photo_id to these log lines.
            self._database_ride = asyncio.create_task(self._ride_out_database(exc), context=Context())

    async def ride_out(self, service: str, exc: BaseException) -> bool:
        """Wait out an outage that ended the worker's poll loop; False when the worker is stopping instead."""
        if service == REDIS:
            await self._ride_out_redis(exc)
        else:
            self.noticed(service, exc)
            if self._database_ride is not None:
                await self._database_ride
        return not self.stopping.is_set()

    async def close(self) -> None:
        if self._database_ride is not None:
            self._database_ride.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._database_ride

    @property
    def _redis(self) -> ArqRedis:
        return self.worker.pool

    async def _ride_out_redis(self, exc: BaseException) -> None:
        if getattr(self.worker, "_pool", None) is None:
            # Never connected (Redis was away when the worker started): ARQ's main makes its connection
            # pool again, with retries of its own, once it runs again.
            log.warning("redis_unreachable_at_start", error=str(exc), error_kind=type(exc).__name__)
            await self._stopping_within(LAST_RETRY_SECONDS)
            return
        since = datetime.now(UTC)
        interrupted: list[str] = []
        if not await self._redis_answers():
            log.warning("redis_unreachable", error=str(exc), error_kind=type(exc).__name__)
            interrupted = await self._stop_jobs()
            delay = FIRST_RETRY_SECONDS
            while not await self._redis_answers():
                # The database may be away too; the dashboard then shows that instead.
                await _unless_unreachable(record_outage(REDIS, self.worker_id, str(exc), since), "record")
                if await self._stopping_within(delay):
                    return
                delay = min(delay * 2, LAST_RETRY_SECONDS)
            await _unless_unreachable(end_outage(REDIS), "end")
            log.info("redis_reachable_again", outage_s=_seconds_since(since), interrupted=len(interrupted))
        else:
            # Redis answers: a blip, or an error that only looks like one. Pause a moment all the same,
            # so an error that recurs at once cannot spin the worker.
            await self._stopping_within(FIRST_RETRY_SECONDS)
        interrupted += self._drop_ended_jobs()
        await self._release(interrupted)

    async def _ride_out_database(self, exc: BaseException) -> None:
        since = datetime.now(UTC)
        self.worker.allow_pick_jobs = False
        log.warning("database_unreachable", error=str(exc), error_kind=type(exc).__name__)
        delay = FIRST_RETRY_SECONDS
        try:
            while True:
                await self._note_database_outage(since, exc)
                try:
                    await ping_database()
                    break
                except Exception as still:
                    if unreachable_service(still) != DATABASE:
                        log.error("database_check_failed", error=repr(still), error_kind=type(still).__name__)
                if await self._stopping_within(delay):
                    return
                delay = min(delay * 2, LAST_RETRY_SECONDS)
            with contextlib.suppress(RedisError, OSError):
                await self._redis.delete(DATABASE_OUTAGE_KEY)
            log.info("database_reachable_again", outage_s=_seconds_since(since))
        finally:
            self.worker.allow_pick_jobs = True

    async def _note_database_outage(self, since: datetime, exc: BaseException) -> None:
        """The first worker to see it sets the start; every one keeps the record fresh while it lasts."""
        with contextlib.suppress(RedisError, OSError):
            value = database_outage_value(since, self.worker_id, str(exc))
            if not await self._redis.set(DATABASE_OUTAGE_KEY, value, ex=OUTAGE_STALE_SECONDS, nx=True):
                await self._redis.expire(DATABASE_OUTAGE_KEY, OUTAGE_STALE_SECONDS)

    async def _redis_answers(self) -> bool:
        try:
            return bool(await asyncio.wait_for(self._redis.ping(), LAST_RETRY_SECONDS))
        except (RedisError, OSError, TimeoutError):
            return False

    async def _stopping_within(self, seconds: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), seconds)
        return self.stopping.is_set()

    async def _stop_jobs(self) -> list[str]:
        """Cancel the jobs in flight (each step records itself as interrupted); the ids of those whose end
        ARQ could not write to Redis."""
        tasks = dict(self.worker.tasks)
        for task in tasks.values():
            task.cancel()
        results = await asyncio.gather(*tasks.values(), return_exceptions=True)
        self.worker.tasks.clear()
        return [job for job, result in zip(tasks, results, strict=True) if isinstance(result, BaseException)]

    def _drop_ended_jobs(self) -> list[str]:
        """Forget the jobs that ended while Redis was away (ARQ's next poll would raise their errors); the
        ids of those whose end ARQ could not write."""
        unwritten = []
        for job, task in list(self.worker.tasks.items()):
            if task.done():
                del self.worker.tasks[job]
                if task.cancelled() or task.exception() is not None:
                    unwritten.append(job)
        return unwritten

    async def _release(self, jobs: list[str]) -> None:
        """Jobs this worker held when Redis went away: runnable again by anyone (if Redis kept them), and
        gone from this worker's in-flight hash."""
        if not jobs:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.delete(*[in_progress_key_prefix + job for job in jobs])
            pipe.hdel(in_flight_key(self.worker_id), *jobs)
            await pipe.execute()
        tracker: InFlight = self.worker.ctx[IN_FLIGHT_CTX_KEY]
        for job in jobs:
            tracker.running.pop(job, None)


async def _unless_unreachable(work: Awaitable[None], what: str) -> None:
    """Write an outage's record if the service it goes to answers; a bug is logged, never hidden."""
    try:
        await work
    except Exception as exc:
        if unreachable_service(exc) is None:
            log.error(f"outage_{what}_failed", error=repr(exc), error_kind=type(exc).__name__, exc_info=True)


def _seconds_since(moment: datetime) -> float:
    return round((datetime.now(UTC) - moment).total_seconds(), 1)
