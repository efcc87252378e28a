"""The one reprocess: the photo page, the API and a library's re-run all run steps of photos again here.

- No steps named: the whole pipeline.
- Steps named: those steps and every step after them, in pipeline order, because their input is
  what the named steps make. Reprocessing make_thumbnails re-runs the classifiers; classify_color alone
  runs just itself (its group siblings do not depend on it). (A changed sidecar runs its own restricted
  chain instead: pipeline.metadata_steps.)
- Either way each photo gets a new version: new job ids and new StepRun rows, recorded with each step's
  current code version; the earlier runs stay in the history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import structlog
from arq import ArqRedis

from photonix.db import photos, stepruns
from photonix.errors import InvalidAction
from photonix.jobs import flow
from photonix.jobs.flow import Chain
from photonix.jobs.pipeline import PIPELINE

log = structlog.get_logger()

@dataclass(frozen=True, slots=True)
class Reprocessed:
    """What a reprocess started: the steps it runs and the new version of each photo."""

    steps: tuple[str, ...]
    versions: dict[int, int]       # photo id -> new version


def steps_to_run(names: Iterable[str] | None, pipeline: Chain = PIPELINE) -> list[str]:
    """The named steps and every step after them, in pipeline order; every step when none are named.

    InvalidAction names the steps this pipeline does not have."""
    chosen = set(names or ())
    if not chosen:
        return pipeline.step_names()
    unknown = sorted(chosen - set(pipeline.step_names()))
    if unknown:
        raise InvalidAction(f"There is no step named {', '.join(unknown)}.")
    for name in list(chosen):
        chosen.update(pipeline.steps_after(name))
    return [name for name in pipeline.step_names() if name in chosen]


async def reprocess(redis: ArqRedis, photo_ids: Iterable[int], steps: Iterable[str] | None = None,
                    pipeline: Chain = PIPELINE) -> Reprocessed:
    """Run `steps` (and what follows them) of these photos again at a new version of each photo."""
    names = steps_to_run(steps, pipeline)
    versions = await photos.bump_versions(photo_ids)
    await stepruns.mark_queued_many(versions, names, flow.job_id, pipeline.step_versions())
    first = flow.first_link(pipeline, names)
    await flow.enqueue_many(redis, [(name, photo_id, version) for photo_id, version in versions.items()
                                    for name in first])
    log.info("reprocess_started", photos=len(versions), steps=names)
    return Reprocessed(tuple(names), versions)
