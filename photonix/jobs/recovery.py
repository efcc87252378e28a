"""Rebuild the queue from the record: re-enqueue every step that should be running but may not be queued.

The database is the record and Redis only the queue; after a Redis restart (or a lost job) this finds the
unfinished steps whose predecessors succeeded and enqueues them again under the same job ids. It is
set-based: one query for every waiting step, Redis read and written in batches, so it stays quick when
Redis came back empty in the middle of a 100,000-photo import."""

from __future__ import annotations

from collections.abc import Collection

import msgspec
from arq import ArqRedis
from arq.constants import job_key_prefix, result_key_prefix

from photonix.db.unfinished_steps import skip_after_failures, waiting_steps
from photonix.jobs import flow
from photonix.jobs.flow import Chain
from photonix.jobs.queue import BATCH, NewJob, deserialize_job, enqueue_batch


async def requeue_unfinished(redis: ArqRedis, pipeline: Chain, photo_ids: Collection[int] | None = None
                             ) -> int:
    """Enqueue the runnable unfinished steps whose job Redis does not hold (of every photo, or of these);
    returns how many were enqueued."""
    link_of = {name: pipeline.link_index(name) for name in pipeline.step_names()}
    await skip_after_failures(link_of, photo_ids)        # a worker stopped between a failure and that
    waiting = await waiting_steps(link_of, photo_ids)
    # Each follows on (flow.advance goes only to the steps recorded at its version, however few).
    jobs = [NewJob(flow.job_id(step.step, step.photo_id, step.version), step.step,
                   (step.photo_id, step.version, True)) for step in waiting]
    missing = await _without_a_usable_job(redis, jobs)
    return await enqueue_batch(redis, missing)


async def _without_a_usable_job(redis: ArqRedis, jobs: list[NewJob]) -> list[NewJob]:
    """The jobs Redis does not hold in a form ARQ can run, with what would block enqueuing them cleared:

    - A kept result: ARQ keeps a finished job's result (an hour) and will not take its id meanwhile. A
      step's record is final before its job ends, so a result beside an unfinished record means ARQ
      ended the job without us (its own timeout, a job it could not read).
    - A job we cannot read (a pickle left in Redis from before jobs were msgpack): ARQ would refuse it,
      and enqueuing would not replace it."""
    missing: list[NewJob] = []
    for start in range(0, len(jobs), BATCH):
        chunk = jobs[start:start + BATCH]
        payloads = await redis.mget([job_key_prefix + job.job_id for job in chunk])
        stale: list[str] = []
        for job, payload in zip(chunk, payloads, strict=True):
            if payload is None:
                stale.append(result_key_prefix + job.job_id)
            elif not _is_readable(payload):
                stale += [job_key_prefix + job.job_id, result_key_prefix + job.job_id]
            else:
                continue
            missing.append(job)
        if stale:
            await redis.delete(*stale)
    return missing


def _is_readable(payload: bytes) -> bool:
    try:
        deserialize_job(payload)
    except (msgspec.DecodeError, TypeError):
        return False
    return True
