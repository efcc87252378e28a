"""The job lists in the JSON API (bearer tokens): failure groups, a group's photos and the run history for
admins; a photo's timeline for whoever sees the photo. Typed values, so /schema describes them: msgspec
Structs where the API reshapes a value, the db's own dataclasses (HistoryRow, PhotoTimeline) where it shows
them as they are.

Times in query parameters are ISO 8601; one without a zone is UTC. Lists page by keyset: pass a page's
`next_before` as `before` to get the next one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.di import Provide
from litestar.exceptions import NotFoundException, PermissionDeniedException, ValidationException
from litestar.params import FromQuery, QueryParameter

from photonix.db import job_history, photo_timeline
from photonix.db.accounts import Viewer
from photonix.db.photo_reads import photo_access
from photonix.db.scope import Scope
from photonix.db.step_states import StepState
from photonix.jobs.pipeline import PIPELINE
from photonix.web.auth import provide_api_viewer
from photonix.web.deps import ViewerDep
from photonix.web.params import Id, OptionalId

MAX_LIMIT = 200
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)]
Before = Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1,
                                                description="a page's next_before: the runs below that id")]


class FailureGroupOut(msgspec.Struct):
    step: str
    error_kind: str
    reason: str                 # the error without the file it names: the group's cause
    count: int
    first_seen: datetime | None
    last_seen: datetime | None
    is_internal: bool           # a bug in Photonix (its photos' page carries the traceback)
    sample_photo_ids: list[int]


class FailureGroupsOut(msgspec.Struct):
    groups: list[FailureGroupOut]


class FailedPhotoOut(msgspec.Struct):
    run_id: int
    photo_id: int
    file_name: str
    error: str
    finished_at: datetime | None


class FailedPhotosOut(msgspec.Struct):
    step: str
    error_kind: str
    reason: str
    count: int
    items: list[FailedPhotoOut]
    next_before: int | None
    traceback: str              # of the group's latest failure, for internal errors only


class HistoryOut(msgspec.Struct):
    items: list[job_history.HistoryRow]
    next_before: int | None


async def provide_api_admin(request: Request[Any, Any, Any]) -> Viewer:
    viewer = await provide_api_viewer(request)
    if not viewer.is_admin:
        raise PermissionDeniedException("only an admin can read the job lists")
    return viewer


def _utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _step(step: str | None) -> str | None:
    if step and step not in PIPELINE.step_names():
        raise ValidationException(f"unknown step {step!r}; steps: {', '.join(PIPELINE.step_names())}")
    return step or None


def _failure_filter(library: int | None, step: str | None, since: datetime | None,
                    until: datetime | None) -> job_history.FailureFilter:
    return job_history.FailureFilter(library_id=library, step=_step(step), since=_utc(since),
                                     until=_utc(until))


class JobListsApiController(Controller):
    path = "/api/v1"
    tags = ["api"]

    @get("/jobs/failures", dependencies={"viewer": Provide(provide_api_admin)})
    async def failures(self, viewer: ViewerDep, library: OptionalId = None,
                       step: FromQuery[str | None] = None, since: FromQuery[datetime | None] = None,
                       until: FromQuery[datetime | None] = None) -> FailureGroupsOut:
        """Failed steps grouped by step, error kind and reason, most photos first (admins)."""
        groups = await job_history.failure_groups(_failure_filter(library, step, since, until))
        return FailureGroupsOut([FailureGroupOut(
            step=g.key.step, error_kind=g.key.error_kind, reason=g.key.reason, count=g.count,
            first_seen=g.first_seen, last_seen=g.last_seen, is_internal=g.key.is_internal,
            sample_photo_ids=[ref.photo_id for ref in g.samples]) for g in groups])

    @get("/jobs/failures/photos", dependencies={"viewer": Provide(provide_api_admin)})
    async def failure_photos(
        self, viewer: ViewerDep, step: FromQuery[str], error_kind: FromQuery[str],
        reason: FromQuery[str] = "", library: OptionalId = None, since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None, before: Before = None, limit: Limit = job_history.PAGE_SIZE,
    ) -> FailedPhotosOut:
        """The photos of one failure group, newest failure first (admins)."""
        key = job_history.GroupKey(step, error_kind, reason)
        group = await job_history.group_page(key, _failure_filter(library, step, since, until), before=before,
                                             limit=limit)
        return FailedPhotosOut(
            step=step, error_kind=error_kind, reason=reason, count=group.count, next_before=group.next_before,
            traceback=group.traceback, items=[FailedPhotoOut(
                run_id=p.run_id, photo_id=p.photo.photo_id, file_name=p.photo.file_name, error=p.error,
                finished_at=p.finished_at) for p in group.photos])

    @get("/jobs/history", dependencies={"viewer": Provide(provide_api_admin)})
    async def history(
        self, viewer: ViewerDep, step: FromQuery[str | None] = None,
        state_filter: Annotated[str | None, QueryParameter(name="state")] = None,
        library: OptionalId = None, photo: OptionalId = None, since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None, q: FromQuery[str | None] = None, before: Before = None,
        limit: Limit = job_history.PAGE_SIZE,
    ) -> HistoryOut:
        """Step runs newest first, filtered by state, step, library, photo, queued time and error text
        (admins)."""
        if state_filter and state_filter not in tuple(StepState):
            raise ValidationException(f"unknown state {state_filter!r}; states: {', '.join(StepState)}")
        chosen = job_history.HistoryFilter(state=state_filter or None, step=_step(step), library_id=library,
                                           photo_id=photo, since=_utc(since), until=_utc(until),
                                           text=(q or "").strip() or None)
        runs = await job_history.history_page(chosen, before=before, limit=limit)
        return HistoryOut(items=runs.rows, next_before=runs.next_before)

    @get("/photos/{photo_id:int}/timeline", dependencies={"viewer": Provide(provide_api_viewer)})
    async def timeline(self, viewer: ViewerDep, photo_id: Id) -> photo_timeline.PhotoTimeline:
        """Every run of every step and version of a photo, with its tries; tracebacks for admins only.

        Whoever sees the photo (its library's members); anyone else gets 404."""
        if not await photo_access(Scope.user(viewer.id), photo_id):    # album viewers only look at photos
            raise NotFoundException("no such photo")
        return await photo_timeline.photo_timeline(photo_id, PIPELINE.step_names(),
                                                   with_tracebacks=viewer.is_admin)
