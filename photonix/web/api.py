"""The JSON API under /api/v1 (bearer tokens): photos with their steps and tags, reprocess, job status.

Photos are read through the read model (db/photo_reads.py) with the grid's filter parameters
(web/photo_query.py), and answered as msgspec Structs (web/api_photo_values.py), so /schema documents real
types, the bearer scheme and the 401/404 answers."""

from __future__ import annotations

from typing import Annotated, TypeAlias

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException, PermissionDeniedException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_202_ACCEPTED

from photonix.db import roles
from photonix.db.keyset import Cursor
from photonix.db.photo_filter import PhotoFilter
from photonix.db.photo_reads import photo_count, photo_detail, tile_page
from photonix.db.scope import Scope
from photonix.errors import InvalidAction
from photonix.jobs.reprocess import reprocess
from photonix.jobs.status import JobsStatus, jobs_status
from photonix.web.api_photo_values import (
    ErrorBody,
    PhotoList,
    PhotoOut,
    PhotoSummary,
    ReprocessRequest,
    ReprocessStarted,
)
from photonix.web.auth import provide_api_viewer
from photonix.web.deps import RedisDep, SettingsDep, ViewerDep
from photonix.web.files import original_problem
from photonix.web.params import MAX_PAGE, Id
from photonix.web.photo_query import provide_photo_filter

MAX_PER_PAGE = 200


PhotoFilterDep: TypeAlias = NamedDependency[PhotoFilter]
BEARER = "BearerToken"          # the security scheme's name in /schema (web/schema.py)
UNAUTHORIZED = ResponseSpec(ErrorBody, description="no token, or one that is unknown, revoked or expired")
NOT_FOUND = ResponseSpec(ErrorBody, description="no such photo, or one the token's user may not see")
FORBIDDEN = ResponseSpec(ErrorBody, description="the user sees the photo but their role may not do this")
BAD_REQUEST = ResponseSpec(ErrorBody, description="a parameter out of range; `extra` names it")


class ApiController(Controller):
    path = "/api/v1"
    dependencies = {"viewer": Provide(provide_api_viewer), "narrowed": Provide(provide_photo_filter)}
    tags = ["api"]
    security = [{BEARER: []}]

    @get("/photos", responses={400: BAD_REQUEST, 401: UNAUTHORIZED})
    async def list_photos(
        self, viewer: ViewerDep, narrowed: PhotoFilterDep,
        before: Annotated[str | None, QueryParameter(
            description="the `next_before` of the previous answer: the page after it")] = None,
        page: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=MAX_PER_PAGE)] = 50,
    ) -> PhotoList:
        """Photos the token's user may see, newest first, narrowed like the grid: library, tag (any kind,
        any case: the grid's search gives the same photos), state, from/to, album, favourite, archived,
        trashed, rating, camera. Archived and trashed photos are left out unless asked for.

        An empty filter (`?tag=`, `?state=`) is no filter."""
        scope = Scope.user(viewer.id)
        cursor = Cursor.decode(before)
        tiles = await tile_page(scope, narrowed, before=cursor, limit=per_page,
                                offset=0 if cursor else (page - 1) * per_page)
        return PhotoList(items=[PhotoSummary.of(tile) for tile in tiles.tiles], page=page, per_page=per_page,
                         total=await photo_count(scope, narrowed),
                         next_before=tiles.next.encode() if tiles.next else None)

    @get("/photos/{photo_id:int}", responses={401: UNAUTHORIZED, 404: NOT_FOUND})
    async def get_photo(self, viewer: ViewerDep, settings: SettingsDep, photo_id: Id) -> PhotoOut:
        detail = await photo_detail(Scope.user(viewer.id), photo_id, settings)
        if detail is None:
            raise NotFoundException("no such photo")
        return PhotoOut.of(detail, await original_problem(detail), show_path=viewer.is_admin)

    @post("/photos/{photo_id:int}/reprocess", status_code=HTTP_202_ACCEPTED,
          responses={400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND})
    async def reprocess(self, viewer: ViewerDep, photo_id: Id, redis: RedisDep,
                        data: JSONBody[ReprocessRequest | None] = None) -> ReprocessStarted:
        """Run the pipeline again at a new version (or the named steps and the steps after them); earlier
        runs stay recorded.

        Owners of the photo's library and admins only: a member gets 403, anyone else 404."""
        await roles.require_photo_role(viewer, photo_id, roles.Role.OWNER)
        try:
            started = await reprocess(redis, [photo_id], data.steps if data else None)
        except InvalidAction as exc:
            raise ValidationException(str(exc)) from exc
        return ReprocessStarted(photo_id=photo_id, version=started.versions[photo_id],
                                steps=list(started.steps))

    @get("/jobs/summary", responses={401: UNAUTHORIZED, 403: FORBIDDEN})
    async def jobs_summary(self, viewer: ViewerDep, redis: RedisDep) -> JobsStatus:
        """The job dashboard's status: per-step counts, pace, durations and ETA, queue, workers, and
        the latest failures. Admins only (it covers every library)."""
        if not viewer.is_admin:
            raise PermissionDeniedException("only an admin can read the job status")
        return await jobs_status(redis)
