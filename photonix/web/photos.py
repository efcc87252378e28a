"""Photo pages: the grid and its views (favourites, archive, trash), the detail view, inline rating, tags,
reprocess. Every read goes through the read model (db/photo_reads.py) with the viewer's Scope."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeAlias
from urllib.parse import urlencode

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromQuery
from litestar.params import QueryParameter as Q
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from photonix.db import accounts, photos, roles, search_suggestions, tags
from photonix.db.accounts import Viewer
from photonix.db.keyset import Cursor
from photonix.db.photo_filter import PhotoFilter
from photonix.db.photo_reads import month_counts, photo_access, photo_detail, tile_page
from photonix.db.photo_search import dates_named, parse_search
from photonix.db.scope import Scope
from photonix.errors import NotAllowed, NotVisible
from photonix.jobs.reprocess import reprocess
from photonix.web.auth import provide_page_viewer
from photonix.web.deps import RedisDep, SettingsDep, ViewerDep, app_redis
from photonix.web.files import original_problem
from photonix.web.grid_view import ARCHIVE, FAVOURITES, TRASH, View, grid_view, list_url, view_of
from photonix.web.import_progress import import_progress
from photonix.web.params import Id
from photonix.web.photo_query import provide_photo_filter, query_string
from photonix.web.selection import selection_context
from photonix.web.templating import page, wants_fragment
from photonix.web.timeline import timeline_context

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
# People's tags come first, as "Shared tags": they are the photo's, shared by its library's members, so a
# tag another member added shows under the same heading with their name (partials/tags.html).
TAG_KINDS = (("generic", "Shared tags"), ("location", "Places"), ("event", "Dates & events"),
             ("color", "Colours"), ("object", "Objects"), ("person", "People"))
PhotoFilterDep: TypeAlias = NamedDependency[PhotoFilter]


@dataclass(frozen=True, slots=True)
class PhotoRef:
    """What the rating and tag fragments need of a photo."""

    id: int
    rating: int = 0
    rated_by_name: str | None = None


async def _editable_or_error(viewer: Viewer, photo_id: int) -> None:
    """404 when the viewer cannot see the photo; 403 when they see it through an album only."""
    can_edit = await photo_access(Scope.user(viewer.id), photo_id)
    if can_edit is None:
        raise NotVisible("This photo isn't here.")
    if not can_edit:
        raise NotAllowed("Only members of the photo's library can change it; you see it through an album.")


def _folded_places(places: list[tags.PhotoTagView]) -> list[tags.PhotoTagView]:
    """A place whose child place is also on the photo reads as the child's chip ("Italy › Rome"), not
    as a chip of its own beside it."""
    parents = {tag.parent for tag in places if tag.parent}
    return [tag for tag in places if tag.parent or tag.name not in parents]


def _tag_groups(photo_tags: Sequence[tags.PhotoTagView]) -> list[tuple[str, str, list[Any]]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for tag in photo_tags:
        grouped["generic" if tag.source == tags.USER_SOURCE else tag.kind].append(tag)
    grouped["location"] = _folded_places(grouped["location"])
    return [(kind, title, grouped[kind]) for kind, title in TAG_KINDS if grouped[kind] or kind == "generic"]


def _in_view(narrowed: PhotoFilter, view: View) -> PhotoFilter:
    """The filter with what the view implies (the trash: trashed photos, archived or not)."""
    if view is FAVOURITES:
        return narrowed.narrowed(favourite=True)
    return narrowed.narrowed(archived=view.implied.archived, trashed=view.implied.trashed)


async def _grid(request: HTMXRequest, viewer: Viewer, narrowed: PhotoFilter, before: str | None,
                **extra: Any) -> Template:
    scope = Scope.user(viewer.id)
    tiles = await tile_page(scope, narrowed, before=Cursor.decode(before))
    months = tiles.by_month()
    # A later page's first month continues a section whose header (and count) is already on the page.
    headed = list(months)[1:] if before is not None else list(months)
    counts = await month_counts(scope, narrowed, headed)
    grid = grid_view(narrowed, tiles, counts, continued=before is not None)
    libraries = [] if tiles.tiles else await accounts.libraries_of(viewer.id)
    context = {
        "grid": grid,
        # the names partials/photo_grid.html has always read
        "months": grid.months, "month_counts": grid.month_counts, "next_url": grid.next_url,
        "continued": grid.continued, "list_query": grid.list_query,
        # the empty state names a library to import into, or says how far the first import has come
        "libraries": libraries,
        "import": None if tiles.tiles else await import_progress(viewer.id, app_redis(request), libraries),
        **extra,
    }
    if tiles.tiles and not wants_fragment(request):
        context.update(await selection_context(viewer))     # the selection bar's album choice
    return await page(request, "pages/photos.html", context, fragment="partials/photo_grid.html")


# The suggestions' groups, in the order the list shows them (partials/search_suggestions.html).
SUGGESTION_GROUPS = (("location", "Places"), ("object", "Objects"), ("color", "Colours"),
                     ("event", "Dates & events"), ("generic", "Tags"), ("person", "People"),
                     ("camera", "Cameras"), ("lens", "Lenses"))


@dataclass(frozen=True, slots=True)
class SuggestionLink:
    label: str
    href: str
    photos: int | None = None


def _suggestion_href(found: search_suggestions.Suggestion) -> str:
    """A tag opens the grid of that tag (any kind, any case), a camera its photos, a lens the search."""
    if found.kind == "camera":
        return "/photos/?" + urlencode({"camera": found.name})
    if found.kind == "lens":
        return "/photos/?" + urlencode({"q": found.name})
    return "/photos/?" + urlencode({"tag": found.name})


def suggestion_groups(text: str, found: Sequence[search_suggestions.Suggestion]
                      ) -> list[tuple[str, list[SuggestionLink]]]:
    """(title, links) per kind that has any, the kinds in SUGGESTION_GROUPS' order; the search text itself
    first (file names, tags, cameras, lenses), and the dates it names if any."""
    by_kind: dict[str, list[SuggestionLink]] = defaultdict(list)
    for item in found:
        label = f"{item.parent} › {item.name}" if item.parent else item.name
        by_kind[item.kind].append(SuggestionLink(label, _suggestion_href(item), item.photos))
    searched = "/photos/?" + urlencode({"q": text})
    groups = [("Search", [SuggestionLink(f"Everything matching “{text}”", searched)])]
    if parse_search(text).has_dates:
        groups.append(("Dates", [SuggestionLink(f"Taken in {dates_named(text)}", searched)]))
    groups.extend((title, by_kind[kind]) for kind, title in SUGGESTION_GROUPS if by_kind[kind])
    return groups


class PhotoController(Controller):
    path = "/photos"
    dependencies = {"viewer": Provide(provide_page_viewer), "narrowed": Provide(provide_photo_filter)}
    include_in_schema = False

    @get("/")
    async def grid_page(self, request: HTMXRequest, viewer: ViewerDep, narrowed: PhotoFilterDep,
                        before: FromQuery[str | None] = None) -> Template:
        """Newest first by month, narrowed by the filter's query parameters (web/photo_query.py): `q` is a
        tag of any kind (place, colour, event, yours), `state` failed/pending, `favourite=1`..."""
        return await _grid(request, viewer, narrowed, before)

    @get("/suggest")
    async def suggest(self, viewer: ViewerDep, q: Annotated[str, Q(max_length=200)] = "") -> Template:
        """What the header's search box shows under itself as someone types (hx-get, partial only)."""
        text = " ".join(q.split())
        found = await search_suggestions.suggestions(Scope.user(viewer.id), text) if text else []
        return Template("partials/search_suggestions.html", context={
            "text": text, "groups": suggestion_groups(text, found) if text else []})

    @get("/favourites")
    async def favourites(self, request: HTMXRequest, viewer: ViewerDep, narrowed: PhotoFilterDep,
                         before: FromQuery[str | None] = None) -> Template:
        return await _grid(request, viewer, _in_view(narrowed, FAVOURITES), before)

    @get("/archive")
    async def archive(self, request: HTMXRequest, viewer: ViewerDep, narrowed: PhotoFilterDep,
                      before: FromQuery[str | None] = None) -> Template:
        return await _grid(request, viewer, _in_view(narrowed, ARCHIVE), before)

    @get("/trash")
    async def trash(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                    narrowed: PhotoFilterDep, before: FromQuery[str | None] = None) -> Template:
        # "Empty trash" is for the owners of a library (and admins): web/photo_lifecycle.py
        can_empty = await roles.managed_library_ids(viewer) != set()
        return await _grid(request, viewer, _in_view(narrowed, TRASH), before, can_empty_trash=can_empty,
                           trash_days=settings.trash_days)

    @get("/{photo_id:int}")
    async def detail(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                     narrowed: PhotoFilterDep, photo_id: Id) -> Template:
        """One photo; its newer/older links stay inside the list it was opened from (the same filter)."""
        detail = await photo_detail(Scope.user(viewer.id), photo_id, settings, narrowed)
        if detail is None:
            raise NotFoundException("This photo isn't here.")
        view = view_of(narrowed)
        in_list = query_string(narrowed)
        context = {
            "photo": detail,
            "newer_url": f"/photos/{detail.newer}{in_list}" if detail.newer else None,
            "older_url": f"/photos/{detail.older}{in_list}" if detail.older else None,
            "back_url": f"{list_url(narrowed)}#p{detail.id}",
            "back_title": view.title,
            "large": detail.thumbnail("large"),
            "original_problem": await original_problem(detail),
            "tag_groups": _tag_groups(detail.tags),
            "map_tile_url": settings.map_tile_url,
            "trash_days": settings.trash_days,
            **await timeline_context(viewer, photo_id),     # Processing: every try of every step
        }
        if narrowed.album is not None:      # opened from an album's grid: back to that album's page
            context.update(back_url=f"/albums/{narrowed.album}#p{detail.id}", back_title="Album")
        return await page(request, "pages/photo.html", context)

    @post("/{photo_id:int}/rating")
    async def rate(self, request: HTMXRequest, viewer: ViewerDep, photo_id: Id,
                   data: Annotated[dict[str, str], Form]) -> Template | Redirect:
        try:
            rating = int(data.get("rating", ""))
        except ValueError:
            rating = -1
        if not 0 <= rating <= 5:
            await _editable_or_error(viewer, photo_id)
            return Template("partials/rating.html", status_code=422,
                            context={"photo": PhotoRef(photo_id), "error": "A rating is 0 to 5 stars."})
        if not await photos.set_rating(viewer.id, photo_id, rating):
            await _editable_or_error(viewer, photo_id)      # says 404 or 403
        if not request.htmx:
            return Redirect(f"/photos/{photo_id}", status_code=303)
        return Template("partials/rating.html", context={
            "photo": PhotoRef(photo_id, rating, viewer.username), "viewer": viewer})

    @post("/{photo_id:int}/tags")
    async def add_tag(self, request: HTMXRequest, viewer: ViewerDep, photo_id: Id,
                      data: Annotated[dict[str, str], Form]) -> Template | Redirect:
        await _editable_or_error(viewer, photo_id)
        name = " ".join(data.get("name", "").split())
        error = None
        if not name or len(name) > 100:
            error = "A tag is 1 to 100 characters."
        else:
            await tags.add_user_tag(photo_id, name, added_by=viewer.id)
        if not request.htmx and error is None:
            return Redirect(f"/photos/{photo_id}", status_code=303)
        return Template("partials/tags.html", status_code=422 if error else 200, context={
            "photo": PhotoRef(photo_id), "tag_groups": _tag_groups(await tags.tags_of(photo_id)),
            "viewer": viewer,
            "error": error})

    @post("/{photo_id:int}/tags/{tag_id:int}/delete")
    async def remove_tag(self, request: HTMXRequest, viewer: ViewerDep, photo_id: Id,
                         tag_id: Id) -> Template | Redirect:
        await _editable_or_error(viewer, photo_id)
        await tags.remove_user_tag(photo_id, tag_id)
        if not request.htmx:
            return Redirect(f"/photos/{photo_id}", status_code=303)
        return Template("partials/tags.html", context={
            "photo": PhotoRef(photo_id), "tag_groups": _tag_groups(await tags.tags_of(photo_id)),
            "viewer": viewer,
            "error": None})

    @post("/{photo_id:int}/reprocess")
    async def reprocess(self, request: HTMXRequest, viewer: ViewerDep, photo_id: Id,
                        redis: RedisDep) -> Template | Redirect:
        await roles.require_photo_role(viewer, photo_id, roles.Role.OWNER)     # members: 403, others: 404
        await reprocess(redis, [photo_id])
        if not request.htmx:
            return Redirect(f"/photos/{photo_id}", status_code=303)
        return Template("partials/photo_timeline.html", context={
            "photo": PhotoRef(photo_id), **await timeline_context(viewer, photo_id), "summary_oob": True})
