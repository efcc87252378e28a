"""Rebuild the queue from the record: re-enqueue every step that should be running but may not be queued.

The database is the record and Redis only the queue; after a Redis restart (or a lost job) this finds the
unfinished steps whose predecessors succeeded and enqueues them again under the same job ids."""

from __future__ import annotations

from collections import defaultdict

import msgspec
from arq import ArqRedis
from arq.constants import job_key_prefix, result_key_prefix

from photonix.db import stepruns
from photonix.db.tables import StepRun
from photonix.jobs import flow
from photonix.jobs.flow import Chain
from photonix.jobs.queue import deserialize_job


async def _drop_stale_jobs(redis: ArqRedis, job_ids: list[str]) -> None:
    """Clear what would stop ARQ from taking these unfinished steps under their ids again.

    - A kept result: ARQ keeps a finished job's result (an hour) and enqueue_job with that id does
      nothing meanwhile. A step's record is final before its job ends, so a result beside an unfinished
      record means ARQ ended the job without us (its own timeout, a job it could not read).
    - A job we cannot read (a pickle left in Redis from before jobs were msgpack): ARQ would refuse it,
      and enqueue_job would not replace it."""
    for job in job_ids:
        payload = await redis.get(job_key_prefix + job)
        if payload is None:
            await redis.delete(result_key_prefix + job)
        elif not _is_readable(payload):
            await redis.delete(job_key_prefix + job, result_key_prefix + job)


def _is_readable(payload: bytes) -> bool:
    try:
        deserialize_job(payload)
    except (msgspec.DecodeError, TypeError):
        return False
    return True


async def requeue_unfinished(redis: ArqRedis, pipeline: Chain) -> int:
    """Enqueue the runnable unfinished steps of every photo version; returns how many were enqueued."""
    unfinished = await StepRun.select(StepRun.photo, StepRun.version).where(
        StepRun.state.not_in(list(stepruns.FINAL_STATES))
    ).distinct()
    enqueued = 0
    for row in unfinished:
        photo_id, version = row["photo"], row["version"]
        states = await stepruns.states_at(photo_id, version)
        by_link: dict[int, list[str]] = defaultdict(list)
        for name in states:
            if name in pipeline.step_names():
                by_link[pipeline.link_index(name)].append(name)
        for index in sorted(by_link):
            waiting = [n for n in by_link[index] if states[n] not in stepruns.FINAL_STATES]
            if waiting:
                await _drop_stale_jobs(redis, [flow.job_id(n, photo_id, version) for n in waiting])
                await flow.enqueue_steps(redis, waiting, photo_id, version, follow=True)
                enqueued += len(waiting)
                break
            if any(states[n] == "failed" for n in by_link[index]):
                break
    return enqueued
