"""The ARQ worker: its functions (one per pipeline step), start-up and shut-down, per-job log context."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import structlog
from arq import ArqRedis, Worker, cron
from arq.worker import Function, func

from photonix.config import Settings
from photonix.db import job_settings
from photonix.jobs import bulk
from photonix.jobs.admission import StepLimiter, refresh_limits, requeue_if_resumed
from photonix.jobs.flow import Chain
from photonix.jobs.housekeeping import clear_old_history, delete_expired_sessions
from photonix.jobs.inflight import IN_FLIGHT_CTX_KEY, WORKER_ID_KEY, InFlight, new_worker_id
from photonix.jobs.outage_handling import OUTAGE_CTX_KEY, OutageHandling
from photonix.jobs.outages import unreachable_service
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.pool import WorkerPool, pool_for
from photonix.jobs.queue import SERIALIZERS, redis_settings
from photonix.jobs.recovery import requeue_unfinished
from photonix.jobs.scan import scan_library
from photonix.jobs.trash_purge import FUNCTION as EMPTY_TRASH
from photonix.jobs.trash_purge import PURGE_HOUR, PURGE_MINUTE, empty_trash, purge_expired_trash
from photonix.jobs.upkeep import start_upkeep, stop_upkeep
from photonix.jobs.watcher import rescan_all, watch_libraries

log = structlog.get_logger()

ARQ_TIMEOUT_MARGIN_SECONDS = 10     # time for a timed-out step to record itself before ARQ steps in
HISTORY_CLEAR_HOUR, HISTORY_CLEAR_MINUTE = 3, 17    # nightly, UTC; ARQ runs a cron job on one worker


async def rescan_libraries(ctx: dict[str, Any]) -> int:
    """Cron job: the periodic rescan that catches what the watcher missed (one worker runs it)."""
    return await rescan_all(ctx["redis"], ctx["pipeline"])


async def on_startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx["settings"]
    if ctx.get("pool") is None:
        ctx["pool"] = pool_for(settings)
        ctx["owns_pool"] = True
        # Pool processes start, and classifiers load their data, on first use (issue 13: an idle app
        # held ~200 MB per pool process of place and border data no photo had asked for yet).
    if "step_limiter" not in ctx:            # on_startup runs again after an outage
        ctx["step_limiter"] = limiter = StepLimiter()
        await limiter.set_limits(await job_settings.step_limits())
        if not ctx.get("burst"):             # a burst worker (tests) reads the limits once
            ctx["limits_refresh"] = asyncio.create_task(refresh_limits(limiter))
    if ctx.get("upkeep"):
        start_upkeep(ctx)
    requeued = await requeue_unfinished(ctx["redis"], ctx["pipeline"])
    log.info("worker_started", requeued=requeued, concurrency=settings.worker_concurrency,
             pool_processes=settings.pool_processes, worker_id=ctx[WORKER_ID_KEY])
    if ctx.get("watch") and "watcher" not in ctx:          # on_startup runs again after an outage
        ctx["stop_watching"] = stop = asyncio.Event()
        ctx["watcher"] = asyncio.create_task(keep_watching(ctx["redis"], ctx["pipeline"], stop))


async def keep_watching(redis: ArqRedis, pipeline: Chain, stop: asyncio.Event) -> None:
    """The folder watcher, started again after an outage cut it short; a rescan then finds the files
    that arrived meanwhile."""
    delay, interrupted = 1.0, False
    while not stop.is_set():
        try:
            if interrupted:
                await rescan_all(redis, pipeline)
            await watch_libraries(redis, pipeline, stop)
            return
        except Exception as exc:
            if unreachable_service(exc) is None:
                raise
            log.warning("watcher_interrupted", error=str(exc), error_kind=type(exc).__name__)
            interrupted = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, 30.0)


async def on_shutdown(ctx: dict[str, Any]) -> None:
    if (refresh := ctx.pop("limits_refresh", None)) is not None:
        refresh.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await refresh
    await stop_upkeep(ctx)
    await ctx[OUTAGE_CTX_KEY].close()
    if "watcher" in ctx:
        ctx["stop_watching"].set()
        with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError):
            await asyncio.wait_for(ctx["watcher"], timeout=5)
    if ctx.get("owns_pool"):
        ctx["pool"].shutdown()
    log.info("worker_stopped")


async def on_job_start(ctx: dict[str, Any]) -> None:
    # Each ARQ job runs in its own task, so context bound here cannot leak into another job.
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(job_id=ctx["job_id"], **{"try": ctx["job_try"]})


def step_functions(settings: Settings, pipeline: Chain) -> list[Function]:
    # One more try than ours: the last one is where steprun records "gave up" instead of retrying.
    steps = [func(step.function, name=step.name, max_tries=settings.max_tries + 1)
             for step in pipeline.steps()]
    # A bulk action runs once (a second try would only find less to do) and keeps no result, so its job
    # id is free again as soon as it is done. It has the steps' job timeout, never a longer one: ARQ marks
    # EVERY job in progress for the longest timeout of any function, and a dead worker's jobs would then
    # stay blocked that long.
    in_bulk = func(bulk.bulk_action, name=bulk.FUNCTION, max_tries=1, keep_result=0)
    # "Empty trash now" likewise: its job id is free again once it has run (trash_purge.py).
    emptying = func(empty_trash, name=EMPTY_TRASH, max_tries=1, keep_result=0)
    return [*steps, func(scan_library, name="scan_library", max_tries=3), in_bulk, emptying]


def build_worker(settings: Settings, *, pipeline: Chain = PIPELINE, burst: bool = False,
                 pool: WorkerPool | None = None, watch: bool = False) -> Worker:
    """A worker for this pipeline; tests pass burst=True (return when the queue is empty) and a shared
    pool."""
    worker_id = new_worker_id()
    every_minutes = max(1, settings.rescan_seconds // 60)
    rescan_minute = {0} if settings.rescan_seconds >= 3600 else set(range(0, 60, every_minutes))
    worker = Worker(
        functions=step_functions(settings, pipeline),
        cron_jobs=[
            *([cron(rescan_libraries, minute=rescan_minute, run_at_startup=False)]
              if settings.rescan_seconds else []),
            cron(clear_old_history, hour={HISTORY_CLEAR_HOUR}, minute={HISTORY_CLEAR_MINUTE},
                 run_at_startup=False),
            cron(delete_expired_sessions, hour={HISTORY_CLEAR_HOUR}, minute={HISTORY_CLEAR_MINUTE},
                 run_at_startup=False),
            cron(purge_expired_trash, hour={PURGE_HOUR}, minute={PURGE_MINUTE}, run_at_startup=False),
        ],
        redis_settings=redis_settings(settings),
        # A burst worker (tests, draining a queue) ends when the queue is empty: it neither beats nor
        # repairs after others, which a long-lived worker does (upkeep.py).
        ctx={"settings": settings, "pipeline": pipeline, "pool": pool, "watch": watch, "burst": burst,
             "upkeep": not burst, WORKER_ID_KEY: worker_id, IN_FLIGHT_CTX_KEY: InFlight(worker_id)},
        on_startup=on_startup,
        on_shutdown=on_shutdown,
        on_job_start=on_job_start,
        after_job_end=requeue_if_resumed,
        max_jobs=settings.worker_concurrency,
        # Steps time out by themselves (steprun), into a retry; ARQ's limit is only the backstop.
        job_timeout=settings.job_timeout_seconds + ARQ_TIMEOUT_MARGIN_SECONDS,
        keep_result=3600,
        burst=burst,
        poll_delay=settings.poll_seconds,
        handle_signals=not burst,
        **SERIALIZERS,
    )
    handling = OutageHandling(worker, worker_id)
    worker.ctx[OUTAGE_CTX_KEY] = handling
    worker.ctx["outage_noticed"] = handling.noticed        # what outages.retrying calls from a step
    worker.on_stop = handling.stop_requested
    return worker


async def run_until_stopped(worker: Worker) -> None:
    """Run a long-lived worker until a signal stops it, riding out outages, then shut it down in order.

    On SIGINT/SIGTERM ARQ cancels its jobs and its main task, which ends `async_run` without running
    on_shutdown; here the watcher is stopped and the pool's processes end before the process exits.
    Redis or the database going away also ends ARQ's main task; the worker waits for it to come back
    (outage_handling.py) and runs again, with no one restarting it."""
    handling: OutageHandling = worker.ctx[OUTAGE_CTX_KEY]
    try:
        while True:
            try:
                await worker.async_run()
                return
            except asyncio.CancelledError:
                if (task := asyncio.current_task()) is not None and task.cancelling():
                    raise                    # we were cancelled ourselves, not stopped by a signal
                return
            except Exception as exc:
                service = unreachable_service(exc)
                if service is None:
                    raise
                if not await handling.ride_out(service, exc):
                    return                   # stopped by a signal while waiting
    finally:
        await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
        await on_shutdown(worker.ctx)
        if (redis := worker.ctx.get("redis")) is not None:
            await redis.aclose()
