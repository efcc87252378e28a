"""Whether a queued step may start now: pauses (from the database) and per-step limits (per worker).

Both are decided before the step's record is claimed, so waiting never costs a try or counts against
the step's time limit:
- Paused: the job ends at once and its record stays queued. Resume re-enqueues waiting records from
  the record (recovery.requeue_unfinished); a job that saw the pause just before it was lifted
  re-enqueues itself once it has ended (`requeue_if_resumed`, ARQ's after_job_end).
- At the step's limit: the job waits a moment for a slot, then goes back to the queue for a few seconds
  with ARQ's try counter put back, so the deferral is not a try."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import structlog
from arq import ArqRedis, Retry
from arq.constants import retry_key_prefix

from photonix.db import job_pauses, job_settings
from photonix.jobs import flow

log = structlog.get_logger()

LIMIT_WAIT_SECONDS = 2.0        # how long a job waits for a slot in this worker before it steps aside
LIMIT_DEFER_SECONDS = (1.0, 3.0)  # then back to the queue for this long (jittered), for any worker
LIMITS_REFRESH_SECONDS = 3.0    # how soon a limit set on the controls page reaches running workers
PAUSED = "paused"               # what a paused step's job returns (its record stays queued)


@dataclass(frozen=True, slots=True)
class ParkedJob:
    """A job that ended because of a pause: enough to enqueue it again."""

    step: str
    photo_id: int
    version: int
    follow: bool


class StepLimiter:
    """Per-step slots in one worker; the limits can change while jobs wait (they are read live)."""

    def __init__(self) -> None:
        self.limits: dict[str, int] = {}
        self.running: Counter[str] = Counter()
        self._changed = asyncio.Condition()

    def _has_room(self, step: str) -> bool:
        limit = self.limits.get(step)
        return limit is None or self.running[step] < limit

    async def acquire(self, step: str, wait: float) -> bool:
        """Take a slot of this step, waiting at most `wait` seconds; False when none came free."""
        async with self._changed:
            try:
                async with asyncio.timeout(wait):
                    await self._changed.wait_for(lambda: self._has_room(step))
            except TimeoutError:
                return False
            self.running[step] += 1
            return True

    async def release(self, step: str) -> None:
        async with self._changed:
            self.running[step] -= 1
            self._changed.notify_all()

    async def set_limits(self, limits: dict[str, int]) -> None:
        async with self._changed:
            self.limits = dict(limits)
            self._changed.notify_all()


async def is_paused(ctx: dict[str, Any], step: str, photo_id: int, version: int, follow: bool) -> bool:
    """True when a pause holds this step back; the job is then noted in ctx for `requeue_if_resumed`."""
    if not await job_pauses.is_paused(step, photo_id):
        return False
    ctx["parked_job"] = ParkedJob(step, photo_id, version, follow)
    log.info("step_paused", photo_id=photo_id, step=step, job_id=flow.job_id(step, photo_id, version))
    return True


async def requeue_if_resumed(ctx: dict[str, Any]) -> None:
    """After a paused job has ended (ARQ kept its result): if the pause was lifted meanwhile, the resume
    may have looked before the job ended, so enqueue it again now."""
    parked: ParkedJob | None = ctx.pop("parked_job", None)
    if parked is None or await job_pauses.is_paused(parked.step, parked.photo_id):
        return
    await flow.enqueue_again(ctx["redis"], [parked.step], parked.photo_id, parked.version,
                             follow=parked.follow)


@contextlib.asynccontextmanager
async def step_slot(ctx: dict[str, Any], step: str) -> AsyncIterator[None]:
    """Hold one of this worker's slots for the step while it runs; with none free soon, hand the job back
    to the queue (Retry) without spending a try."""
    limiter: StepLimiter | None = ctx.get("step_limiter")
    if limiter is None:
        yield
        return
    if not await limiter.acquire(step, LIMIT_WAIT_SECONDS):
        redis: ArqRedis = ctx["redis"]
        # ARQ counted this pickup as a try; it was not one.
        await redis.decr(retry_key_prefix + ctx["job_id"])
        log.info("step_at_limit", step=step, limit=limiter.limits.get(step), job_id=ctx["job_id"])
        raise Retry(defer=random.uniform(*LIMIT_DEFER_SECONDS))
    try:
        yield
    finally:
        await limiter.release(step)


async def refresh_limits(limiter: StepLimiter, every: float = LIMITS_REFRESH_SECONDS) -> None:
    """Keep the limiter's limits in step with the database until cancelled (a worker's background task)."""
    while True:
        try:
            await limiter.set_limits(await job_settings.step_limits())
        except Exception as exc:            # a database hiccup must not end the task: try again next time
            log.warning("step_limits_unreadable", error=repr(exc))
        await asyncio.sleep(every)
