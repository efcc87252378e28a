"""The worker's own background tasks, apart from its jobs: its heartbeat, and repairing after others.

- The heartbeat publishes this worker's beat every PHOTONIX_HEARTBEAT_SECONDS. It is a task of its own,
  doing nothing but that, so a worker busy with long steps (they run in the pool, off the event loop)
  keeps beating.
- The repair loop, at the same pace, takes over workers gone silent (takeover.py) and, every
  PHOTONIX_SWEEP_SECONDS on one worker at a time, sweeps stuck work (stuck_work.py).
Either loop goes on through errors: an outage (Redis or the database away) is logged once, a bug each
time with its traceback. Reconnecting is the worker's outage handling's part (outage_handling.py)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import structlog
from arq import ArqRedis

from photonix.config import Settings
from photonix.jobs.heartbeat import WorkerBeat, beat_key, beat_ttl_seconds, encode_beat, index_in
from photonix.jobs.inflight import IN_FLIGHT_CTX_KEY, InFlight, in_flight_key
from photonix.jobs.outages import unreachable_service
from photonix.jobs.resources_used import photonix_version, worker_resident_bytes
from photonix.jobs.stuck_work import sweep_if_due
from photonix.jobs.takeover import TAKEOVER_KEY_PREFIX, take_over_lost_workers

log = structlog.get_logger()

UPKEEP_TASKS = ("heartbeat_task", "repair_task")


def current_beat(tracker: InFlight, settings: Settings) -> WorkerBeat:
    return WorkerBeat(
        worker_id=tracker.worker_id, host=socket.gethostname(), pid=os.getpid(), version=photonix_version(),
        concurrency=settings.worker_concurrency, pool_size=settings.pool_processes,
        rss_bytes=worker_resident_bytes(), started_at=tracker.started_at, last_beat=datetime.now(UTC),
        beat_seconds=settings.heartbeat_seconds, jobs_done=tracker.jobs_done,
        jobs_failed=tracker.jobs_failed, running=tracker.snapshot(),
    )


async def beat_once(redis: ArqRedis, tracker: InFlight, settings: Settings) -> None:
    """Publish the beat, and keep the in-flight hash alive exactly as long as the beat."""
    beat = current_beat(tracker, settings)
    async with redis.pipeline(transaction=False) as pipe:         # one round trip
        pipe.set(beat_key(beat.worker_id), encode_beat(beat), ex=beat_ttl_seconds(beat.beat_seconds))
        index_in(pipe, beat)
        pipe.expire(in_flight_key(tracker.worker_id), beat_ttl_seconds(beat.beat_seconds))
        pipe.getdel(TAKEOVER_KEY_PREFIX + tracker.worker_id)
        *_, taker = await pipe.execute()
    if taker is not None:
        # Silent too long (stopped, starved, cut off) but alive after all: another worker released the
        # jobs this one held, which may now run twice. Beating again makes it a live worker once more.
        log.warning("worker_was_taken_over", taken_over_by=taker.decode(), running=len(tracker.running))


async def repair(ctx: dict[str, Any]) -> None:
    """Take over the workers gone silent, then sweep stuck work if it is this worker's turn."""
    redis: ArqRedis = ctx["redis"]
    me: str = ctx[IN_FLIGHT_CTX_KEY].worker_id
    await take_over_lost_workers(redis, ctx["pipeline"], ctx["settings"], me)
    await sweep_if_due(redis, ctx["pipeline"], ctx["settings"], me)


async def _every(seconds: float, what: str, work: Callable[[], Awaitable[None]]) -> None:
    failing = False
    while True:
        try:
            await work()
        except Exception as exc:
            if unreachable_service(exc) is None:
                # A bug: logged with its traceback every time; the loop goes on, as the next round may
                # not meet it (the heartbeat, above all, must not stop for a repair that failed).
                log.error(f"{what}_crashed", error=repr(exc), error_kind=type(exc).__name__, exc_info=True)
            elif not failing:             # an outage: once, not once per beat
                log.warning(f"{what}_failing", error=str(exc), error_kind=type(exc).__name__)
            failing = True
        else:
            if failing:
                log.info(f"{what}_resumed")
            failing = False
        await asyncio.sleep(seconds)


def start_upkeep(ctx: dict[str, Any]) -> None:
    """Start the heartbeat and the repair loop, unless they run already (on_startup runs again after a
    Redis outage)."""
    settings: Settings = ctx["settings"]
    tracker: InFlight = ctx[IN_FLIGHT_CTX_KEY]
    if not _running(ctx, "heartbeat_task"):
        ctx["heartbeat_task"] = asyncio.create_task(_every(
            settings.heartbeat_seconds, "heartbeat", lambda: beat_once(ctx["redis"], tracker, settings)))
    if not _running(ctx, "repair_task"):
        ctx["repair_task"] = asyncio.create_task(
            _every(settings.heartbeat_seconds, "repair", lambda: repair(ctx)))


async def stop_upkeep(ctx: dict[str, Any]) -> None:
    for name in UPKEEP_TASKS:
        task: asyncio.Task[None] | None = ctx.pop(name, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _running(ctx: dict[str, Any], name: str) -> bool:
    task: asyncio.Task[None] | None = ctx.get(name)
    return task is not None and not task.done()
