"""What this worker runs now and how many steps it finished, for its heartbeat and for whoever takes over.

Each running step is held in memory (the beat shows it) and in a Redis hash of its own worker
(`photonix:inflight:<worker id>`, job id -> photo, step, start), written before the step is claimed in
the record and removed after its outcome is recorded. So when a worker dies, the hash names every job
it held, even one it started after its last beat."""

from __future__ import annotations

import json
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import structlog
from arq import ArqRedis, Retry
from redis.exceptions import RedisError

from photonix.jobs.heartbeat import RunningJob

IN_FLIGHT_KEY_PREFIX = "photonix:inflight:"
WORKER_ID_KEY = "worker_id"           # ctx key other modules read (e.g. to record the worker on a step run)
IN_FLIGHT_CTX_KEY = "in_flight"
SUCCESSFUL_OUTCOMES = frozenset({"done", "skipped"})

log = structlog.get_logger()


def new_worker_id() -> str:
    """host:pid:random, unique even when a restarted worker gets its predecessor's pid."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def in_flight_key(worker_id: str) -> str:
    return IN_FLIGHT_KEY_PREFIX + worker_id


@dataclass
class InFlight:
    """One worker's running steps and counts since it started; shared by all its jobs (ARQ copies ctx
    shallowly per job, so every job sees this same object)."""

    worker_id: str
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    jobs_done: int = 0
    jobs_failed: int = 0
    running: dict[str, RunningJob] = field(default_factory=dict)   # job id -> what runs

    def snapshot(self) -> tuple[RunningJob, ...]:
        return tuple(sorted(self.running.values(), key=lambda job: job.started_at))


async def tracked(ctx: dict[str, Any], photo_id: int, step: str, job_id: str,
                  run: Callable[[], Awaitable[str]]) -> str:
    """Run one step's job as in flight on this worker; `run` returns the step's outcome."""
    tracker: InFlight | None = ctx.get(IN_FLIGHT_CTX_KEY)
    if tracker is None:                  # a context made by hand (a test calling a step directly)
        return await run()
    job = RunningJob(photo_id, step, datetime.now(UTC), job_id)
    tracker.running[job_id] = job
    await _remember(ctx["redis"], tracker.worker_id, job)
    try:
        outcome = await run()
    except Retry:
        raise                            # neither done nor failed yet: it runs again
    except Exception:
        tracker.jobs_failed += 1
        raise
    else:
        # Other outcomes (a duplicate delivery, a job that found its step paused) ran nothing.
        if outcome in SUCCESSFUL_OUTCOMES:
            tracker.jobs_done += 1
        elif outcome == "failed":
            tracker.jobs_failed += 1
        return outcome
    finally:
        tracker.running.pop(job_id, None)
        await _forget(ctx["redis"], tracker.worker_id, job_id)


async def held_jobs(redis: ArqRedis, worker_id: str) -> dict[str, RunningJob]:
    """The jobs a worker's hash says it holds (job id -> job)."""
    # redis-py types hash commands for its sync and async clients at once.
    raw = await cast(Awaitable[dict[bytes, bytes]], redis.hgetall(in_flight_key(worker_id)))
    held: dict[str, RunningJob] = {}
    for key, value in raw.items():
        fields = json.loads(value)
        job_id = key.decode() if isinstance(key, bytes) else str(key)
        held[job_id] = RunningJob(int(fields["photo_id"]), str(fields["step"]),
                                  datetime.fromisoformat(fields["started_at"]), job_id)
    return held


async def _remember(redis: ArqRedis, worker_id: str, job: RunningJob) -> None:
    value = json.dumps({"photo_id": job.photo_id, "step": job.step, "started_at": job.started_at.isoformat()})
    try:
        await cast(Awaitable[int], redis.hset(in_flight_key(worker_id), job.job_id, value))
    except (RedisError, OSError) as exc:
        # Redis just handed us this job; if it is gone now, the worker's outage handling takes over.
        log.warning("in_flight_not_recorded", error=str(exc), error_kind=type(exc).__name__)


async def _forget(redis: ArqRedis, worker_id: str, job_id: str) -> None:
    try:
        await cast(Awaitable[int], redis.hdel(in_flight_key(worker_id), job_id))
    except (RedisError, OSError) as exc:
        log.warning("in_flight_not_cleared", error=str(exc), error_kind=type(exc).__name__)
