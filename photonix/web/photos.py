"""Photo pages: the grid (months, infinite scroll), the detail view, inline rating, tags, reprocess."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromQuery, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from photonix.db import accounts, grid, photos, roles, stepruns, tags
from photonix.db.accounts import Viewer
from photonix.jobs.reprocess import reprocess
from photonix.web.auth import provide_page_viewer
from photonix.web.deps import RedisDep, SettingsDep, ViewerDep
from photonix.web.files import original_problem
from photonix.web.params import Id
from photonix.web.templating import page
from photonix.web.timeline import timeline_context
from photonix.web.views import file_name

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
TAG_KINDS = (("generic", "Your tags"), ("location", "Places"), ("event", "Dates & events"),
             ("color", "Colours"), ("object", "Objects"), ("person", "People"))


async def _visible_or_404(viewer: Viewer, photo_id: int) -> dict[str, Any]:
    row = await photos.visible_photo(viewer.id, photo_id)
    if row is None:
        raise NotFoundException("This photo isn't here.")
    return row


async def _tag_groups(photo_id: int) -> list[tuple[str, str, list[Any]]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for tag in await tags.tags_of(photo_id):
        grouped["generic" if tag.source == tags.USER_SOURCE else tag.kind].append(tag)
    return [(kind, title, grouped[kind]) for kind, title in TAG_KINDS if grouped[kind] or kind == "generic"]


def _query(narrowed: grid.GridFilter, cursor: grid.Cursor) -> dict[str, str]:
    query = {"before": cursor.encode()}
    if narrowed.state:
        query["state"] = narrowed.state
    if narrowed.tag:
        query["q"] = narrowed.tag
    return query


class PhotoController(Controller):
    path = "/photos"
    dependencies = {"viewer": Provide(provide_page_viewer)}
    include_in_schema = False

    @get("/")
    async def grid_page(
        self, request: HTMXRequest, viewer: ViewerDep, before: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        state_filter: Annotated[str | None, QueryParameter(name="state")] = None,
    ) -> Template:
        """Newest first by month; `q` narrows to a tag (place, colour, event, yours), `state` to
        failed/pending."""
        narrowed = grid.GridFilter(state=state_filter if state_filter in stepruns.PHOTO_STATE_FILTERS
                                   else None,
                                   tag=(q or "").strip() or None)
        tiles, next_cursor = await grid.grid_page(viewer.id, grid.Cursor.decode(before), narrowed=narrowed)
        months: dict[str, list[grid.Tile]] = {}
        for tile in tiles:
            months.setdefault(tile.month, []).append(tile)
        context = {
            "months": months,
            "month_counts": await grid.month_counts(viewer.id, set(months)),
            "next_url": f"/photos/?{urlencode(_query(narrowed, next_cursor))}" if next_cursor else None,
            "narrowed": narrowed,
            "libraries": await accounts.libraries_of(viewer.id),
            "continued": before is not None,
        }
        return await page(request, "pages/photos.html", context, fragment="partials/photo_grid.html")

    @get("/{photo_id:int}")
    async def detail(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                     photo_id: Id) -> Template:
        row = await _visible_or_404(viewer, photo_id)
        newer, older = await grid.neighbours(viewer.id, photo_id, row["sort_at"])
        files = {(f.kind, f.size_name): f for f in await photos.files_of(photo_id)}
        context = {
            "photo": row,
            "newer": newer,
            "older": older,
            "large": files.get(("thumbnail", "large")),
            "file_name": file_name(row),
            "original_problem": await original_problem(settings, row),
            "tag_groups": await _tag_groups(photo_id),
            "map_tile_url": settings.map_tile_url,
            "trash_days": settings.trash_days,
            **await timeline_context(viewer, photo_id),     # Processing: every try of every step
        }
        return await page(request, "pages/photo.html", context)

    @post("/{photo_id:int}/rating")
    async def rate(self, request: HTMXRequest, viewer: ViewerDep, photo_id: Id,
                   data: Annotated[dict[str, str], Form]) -> Template | Redirect:
        try:
            rating = int(data.get("rating", ""))
        except ValueError:
            rating = -1
        if not 0 <= rating <= 5:
            row = await _visible_or_404(viewer, photo_id)
            return Template("partials/rating.html", status_code=422,
                            context={"photo": row, "error": "A rating is 0 to 5 stars."})
        if not await photos.set_rating(viewer.id, photo_id, rating):
            raise NotFoundException("This photo isn't here.")
        if not request.htmx:
            return Redirect(f"/photos/{photo_id}", status_code=303)
        return Template("partials/rating.html", context={"photo": await _visible_or_404(viewer, photo_id)})

    @post("/{photo_id:int}/tags")
    async def add_tag(self, request: HTMXRequest, viewer: ViewerDep, photo_id: Id,
                      data: Annotated[dict[str, str], Form]) -> Template | Redirect:
        await _visible_or_404(viewer, photo_id)
        name = " ".join(data.get("name", "").split())
        error = None
        if not name or len(name) > 100:
            error = "A tag is 1 to 100 characters."
        else:
            await tags.add_user_tag(photo_id, name)
        if not request.htmx and error is None:
            return Redirect(f"/photos/{photo_id}", status_code=303)
        return Template("partials/tags.html", status_code=422 if error else 200, context={
            "photo": {"id": photo_id}, "tag_groups": await _tag_groups(photo_id), "error": error})

    @post("/{photo_id:int}/tags/{tag_id:int}/delete")
    async def remove_tag(self, request: HTMXRequest, viewer: ViewerDep, photo_id: Id,
                         tag_id: Id) -> Template | Redirect:
        await _visible_or_404(viewer, photo_id)
        await tags.remove_user_tag(photo_id, tag_id)
        if not request.htmx:
            return Redirect(f"/photos/{photo_id}", status_code=303)
        return Template("partials/tags.html", context={
            "photo": {"id": photo_id}, "tag_groups": await _tag_groups(photo_id), "error": None})

    @post("/{photo_id:int}/reprocess")
    async def reprocess(self, request: HTMXRequest, viewer: ViewerDep, photo_id: Id,
                        redis: RedisDep) -> Template | Redirect:
        await roles.require_photo_role(viewer, photo_id, roles.Role.OWNER)     # members: 403, others: 404
        await reprocess(redis, [photo_id])
        if not request.htmx:
            return Redirect(f"/photos/{photo_id}", status_code=303)
        return Template("partials/photo_timeline.html", context={
            "photo": {"id": photo_id}, **await timeline_context(viewer, photo_id)})


