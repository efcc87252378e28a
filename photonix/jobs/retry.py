"""Retry failed steps: one job, a selection of photos, a failure group (step, error kind and reason, as
/jobs/failures groups them), or every failure of a step.

The latest failed run of each chosen (photo, step) goes back to queued with its tries reset (each try
stays in the history) and is enqueued again under its job id; the steps after it that were skipped
because it failed ("not run: X failed") are queued again too and follow it. A step-wide retry (or
"retry all") leaves out runs that failed for a permanent reason (an undecodable file fails again);
one job, a selection or a group are chosen explicitly and retry whatever they hold."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

import structlog
from arq import ArqRedis

from photonix.db import job_actions
from photonix.db.job_actions import FailedRun, RecordedRun
from photonix.errors import InvalidAction, permanent_kinds
from photonix.jobs import flow
from photonix.jobs.flow import Chain
from photonix.jobs.pipeline import PIPELINE

log = structlog.get_logger()
BATCH_RUNS = 2_000                 # failed runs queued again per round of database writes and enqueues
Progress = Callable[[int, int], None]        # (done, total), after each batch


class RetryScope(enum.StrEnum):
    JOB = "job"                  # one step of one photo
    SELECTION = "selection"      # the failed steps of some photos (of one step, when given)
    GROUP = "group"              # a failure group: step, error kind and reason
    STEP = "step"                # every failure of a step
    ALL = "all"                  # every failure


@dataclass(frozen=True, slots=True)
class RetrySelection:
    """What to retry, as the controls page, the failure groups, the API and the CLI name it."""

    scope: RetryScope
    photo_ids: tuple[int, ...] = ()
    step: str | None = None
    error_kind: str | None = None
    reason: str | None = None             # a group's reason: its error without the file it names
    library_id: int | None = None

    @property
    def is_explicit(self) -> bool:
        """Chosen by hand: permanent failures are retried too."""
        return self.scope in (RetryScope.JOB, RetryScope.SELECTION, RetryScope.GROUP)


@dataclass(frozen=True, slots=True)
class RetryPlan:
    """What a retry would touch: the failed runs, their photos, and the permanent failures left out."""

    runs: tuple[FailedRun, ...]
    permanent_left_out: int
    photo_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def photos(self) -> int:
        return len(self.photo_ids)


def checked(selection: RetrySelection, pipeline: Chain = PIPELINE) -> RetrySelection:
    """The selection if it names what its scope needs; InvalidAction says what is missing."""
    if selection.step is not None and selection.step not in pipeline.step_names():
        raise InvalidAction(f"There is no step named {selection.step}.")
    if selection.scope is RetryScope.JOB and (len(selection.photo_ids) != 1 or not selection.step):
        raise InvalidAction("Retrying one job needs one photo and its step.")
    if selection.scope is RetryScope.SELECTION and not selection.photo_ids:
        raise InvalidAction("Choose the photos to retry.")
    if selection.scope is RetryScope.GROUP and (not selection.step or selection.error_kind is None
                                                or selection.reason is None):
        raise InvalidAction("A failure group is named by its step, error kind and message.")
    if selection.scope is RetryScope.STEP and not selection.step:
        raise InvalidAction("Choose the step whose failures to retry.")
    return selection


async def plan_retry(selection: RetrySelection, pipeline: Chain = PIPELINE) -> RetryPlan:
    """The runs a retry would send back to the queue (a dry run)."""
    checked(selection, pipeline)
    by_hand = selection.is_explicit
    in_group = selection.scope is RetryScope.GROUP
    chosen = partial(job_actions.failed_runs, photo_ids=selection.photo_ids or None, step=selection.step,
                     error_kind=selection.error_kind if in_group else None,
                     reason=selection.reason if in_group else None, library_id=selection.library_id)
    runs = await chosen(leave_out_kinds=() if by_hand else permanent_kinds())
    left_out = 0 if by_hand else len(await chosen()) - len(runs)
    return RetryPlan(tuple(runs), left_out, frozenset(run.photo_id for run in runs))


def upstream_skips_to_reopen(runs: list[RecordedRun], pipeline: Chain) -> list[RecordedRun]:
    """Of one photo version's runs (failed ones already queued again): the steps skipped because an
    earlier step failed, where no earlier step is still failed."""
    failed_links = [pipeline.link_index(run.step) for run in runs
                    if run.state == "failed" and run.step in pipeline.step_names()]
    first_still_failed = min(failed_links, default=len(pipeline.links))
    return [run for run in runs
            if run.state == "skipped" and run.error_kind == "Upstream" and run.step in pipeline.step_names()
            and pipeline.link_index(run.step) <= first_still_failed]


async def _requeue(redis: ArqRedis, runs: Sequence[FailedRun], pipeline: Chain) -> list[FailedRun]:
    """Queue these failed runs again (and the skips they caused) and enqueue them; those it moved."""
    versions = pipeline.step_versions()
    by_step: dict[str, list[int]] = defaultdict(list)
    for run in runs:
        by_step[run.step].append(run.id)
    moved: set[int] = set()
    for step, ids in by_step.items():
        moved |= await job_actions.requeue(ids, "failed", versions.get(step, 1))
    retried = [run for run in runs if run.id in moved]
    recorded = await job_actions.runs_at({(run.photo_id, run.version) for run in retried})
    reopen: dict[str, list[int]] = defaultdict(list)
    for photo_runs in recorded.values():
        for skipped in upstream_skips_to_reopen(photo_runs, pipeline):
            reopen[skipped.step].append(skipped.id)
    for step, ids in reopen.items():
        await job_actions.requeue(ids, "skipped", versions.get(step, 1))
    await flow.enqueue_many(redis, [(run.step, run.photo_id, run.version) for run in retried], again=True)
    return retried


async def retry(redis: ArqRedis, selection: RetrySelection, pipeline: Chain = PIPELINE, *,
                progress: Progress | None = None) -> RetryPlan:
    """Queue the selection's failed runs again and enqueue them, BATCH_RUNS at a time (so the dashboard
    sees them arrive, and no transaction holds thousands of rows); what was retried. `progress` hears
    (runs done, runs planned) after each batch."""
    plan = await plan_retry(selection, pipeline)
    # A photo's runs stay in one batch, so its skips are reopened knowing all of its retried failures.
    runs = sorted(plan.runs, key=lambda run: (run.photo_id, run.version))
    retried: list[FailedRun] = []
    start = 0
    while start < len(runs):
        end = min(start + BATCH_RUNS, len(runs))
        while end < len(runs) and runs[end].photo_id == runs[end - 1].photo_id:
            end += 1
        retried += await _requeue(redis, runs[start:end], pipeline)
        if progress is not None:
            progress(end, len(runs))
        start = end
    log.info("retry_queued", scope=selection.scope.value, step=selection.step, runs=len(retried),
             photos=len({run.photo_id for run in retried}))
    return RetryPlan(tuple(retried), plan.permanent_left_out, frozenset(run.photo_id for run in retried))
