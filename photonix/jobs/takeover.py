"""Taking over a lost worker: a live worker that sees another one silent past the heartbeat window
releases the jobs it held, once (the first to SET NX the takeover key acts, the others leave it).

Silence is measured on Redis's clock (how much of the beat key's TTL has run down), not by comparing
hosts' clocks. Only jobs that no live worker holds are released: a hash entry can outlive its job (a
worker cut off from Redis while finishing it), and the same job may be running again elsewhere."""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from arq import ArqRedis

from photonix.config import Settings
from photonix.db.unfinished_steps import running_steps
from photonix.jobs.abandoned import Released, release_abandoned
from photonix.jobs.flow import Chain
from photonix.jobs.heartbeat import BEATS_BEFORE_LOST, WorkerBeat, beat_key, beat_ttl_seconds, worker_beats
from photonix.jobs.inflight import held_jobs, in_flight_key

TAKEOVER_KEY_PREFIX = "photonix:takeover:"
WORKER_LOST = "WorkerLost"

log = structlog.get_logger()


@dataclass(frozen=True, slots=True)
class Takeover:
    lost: WorkerBeat
    released: Released


async def silent_seconds(redis: ArqRedis, beat: WorkerBeat) -> float:
    """How long since the worker last beat, by its beat key's remaining TTL (-1 when the key is gone)."""
    remaining_ms = int(await redis.pttl(beat_key(beat.worker_id)))
    if remaining_ms < 0:
        return -1.0
    return beat_ttl_seconds(beat.beat_seconds) - remaining_ms / 1000


async def jobs_held_by_live_workers(redis: ArqRedis, beats: list[WorkerBeat]) -> set[str]:
    held: set[str] = set()
    for beat in beats:
        if not beat.lost:
            held |= set(await held_jobs(redis, beat.worker_id))
            held |= {job.job_id for job in beat.running if job.job_id}
    return held


async def take_over_lost_workers(redis: ArqRedis, pipeline: Chain, settings: Settings, me: str
                                 ) -> list[Takeover]:
    """Release the jobs of every worker gone silent that nobody took over yet; what was done."""
    beats = [beat for beat in await worker_beats(redis) if beat.worker_id != me]
    lost = [beat for beat in beats
            if await silent_seconds(redis, beat) > beat.beat_seconds * BEATS_BEFORE_LOST]
    if not lost:
        return []
    live_jobs = await jobs_held_by_live_workers(redis, [b for b in beats if b not in lost])
    done: list[Takeover] = []
    for beat in lost:
        claim = TAKEOVER_KEY_PREFIX + beat.worker_id
        if not await redis.set(claim, me, nx=True, ex=beat_ttl_seconds(beat.beat_seconds)):
            continue                      # another live worker took it over
        try:
            # What its in-flight hash names, its last beat showed, and the record says it ran.
            jobs = set(await held_jobs(redis, beat.worker_id))
            jobs |= {job.job_id for job in beat.running if job.job_id}
            jobs |= {step.job_id for step in await running_steps(worker=beat.worker_id)}
            released = await release_abandoned(
                redis, pipeline, settings, jobs - live_jobs,
                reason=f"its worker ({beat.host}, pid {beat.pid}) stopped answering", error_kind=WORKER_LOST)
            await redis.delete(in_flight_key(beat.worker_id))
        except Exception:
            await redis.delete(claim)     # not done: let the next look (ours or another's) try again
            raise
        log.warning("worker_lost_taken_over", lost_worker=beat.worker_id,
                    last_beat=beat.last_beat.isoformat(), jobs=len(jobs), requeued=released.requeued,
                    failed=released.failed)
        done.append(Takeover(beat, released))
    return done
