"""The job actions in the JSON API (bearer token, admins only): retry, re-run, pause, resume, cancel,
clear history, the pauses in force and the per-step limits.

Each action takes `"dry_run": true` to answer how many photos it would touch and the question the
controls page would ask, without doing anything; otherwise it acts and says what it did."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime

import msgspec
from litestar import Controller, get, post, put
from litestar.di import Provide
from litestar.exceptions import ValidationException
from litestar.params import JSONBody

from photonix.db import job_pauses, job_settings
from photonix.db.job_pauses import PauseScope, PauseTarget
from photonix.errors import InvalidAction
from photonix.jobs import actions
from photonix.jobs.actions import ActionReport
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.rerun import Rerun, RerunMode
from photonix.jobs.retry import RetryScope, RetrySelection
from photonix.web.auth import provide_api_viewer, requires_api_admin
from photonix.web.deps import RedisDep, SettingsDep, ViewerDep

MAX_LIMIT = 1000


class ActionResult(msgspec.Struct):
    """What an action touches (dry run) or touched."""

    action: actions.Action
    dry_run: bool
    photos: int
    runs: int              # step runs touched, where the action counts them (retry, resume, cancel, clear)
    message: str           # a dry run's question, or what was done


class RetryRequest(msgspec.Struct):
    """job: one photo and its step; selection: photos (and a step); group: step, error_kind and reason
    (the error without the file it names, as GET /api/v1/jobs/failures lists it); step: every failure of
    a step; all: every failure. Step-wide and all leave out runs that failed for a permanent reason."""

    scope: RetryScope = RetryScope.ALL
    photos: list[int] = msgspec.field(default_factory=list)
    step: str | None = None
    error_kind: str | None = None
    reason: str | None = None
    library: int | None = None
    dry_run: bool = False


class RerunRequest(msgspec.Struct):
    """Run a step again over a library (none: every library): the photos missing a successful run at
    the step's current version, or all."""

    step: str
    mode: RerunMode = RerunMode.MISSING
    library: int | None = None
    dry_run: bool = False


class PauseRequest(msgspec.Struct):
    """What to pause or resume: everything, one step or one library."""

    scope: PauseScope = PauseScope.GLOBAL
    step: str | None = None
    library: int | None = None
    dry_run: bool = False


class CancelRequest(msgspec.Struct):
    library: int
    dry_run: bool = False


class ClearHistoryRequest(msgspec.Struct):
    """Delete finished runs older than `days` that a newer run of the same step of the photo replaced."""

    days: int
    dry_run: bool = False


class PauseItem(msgspec.Struct):
    scope: PauseScope
    step: str
    library: int | None
    library_name: str
    created_by: str
    created_at: datetime


class Limits(msgspec.Struct):
    """step -> the most runs of it one worker starts at once; a step left out has no limit."""

    limits: dict[str, int]


def _result(report: ActionReport) -> ActionResult:
    return ActionResult(report.action, report.dry_run, report.photos, report.runs, report.message)


def _target(data: PauseRequest) -> PauseTarget:
    return PauseTarget(data.scope, data.step or "", data.library)


class JobActionsApi(Controller):
    path = "/api/v1/jobs"
    dependencies = {"viewer": Provide(provide_api_viewer)}
    guards = [requires_api_admin]
    tags = ["jobs"]

    @post("/retry", status_code=200)
    async def retry(self, redis: RedisDep, settings: SettingsDep,
                    data: JSONBody[RetryRequest]) -> ActionResult:
        """Send failed runs back to the queue, with the steps they held back. More photos than
        PHOTONIX_BULK_ACTION_PHOTOS are handed to a worker, which queues them in batches: the answer
        comes at once, and says so."""
        in_group = data.scope is RetryScope.GROUP
        selection = RetrySelection(data.scope, tuple(data.photos), data.step,
                                   data.error_kind if in_group else None, data.reason if in_group else None,
                                   data.library)
        return _result(await _run(actions.retry_action(redis, selection, dry_run=data.dry_run,
                                                        bulk_over=settings.bulk_action_photos)))

    @post("/rerun", status_code=200)
    async def rerun(self, redis: RedisDep, settings: SettingsDep,
                    data: JSONBody[RerunRequest]) -> ActionResult:
        """Reprocess the chosen photos from the step on (each at a new version); many photos are handed
        to a worker as for retry."""
        request = Rerun(data.step, data.mode, data.library)
        return _result(await _run(actions.rerun_action(redis, request, dry_run=data.dry_run,
                                                        bulk_over=settings.bulk_action_photos)))

    @post("/pause", status_code=200)
    async def pause(self, viewer: ViewerDep, data: JSONBody[PauseRequest]) -> ActionResult:
        """Hold queued work back (running steps finish); the pause outlives restarts."""
        return _result(await _run(actions.pause_action(_target(data), viewer.username, dry_run=data.dry_run)))

    @post("/resume", status_code=200)
    async def resume(self, redis: RedisDep, data: JSONBody[PauseRequest]) -> ActionResult:
        """Lift a pause and enqueue what waits."""
        return _result(await _run(actions.resume_action(redis, _target(data), dry_run=data.dry_run)))

    @post("/cancel", status_code=200)
    async def cancel(self, viewer: ViewerDep, redis: RedisDep, data: JSONBody[CancelRequest]) -> ActionResult:
        """Skip the library's queued work ("cancelled by <user>") and remove its Redis jobs."""
        return _result(await _run(actions.cancel_action(redis, data.library, viewer.username,
                                                        dry_run=data.dry_run)))

    @post("/clear-history", status_code=200)
    async def clear_history(self, data: JSONBody[ClearHistoryRequest]) -> ActionResult:
        """Delete old superseded runs; the latest run of every step of every photo stays."""
        return _result(await _run(actions.clear_history_action(data.days, dry_run=data.dry_run)))

    @get("/pauses")
    async def pauses(self) -> list[PauseItem]:
        """The pauses in force, oldest first."""
        return [PauseItem(p.scope, p.step, p.library_id, p.library_name, p.created_by, p.created_at)
                for p in await job_pauses.active_pauses()]

    @get("/limits")
    async def limits(self) -> Limits:
        return Limits(await job_settings.step_limits())

    @put("/limits")
    async def set_limits(self, data: JSONBody[Limits]) -> Limits:
        """Replace every limit (a step left out: no limit); running workers apply them within seconds."""
        unknown = sorted(set(data.limits) - set(PIPELINE.step_names()))
        if unknown:
            raise ValidationException(f"There is no step named {', '.join(unknown)}.")
        if any(not 1 <= limit <= MAX_LIMIT for limit in data.limits.values()):
            raise ValidationException(f"A limit is 1 to {MAX_LIMIT} runs at once per worker.")
        for name in PIPELINE.step_names():
            await job_settings.set_step_limit(name, data.limits.get(name))
        return Limits(await job_settings.step_limits())


async def _run(action: Awaitable[ActionReport]) -> ActionReport:
    """Await an action; what it cannot do as asked is a 400 with its sentence."""
    try:
        return await action
    except InvalidAction as exc:
        raise ValidationException(str(exc)) from exc
