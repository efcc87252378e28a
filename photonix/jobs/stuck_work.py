"""The stuck-work sweep: every PHOTONIX_SWEEP_SECONDS one worker (whoever takes the Redis lock) repairs

(a) steps the record shows running past the job timeout that no live worker holds (their worker died
    unseen, e.g. before it ever beat, or its takeover failed): re-queued, or failed when out of tries;
(b) steps waiting their turn in the record whose Redis job is gone (Redis lost it, or ARQ dropped it
    without us): enqueued again (recovery.py, set-based).
Each sweep leaves a StuckReport in Redis for the dashboard ("3 stuck steps re-queued at 12:03")."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from arq import ArqRedis
from redis.asyncio.client import Pipeline

from photonix.config import Settings
from photonix.db.unfinished_steps import older_than, running_steps
from photonix.jobs.abandoned import release_abandoned
from photonix.jobs.flow import Chain
from photonix.jobs.heartbeat import worker_beats
from photonix.jobs.recovery import requeue_unfinished
from photonix.jobs.takeover import jobs_held_by_live_workers

SWEEP_LOCK_KEY = "photonix:sweep:lock"
LAST_SWEEP_KEY = "photonix:sweep:last"
LAST_REPAIR_KEY = "photonix:sweep:last_repair"
REPORT_KEPT_SECONDS = 7 * 24 * 3600
# Past its own limit a step times itself out within seconds (ARQ's limit follows 10 s later); this much
# later nobody is running it.
TIMEOUT_GRACE_SECONDS = 30
STUCK = "Stuck"

log = structlog.get_logger()


@dataclass(frozen=True, slots=True)
class StuckReport:
    """What one sweep found and repaired."""

    at: datetime
    stuck_requeued: int              # (a) running with nobody running it: re-queued
    stuck_failed: int                # (a) the same, out of tries: failed
    missing_requeued: int            # (b) queued in the record, job gone from Redis: enqueued again
    duration_ms: int

    @property
    def repaired(self) -> int:
        return self.stuck_requeued + self.stuck_failed + self.missing_requeued

    @property
    def sentence(self) -> str:
        """For the dashboard: "3 stuck steps re-queued at 12:03" (the time in UTC)."""
        parts = []
        if self.stuck_requeued or self.missing_requeued:
            count = self.stuck_requeued + self.missing_requeued
            parts.append(f"{count} stuck step{'s' if count != 1 else ''} re-queued")
        if self.stuck_failed:
            parts.append(f"{self.stuck_failed} failed after their last try")
        return f"{', '.join(parts) or 'nothing stuck'} at {self.at:%H:%M}"


def _encode(report: StuckReport) -> str:
    return json.dumps({**asdict(report), "at": report.at.isoformat()})


def _decode(raw: bytes | str) -> StuckReport:
    fields = json.loads(raw)
    return StuckReport(**{**fields, "at": datetime.fromisoformat(fields["at"])})


async def sweep_stuck_work(redis: ArqRedis, pipeline: Chain, settings: Settings) -> StuckReport:
    """One sweep, (a) then (b); its report is stored for the dashboard."""
    started = time.perf_counter()
    timeout = settings.job_timeout_seconds + min(TIMEOUT_GRACE_SECONDS, settings.job_timeout_seconds)
    live_jobs = await jobs_held_by_live_workers(redis, await worker_beats(redis))
    stuck = [step.job_id for step in await running_steps(older_than(timeout)) if step.job_id not in live_jobs]
    released = await release_abandoned(
        redis, pipeline, settings, stuck, error_kind=STUCK,
        reason=f"still running {timeout} s after it started, with no live worker running it")
    missing = await requeue_unfinished(redis, pipeline)
    report = StuckReport(datetime.now(UTC), released.requeued, released.failed,
                         released.enqueued + missing, int((time.perf_counter() - started) * 1000))
    async with redis.pipeline(transaction=False) as pipe:
        pipe.set(LAST_SWEEP_KEY, _encode(report), ex=REPORT_KEPT_SECONDS)
        if report.repaired:
            pipe.set(LAST_REPAIR_KEY, _encode(report), ex=REPORT_KEPT_SECONDS)
        await pipe.execute()
    if report.repaired:
        log.warning("stuck_work_repaired", **{k: v for k, v in asdict(report).items() if k != "at"})
    return report


async def sweep_if_due(redis: ArqRedis, pipeline: Chain, settings: Settings, me: str) -> StuckReport | None:
    """Sweep unless another worker did within PHOTONIX_SWEEP_SECONDS (the lock lapses after that)."""
    if not await redis.set(SWEEP_LOCK_KEY, me, nx=True, ex=settings.sweep_seconds):
        return None
    return await sweep_stuck_work(redis, pipeline, settings)


async def last_sweep(redis: ArqRedis) -> StuckReport | None:
    raw = await redis.get(LAST_SWEEP_KEY)
    return _decode(raw) if raw is not None else None


async def last_repair(redis: ArqRedis) -> StuckReport | None:
    """The latest sweep that repaired something (what the dashboard shows), or None."""
    raw = await redis.get(LAST_REPAIR_KEY)
    return _decode(raw) if raw is not None else None


def last_repair_in(pipe: Pipeline) -> Callable[[list[Any]], StuckReport | None]:
    """Queue on `pipe` the read of last_repair(); what it returns decodes it from the answers."""
    at = len(pipe.command_stack)
    pipe.get(LAST_REPAIR_KEY)

    def read(answers: list[Any]) -> StuckReport | None:
        return _decode(answers[at]) if answers[at] is not None else None
    return read
