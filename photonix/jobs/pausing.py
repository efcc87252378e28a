"""Pause and resume queued work: everything, one step (e.g. the classifiers during a big import) or one
library. The pause is a database row (db/job_pauses.py), so it outlives restarts of web, worker and
Redis. Running steps finish; a queued step's job sees the pause before it claims its record and ends,
leaving the record queued without spending a try (jobs/admission.py). Resuming enqueues every waiting
record again from the record (recovery.requeue_unfinished)."""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from arq import ArqRedis

from photonix.db import accounts, job_pauses
from photonix.db.job_pauses import PauseScope, PauseTarget
from photonix.errors import InvalidAction
from photonix.jobs.flow import Chain
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.recovery import requeue_unfinished

log = structlog.get_logger()


@dataclass(frozen=True, slots=True)
class PauseOutcome:
    changed: bool           # False: it was paused (or running) already
    photos: int             # photos with work waiting in the scope
    requeued: int = 0       # resume: steps enqueued again


async def checked(target: PauseTarget, pipeline: Chain = PIPELINE) -> PauseTarget:
    """The target if it names what its scope needs; InvalidAction says what is wrong."""
    if target.scope is PauseScope.STEP:
        if target.step not in pipeline.step_names():
            raise InvalidAction(f"There is no step named {target.step or '(none)'}.")
        return PauseTarget(PauseScope.STEP, target.step)
    if target.scope is PauseScope.LIBRARY:
        if target.library_id is None or await accounts.library_by_id(target.library_id) is None:
            raise InvalidAction("Choose a library to pause or resume.")
        return PauseTarget(PauseScope.LIBRARY, library_id=target.library_id)
    return PauseTarget(PauseScope.GLOBAL)


async def waiting_photos(target: PauseTarget, pipeline: Chain = PIPELINE) -> int:
    """Photos with work waiting in the scope: what a pause holds back or a resume lets go (a dry run)."""
    return await job_pauses.waiting_photo_count(await checked(target, pipeline))


async def pause(target: PauseTarget, paused_by: str, pipeline: Chain = PIPELINE) -> PauseOutcome:
    target = await checked(target, pipeline)
    changed = await job_pauses.pause(target, paused_by)
    log.info("jobs_paused", scope=target.scope.value, step=target.step, library_id=target.library_id,
             by=paused_by, changed=changed)
    return PauseOutcome(changed, await job_pauses.waiting_photo_count(target))


async def resume(redis: ArqRedis, target: PauseTarget, pipeline: Chain = PIPELINE) -> PauseOutcome:
    """Lift the pause, then enqueue what waits (under another pause still in force it waits on)."""
    target = await checked(target, pipeline)
    changed = await job_pauses.resume(target)
    requeued = await requeue_unfinished(redis, pipeline) if changed else 0
    log.info("jobs_resumed", scope=target.scope.value, step=target.step, library_id=target.library_id,
             changed=changed, requeued=requeued)
    return PauseOutcome(changed, await job_pauses.waiting_photo_count(target), requeued)
