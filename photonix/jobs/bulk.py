"""Big retries, re-runs and reprocesses of a grid selection off the web request: the request enqueues
one ARQ job (`bulk_action`) naming the action, and a worker does it in batches, so the page answers at
once ("Retrying 30,000 photos…") and the dashboard's polling shows the photos arrive in the queue.

The job id is the action's own (kind and what it names), so asking twice while it is under way does
nothing; its result is not kept, so the same action can be asked again once it is done."""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable
from typing import Any

import structlog
from arq import ArqRedis

from photonix.jobs.flow import Chain
from photonix.jobs.reprocess import reprocess
from photonix.jobs.rerun import Rerun, RerunMode, rerun
from photonix.jobs.retry import RetryScope, RetrySelection, retry

log = structlog.get_logger()

FUNCTION = "bulk_action"


class BulkKind(enum.StrEnum):
    RETRY = "retry"
    RERUN = "rerun"
    REPROCESS = "reprocess"         # a grid selection's photos, already checked against the viewer's role


def retry_args(selection: RetrySelection) -> dict[str, Any]:
    """The selection as plain msgpack values (jobs never carry pickles)."""
    return {"scope": selection.scope.value, "photo_ids": list(selection.photo_ids),
            "step": selection.step, "error_kind": selection.error_kind, "reason": selection.reason,
            "library_id": selection.library_id}


def rerun_args(request: Rerun) -> dict[str, Any]:
    return {"step": request.step, "mode": request.mode.value, "library_id": request.library_id}


def bulk_job_id(kind: BulkKind, args: dict[str, Any]) -> str:
    """One id per action and what it names: a second click while it runs is the same job."""
    digest = hashlib.sha256(json.dumps(args, sort_keys=True).encode()).hexdigest()[:16]
    return f"{FUNCTION}:{kind.value}:{digest}"


async def enqueue(redis: ArqRedis, kind: BulkKind, args: dict[str, Any]) -> bool:
    """Hand the action to a worker; False when the same action is queued or running already."""
    job = await redis.enqueue_job(FUNCTION, kind.value, args, _job_id=bulk_job_id(kind, args))
    log.info("bulk_action_queued", action=kind.value, queued=job is not None, **args)
    return job is not None


async def enqueue_retry(redis: ArqRedis, selection: RetrySelection) -> bool:
    return await enqueue(redis, BulkKind.RETRY, retry_args(selection))


async def enqueue_rerun(redis: ArqRedis, request: Rerun) -> bool:
    return await enqueue(redis, BulkKind.RERUN, rerun_args(request))


async def enqueue_reprocess(redis: ArqRedis, photo_ids: Iterable[int]) -> bool:
    return await enqueue(redis, BulkKind.REPROCESS, {"photo_ids": sorted(set(photo_ids))})


async def bulk_action(ctx: dict[str, Any], kind: str, args: dict[str, Any]) -> int:
    """The worker's side: do the action in batches; how many photos it queued."""
    redis: ArqRedis = ctx["redis"]
    pipeline: Chain = ctx["pipeline"]

    def progress(done: int, total: int) -> None:
        log.info("bulk_action_progress", action=kind, done=done, total=total)

    if BulkKind(kind) is BulkKind.RETRY:
        selection = RetrySelection(RetryScope(args["scope"]), tuple(args["photo_ids"]), args["step"],
                                   args["error_kind"], args["reason"], args["library_id"])
        return (await retry(redis, selection, pipeline, progress=progress)).photos
    if BulkKind(kind) is BulkKind.REPROCESS:
        return len((await reprocess(redis, args["photo_ids"], pipeline=pipeline)).versions)
    request = Rerun(args["step"], RerunMode(args["mode"]), args["library_id"])
    return len((await rerun(redis, request, pipeline, progress=progress)).versions)
