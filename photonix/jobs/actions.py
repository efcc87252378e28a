"""Every job action as the controls page, the JSON API and the CLI run it: a dry run that counts the
photos it would touch and asks in a sentence, or the action itself and a sentence saying what it did.

One wording everywhere: the page's confirm box asks the dry run's question, the API returns it, the CLI
prints it."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from arq import ArqRedis

from photonix.db import accounts
from photonix.db.job_pauses import PauseScope, PauseTarget
from photonix.jobs import bulk, housekeeping, pausing
from photonix.jobs.flow import Chain
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.rerun import Rerun, RerunMode, photos_to_rerun, rerun
from photonix.jobs.retry import Progress, RetryScope, RetrySelection, plan_retry, retry
from photonix.media.error_sentences import plain_error


class Action(enum.StrEnum):
    RETRY = "retry"
    RERUN = "rerun"
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"
    CLEAR_HISTORY = "clear-history"


@dataclass(frozen=True, slots=True)
class ActionReport:
    """What an action touches (dry run) or touched: photos, and a sentence for people."""

    action: Action
    dry_run: bool
    photos: int
    message: str              # dry run: the question to confirm; else what was done
    runs: int = 0             # step runs touched, where the action counts them

    @property
    def is_empty(self) -> bool:
        """A dry run that would touch nothing: no need to ask. (A pause is worth asking about with nothing
        waiting yet: it holds back what comes next.)"""
        return (self.dry_run and self.photos == 0 and self.runs == 0
                and self.action not in (Action.PAUSE, Action.RESUME))


def photos(count: int) -> str:
    return f"{count:,} photo" + ("" if count == 1 else "s")


async def _library_name(library_id: int | None) -> str:
    if library_id is None:
        return "every library"
    library = await accounts.library_by_id(library_id)
    return library.name if library else f"library {library_id}"


async def _target_label(target: PauseTarget) -> str:
    if target.scope is PauseScope.STEP:
        return target.step
    if target.scope is PauseScope.LIBRARY:
        return f"library {await _library_name(target.library_id)}"
    return "everything"


def _retry_what(selection: RetrySelection) -> str:
    if selection.scope is RetryScope.JOB:
        return f"{selection.step} of photo {selection.photo_ids[0]}"
    if selection.scope is RetryScope.GROUP:
        # In the words the group is shown in (the raw library text stays on its page, one click away).
        return f"the {selection.step} failures “{plain_error(selection.reason or '')}”"
    if selection.scope is RetryScope.STEP:
        return f"every failure of {selection.step}"
    if selection.scope is RetryScope.SELECTION:
        return "the failed steps of the chosen photos"
    return "every failure"


async def retry_action(redis: ArqRedis, selection: RetrySelection, *, dry_run: bool,
                       pipeline: Chain = PIPELINE, bulk_over: int | None = None,
                       progress: Progress | None = None) -> ActionReport:
    """Ask or retry. With `bulk_over` (the page and the API), a retry of more photos than that is handed
    to a worker (jobs/bulk.py) and the answer says it is under way; without (the CLI), it runs here,
    telling `progress` after each batch."""
    plan = await (plan_retry(selection, pipeline) if dry_run or bulk_over is not None else
                  retry(redis, selection, pipeline, progress=progress))
    handed_over = not dry_run and bulk_over is not None and plan.photos > bulk_over
    if not dry_run and bulk_over is not None and not handed_over:
        plan = await retry(redis, selection, pipeline)
    left_out = (f" {photos(plan.permanent_left_out)} that failed for a permanent reason stay out; retry "
                "their failure group to include them." if plan.permanent_left_out else "")
    if plan.photos == 0:
        message = f"Nothing to retry in {_retry_what(selection)}." + left_out
    elif dry_run:
        message = f"Retry {photos(plan.photos)} ({_retry_what(selection)})?" + left_out
    elif handed_over:
        message = (_under_way(f"Retrying {photos(plan.photos)}", await bulk.enqueue_retry(redis, selection))
                   + left_out)
    else:
        message = f"Queued {photos(plan.photos)} for another try." + left_out
    return ActionReport(Action.RETRY, dry_run, plan.photos, message, runs=len(plan.runs))


def _under_way(doing: str, is_new: bool) -> str:
    """The answer to an action handed to a worker (or found already with one)."""
    if not is_new:
        return f"{doing}: already under way; the dashboard shows them as they are queued."
    return f"{doing}… a worker queues them in batches; the dashboard shows them as they arrive."


async def rerun_action(redis: ArqRedis, request: Rerun, *, dry_run: bool,
                       pipeline: Chain = PIPELINE, bulk_over: int | None = None,
                       progress: Progress | None = None) -> ActionReport:
    """Ask or re-run; `bulk_over` and `progress` as for retry_action."""
    where = await _library_name(request.library_id)
    which = "missing only" if request.mode is RerunMode.MISSING else "all photos"
    # Counted first only where the count decides something: the CLI's re-run counts as it goes.
    count = len(await photos_to_rerun(request, pipeline)) if dry_run or bulk_over is not None else 0
    if dry_run:
        message = (f"Re-run {request.step} on {photos(count)} in {where} ({which})?" if count else
                   f"No photo in {where} needs {request.step} run again ({which}).")
    elif bulk_over is not None and count > bulk_over:
        message = _under_way(f"Re-running {request.step} on {photos(count)} in {where}",
                             await bulk.enqueue_rerun(redis, request))
    else:
        count = len((await rerun(redis, request, pipeline, progress=progress)).versions)
        message = f"Queued {request.step} for {photos(count)} in {where}."
    return ActionReport(Action.RERUN, dry_run, count, message)


async def pause_action(target: PauseTarget, paused_by: str, *, dry_run: bool,
                       pipeline: Chain = PIPELINE) -> ActionReport:
    label = await _target_label(await pausing.checked(target, pipeline))
    if dry_run:
        count = await pausing.waiting_photos(target, pipeline)
        return ActionReport(Action.PAUSE, True, count,
                            f"Pause {label}? {photos(count)} have work waiting; running steps finish.")
    outcome = await pausing.pause(target, paused_by, pipeline)
    message = (f"Paused {label}: {photos(outcome.photos)} wait until it is resumed." if outcome.changed
               else f"{label.capitalize()} was paused already.")
    return ActionReport(Action.PAUSE, False, outcome.photos, message)


async def resume_action(redis: ArqRedis, target: PauseTarget, *, dry_run: bool,
                        pipeline: Chain = PIPELINE) -> ActionReport:
    label = await _target_label(await pausing.checked(target, pipeline))
    if dry_run:
        count = await pausing.waiting_photos(target, pipeline)
        return ActionReport(Action.RESUME, True, count, f"Resume {label}? {photos(count)} have work waiting.")
    outcome = await pausing.resume(redis, target, pipeline)
    message = (f"Resumed {label}: {photos(outcome.photos)} go on." if outcome.changed
               else f"{label.capitalize()} was not paused.")
    return ActionReport(Action.RESUME, False, outcome.photos, message, runs=outcome.requeued)


async def cancel_action(redis: ArqRedis, library_id: int | None, cancelled_by: str, *,
                        dry_run: bool) -> ActionReport:
    if dry_run:
        count = await housekeeping.photos_to_cancel(library_id)
        where = await _library_name(library_id)
        message = (f"Cancel the queued work of {photos(count)} in {where}? Their waiting steps are skipped; "
                   "running steps finish." if count else f"Nothing is queued in {where}.")
        return ActionReport(Action.CANCEL, True, count, message)
    done = await housekeeping.cancel_library(redis, library_id, cancelled_by)
    message = (f"Cancelled the queued work of {photos(done.photos)} in {await _library_name(library_id)}; "
               "“re-run missing” picks them up again.")
    return ActionReport(Action.CANCEL, False, done.photos, message, runs=done.runs)


async def clear_history_action(days: int, *, dry_run: bool) -> ActionReport:
    if dry_run:
        found = await housekeeping.clearable(days)
        message = (f"Delete {found.runs:,} finished runs of {photos(found.photos)} older than {days} days? "
                   "The latest run of every step of every photo stays." if found.runs else
                   f"No finished history older than {days} days to clear.")
        return ActionReport(Action.CLEAR_HISTORY, True, found.photos, message, runs=found.runs)
    cleared = await housekeeping.clear_history(days)
    return ActionReport(Action.CLEAR_HISTORY, False, cleared.photos,
                        f"Deleted {cleared.runs:,} finished runs older than {days} days.", runs=cleared.runs)
