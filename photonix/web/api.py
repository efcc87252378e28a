"""The JSON API under /api/v1 (bearer tokens): photos with their steps and tags, reprocess, job status."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException, PermissionDeniedException, ValidationException
from litestar.params import FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_202_ACCEPTED

from photonix.db import photos, roles, stepruns, tags
from photonix.errors import InvalidAction
from photonix.jobs.reprocess import reprocess
from photonix.jobs.status import JobsStatus, jobs_status
from photonix.web.auth import provide_api_viewer
from photonix.web.deps import RedisDep, SettingsDep, ViewerDep
from photonix.web.params import MAX_PAGE, Id, OptionalId
from photonix.web.views import photo_detail, photo_summary

MAX_PER_PAGE = 200


class ReprocessRequest(msgspec.Struct):
    steps: list[str] | None = None      # None: the whole pipeline


class ApiController(Controller):
    path = "/api/v1"
    dependencies = {"viewer": Provide(provide_api_viewer)}
    tags = ["api"]

    @get("/photos")
    async def list_photos(
        self, viewer: ViewerDep, library: OptionalId = None, tag: FromQuery[str | None] = None,
        state_filter: Annotated[str | None, QueryParameter(name="state")] = None,
        page: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=MAX_PER_PAGE)] = 50,
    ) -> dict[str, Any]:
        """Photos the token's user may see, newest first; filter by library id, tag name, state.

        An empty filter (`?tag=`, `?state=`) is no filter."""
        tag = (tag or "").strip() or None
        state_filter = state_filter or None
        if state_filter not in (None, "failed", "pending"):
            raise ValidationException("state must be 'failed' or 'pending'")
        tag_ids = await tags.find_tag(tag) if tag else None
        if tag is not None and not tag_ids:
            return {"items": [], "page": page, "per_page": per_page, "total": 0}
        rows, total = await photos.visible_photos(
            viewer.id, library_id=library, tag_ids=tag_ids, state=state_filter,
            limit=per_page, offset=(page - 1) * per_page,
        )
        states = await stepruns.photo_states([row["id"] for row in rows])
        return {"items": [photo_summary(row, states.get(row["id"], "done")) for row in rows],
                "page": page, "per_page": per_page, "total": total}

    @get("/photos/{photo_id:int}")
    async def get_photo(self, viewer: ViewerDep, settings: SettingsDep, photo_id: Id) -> dict[str, Any]:
        row = await photos.visible_photo(viewer.id, photo_id)
        if row is None:
            raise NotFoundException("no such photo")
        return await photo_detail(row, settings, show_path=viewer.is_admin)

    @post("/photos/{photo_id:int}/reprocess", status_code=HTTP_202_ACCEPTED)
    async def reprocess(self, viewer: ViewerDep, photo_id: Id, redis: RedisDep,
                        data: JSONBody[ReprocessRequest | None] = None) -> dict[str, Any]:
        """Run the pipeline again at a new version (or the named steps and the steps after them); earlier
        runs stay recorded.

        Owners of the photo's library and admins only: a member gets 403, anyone else 404."""
        await roles.require_photo_role(viewer, photo_id, roles.Role.OWNER)
        try:
            started = await reprocess(redis, [photo_id], data.steps if data else None)
        except InvalidAction as exc:
            raise ValidationException(str(exc)) from exc
        return {"photo_id": photo_id, "version": started.versions[photo_id], "steps": list(started.steps)}

    @get("/jobs/summary")
    async def jobs_summary(self, viewer: ViewerDep, redis: RedisDep) -> JobsStatus:
        """The job dashboard's status: per-step counts, pace, durations and ETA, queue, workers, and
        the latest failures. Admins only (it covers every library)."""
        if not viewer.is_admin:
            raise PermissionDeniedException("only an admin can read the job status")
        return await jobs_status(redis)
