"""Re-run one step over a library (or all of them): "missing only" or "all".

- missing: the photos without a successful run of the step at its current version (done, or skipped
  for a reason of the photo's own such as "no GPS"): photos imported while a classifier was off, or
  before its version was bumped, or whose step never ran because an earlier step failed or the work
  was cancelled.
- all: every photo.
Photos with the step already queued or running are left to it. Each chosen photo is reprocessed from
that step on (jobs/reprocess.py), each in its own jobs: one file that fails for good fails alone."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from arq import ArqRedis

from photonix.classifiers import CLASSIFIERS
from photonix.db import classifier_settings, job_actions
from photonix.errors import InvalidAction
from photonix.jobs.flow import Chain
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.reprocess import Reprocessed, reprocess
from photonix.jobs.retry import Progress

BATCH_PHOTOS = 1_000              # photos reprocessed per round of database writes and enqueues


class RerunMode(enum.StrEnum):
    MISSING = "missing"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class Rerun:
    """Which step to run again, over which photos."""

    step: str
    mode: RerunMode = RerunMode.MISSING
    library_id: int | None = None          # None: every library


async def _refuse_switched_off(step: str) -> None:
    """A classifier that is off or not installed would only skip every photo again: say so instead."""
    for classifier in CLASSIFIERS:
        if step != f"classify_{classifier.name}":
            continue
        if not await classifier_settings.is_enabled(classifier.name):
            raise InvalidAction(f"{classifier.name} is turned off in settings; turn it on before re-running "
                                f"{step}.")
        reason = classifier.unavailable_reason()
        if reason is not None:
            raise InvalidAction(f"{classifier.name} cannot run here: {reason}.")


async def photos_to_rerun(request: Rerun, pipeline: Chain = PIPELINE) -> list[int]:
    """The photos a re-run would reprocess (a dry run)."""
    if request.step not in pipeline.step_names():
        raise InvalidAction(f"There is no step named {request.step}.")
    await _refuse_switched_off(request.step)
    return await job_actions.photos_to_rerun(
        request.step, pipeline.step_versions()[request.step], request.library_id,
        missing_only=request.mode is RerunMode.MISSING)


async def rerun(redis: ArqRedis, request: Rerun, pipeline: Chain = PIPELINE, *,
                progress: Progress | None = None) -> Reprocessed:
    """Reprocess the chosen photos from the step on, BATCH_PHOTOS at a time (the dashboard sees them
    arrive); `progress` hears (photos done, photos chosen) after each batch."""
    chosen = await photos_to_rerun(request, pipeline)
    steps: tuple[str, ...] = ()
    versions: dict[int, int] = {}
    for start in range(0, len(chosen), BATCH_PHOTOS):
        done = await reprocess(redis, chosen[start:start + BATCH_PHOTOS], [request.step], pipeline)
        steps, versions = done.steps, versions | done.versions
        if progress is not None:
            progress(min(start + BATCH_PHOTOS, len(chosen)), len(chosen))
    return Reprocessed(steps, versions)
