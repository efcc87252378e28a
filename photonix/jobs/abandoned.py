"""Jobs whose worker is gone: record their steps as interrupted and make them runnable again at once.

A worker killed mid-step leaves its ARQ job in the queue under an in-progress key that only expires
after ARQ's job timeout, and the step "running" in the record. Releasing the job records the step as
retrying (or failed, when it was the last try), deletes the in-progress key so any worker takes the job
on its next poll, and re-enqueues from the record what Redis no longer holds. The record's claim
refuses a finished step, so a job that had in fact finished does nothing when it runs again."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import structlog
from arq import ArqRedis
from arq.constants import default_queue_name, in_progress_key_prefix, job_key_prefix, retry_key_prefix

from photonix.config import Settings
from photonix.db.unfinished_steps import interrupt_running
from photonix.jobs import flow
from photonix.jobs.flow import Chain
from photonix.jobs.recovery import requeue_unfinished

log = structlog.get_logger()


@dataclass(frozen=True, slots=True)
class Released:
    """What releasing abandoned jobs did."""

    requeued: int                    # steps recorded as retrying, their jobs runnable again
    failed: int                      # steps out of tries, failed for good
    enqueued: int                    # jobs Redis no longer held, enqueued again from the record


async def release_abandoned(redis: ArqRedis, pipeline: Chain, settings: Settings, job_ids: Collection[str],
                            reason: str, error_kind: str) -> Released:
    """Release jobs nobody runs any more (the caller made sure: their worker is lost, or none holds them)."""
    if not job_ids:
        return Released(0, 0, 0)
    retrying, failed = await interrupt_running(job_ids, reason, error_kind, settings.max_tries)
    for step in failed:
        await flow.advance(redis, pipeline, step.photo_id, step.version, step.step, "failed")
    async with redis.pipeline(transaction=False) as pipe:
        for job in job_ids:
            pipe.delete(in_progress_key_prefix + job)
        for step in failed:               # no later try may run it: ARQ would call it past its last try
            pipe.delete(job_key_prefix + step.job_id, retry_key_prefix + step.job_id)
            pipe.zrem(default_queue_name, step.job_id)
        await pipe.execute()
    # A step that finished just before its worker died may not have started the next link: recovery
    # enqueues what should run now and Redis lacks (a job lost in between, or the successors).
    steps = set(pipeline.step_names())
    photos = {parsed[1] for job in job_ids
              if (parsed := flow.parse_job_id(job)) is not None and parsed[0] in steps}
    enqueued = await requeue_unfinished(redis, pipeline, photos)
    released = Released(len(retrying), len(failed), enqueued)
    log.warning("abandoned_jobs_released", reason=reason, jobs=len(job_ids), requeued=released.requeued,
                failed=released.failed, enqueued=released.enqueued)
    return released
