"""Album pages: the list (/albums), an album with the library's grid, and every change to it — create,
rename and describe in place, sort, cover, arrange, remove photos, delete.

Every form works as a plain POST (303 back with a flash) and, where the page swaps a part in place (title
and description, members), as an HTMX swap of that part. Permission is the database's (db/albums.py): an
album the viewer does not see answers 404, one they may only look at answers 403 to a change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from photonix.config import Settings
from photonix.db import album_members, album_photos, album_tiles, albums
from photonix.db.accounts import Viewer
from photonix.db.albums import SORT_ORDERS, AlbumError
from photonix.db.photo_values import Tile
from photonix.web.auth import provide_page_viewer
from photonix.web.deps import SettingsDep, ViewerDep
from photonix.web.filters import counted
from photonix.web.flash import Flash, flash_cookie
from photonix.web.params import Id, parse_id
from photonix.web.templating import page, wants_fragment

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
HEAD = "album-head"          # the id of the title-and-description part, which edits in place


def date_range(first: datetime | None, last: datetime | None) -> str:
    """"3 Jul 2021", "3–9 Jul 2021", "3 Jul – 9 Aug 2021" or "3 Jul 2021 – 9 Aug 2022"; "" for no photos."""
    if first is None or last is None:
        return ""
    if first.date() == last.date():
        return f"{first.day} {first:%b %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%b %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
    return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"


def photo_count(n: int) -> str:
    return counted(n, "photo")


def sections(tiles: list[Tile]) -> list[tuple[str, list[Tile]]]:
    """The grid's month sections: a new one wherever the month changes. In a date order that is one per
    month, as in the library; in the manual order a month may come back, and the hand-made order is kept."""
    found: list[tuple[str, list[Tile]]] = []
    for tile in tiles:
        if found and found[-1][0] == tile.month:
            found[-1][1].append(tile)
        else:
            found.append((tile.month, [tile]))
    return found


class Sections(list[tuple[str, list[Tile]]]):
    """Month sections with `.items()`, as partials/photo_grid.html reads its `months`."""

    def items(self) -> list[tuple[str, list[Tile]]]:
        return list(self)


def flashed(request: Request[Any, Any, Any], settings: Settings, url: str, text: str,
            level: str = "ok") -> Redirect:
    """A plain form's answer: back to `url`, the sentence riding a signed cookie."""
    cookie = flash_cookie(request.app.state.secret, Flash(level, text), secure=settings.secure_cookies)
    return Redirect(url, status_code=303, cookies=[cookie])


@dataclass(frozen=True, slots=True)
class AlbumGrid:
    """What partials/photo_grid.html reads of an album (the library's GridView, for one album)."""

    album_id: int
    months: Sections
    month_counts: dict[str, int]
    next_url: str | None
    continued: bool

    @property
    def list_query(self) -> str:
        """What a tile's photo page URL carries: the album, so its newer and older links stay in it."""
        return f"?album={self.album_id}"


async def album_context(viewer: Viewer, album_id: int, before: str | None = None) -> dict[str, Any]:
    """Everything the album page shows: the album, a page of its grid, its members."""
    album = await albums.album_summary(viewer.id, album_id)
    page_, next_before = await album_tiles.album_tiles(viewer.id, album_id, before)
    months = Sections(sections(list(page_.tiles)))
    counts = await album_tiles.month_counts(viewer.id, album_id, {tile.month for tile in page_.tiles})
    grid = AlbumGrid(album_id, months, counts,
                     f"/albums/{album_id}?{urlencode({'before': next_before})}" if next_before else None,
                     before is not None)
    return {
        "album": album,
        "grid": grid,
        # the names partials/photo_grid.html reads
        "months": grid.months, "month_counts": grid.month_counts, "next_url": grid.next_url,
        "continued": grid.continued, "list_query": grid.list_query,
        "arrange": list(page_.tiles) if before is None else [],
        "members": await album_members.members_of(viewer.id, album_id),
        "sort_orders": SORT_ORDERS,
        "date_range": date_range,
        "photo_count": photo_count,
        "editing": False,
        "errors": {},
        "values": {},
    }


async def list_context(viewer: Viewer) -> dict[str, Any]:
    return {"albums": await albums.albums_of(viewer.id), "date_range": date_range, "photo_count": photo_count,
            "errors": {}, "values": {}}


async def _album_page(request: HTMXRequest, viewer: Viewer, album_id: int, *, status_code: int = 200,
                      **extra: Any) -> Template:
    context = {**await album_context(viewer, album_id), **extra}
    return await page(request, "pages/album.html", context, status_code=status_code)


class AlbumController(Controller):
    path = "/albums"
    dependencies = {"viewer": Provide(provide_page_viewer)}
    include_in_schema = False

    @get("/")
    async def index(self, request: HTMXRequest, viewer: ViewerDep) -> Template:
        """Every album the viewer owns or is a member of: cover, title, count, date range."""
        return await page(request, "pages/albums.html", await list_context(viewer))

    @post("/")
    async def create(self, request: HTMXRequest, viewer: ViewerDep, data: FormData) -> Template | Redirect:
        try:
            album_id = await albums.create_album(viewer.id, data.get("title", ""),
                                                 data.get("description", ""))
        except AlbumError as exc:
            context = {**await list_context(viewer), "errors": {"title": str(exc)}, "values": data}
            return await page(request, "pages/albums.html", context, status_code=422)
        return Redirect(f"/albums/{album_id}", status_code=303)

    @get("/{album_id:int}")
    async def album(self, request: HTMXRequest, viewer: ViewerDep, album_id: Id,
                    before: FromQuery[str | None] = None, edit: FromQuery[str | None] = None) -> Template:
        """The album with the library's grid. An HTMX request for the head (the in-place editor's Edit and
        Cancel) gets that part alone; infinite scroll gets the grid's next rows."""
        context = await album_context(viewer, album_id, before)
        context["editing"] = edit == "details" and context["album"].is_owner
        if wants_fragment(request) and request.htmx.target == HEAD:
            return Template("partials/album_head.html", context=context, headers={"Vary": "HX-Request"})
        return await page(request, "pages/album.html", context, fragment="partials/photo_grid.html")

    @post("/{album_id:int}/details")
    async def edit_details(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                           album_id: Id, data: FormData) -> Template | Redirect:
        """Rename and describe: the owner only."""
        try:
            await albums.require_album_role(viewer.id, album_id, albums.AlbumRole.OWNER)
            albums.clean_description(data.get("description", ""))     # both fields valid, or neither saved
            title = await albums.rename_album(viewer.id, album_id, data.get("title", ""))
            await albums.describe_album(viewer.id, album_id, data.get("description", ""))
        except AlbumError as exc:
            context = {**await album_context(viewer, album_id), "editing": True,
                       "errors": {"title": str(exc)}, "values": data}
            if wants_fragment(request):
                return Template("partials/album_head.html", context=context, status_code=422)
            return await page(request, "pages/album.html", context, status_code=422)
        if not wants_fragment(request):
            return flashed(request, settings, f"/albums/{album_id}", f"Saved {title}.")
        context = {**await album_context(viewer, album_id), "toast": Flash("ok", f"Saved {title}.")}
        return Template("partials/album_head.html", context=context)

    @post("/{album_id:int}/sort")
    async def sort(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, album_id: Id,
                   data: FormData) -> Template | Redirect:
        try:
            await albums.set_sort_order(viewer.id, album_id, data.get("sort_order", ""))
        except AlbumError as exc:
            return await _album_page(request, viewer, album_id, status_code=422, errors={"sort": str(exc)})
        label = SORT_ORDERS[data["sort_order"]].lower()
        return flashed(request, settings, f"/albums/{album_id}", f"The album now shows {label}.")

    @post("/{album_id:int}/cover")
    async def cover(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, album_id: Id,
                    data: FormData) -> Redirect:
        """A photo in the album becomes the cover; no photo: back to the first photo."""
        photo_id = parse_id(data.get("photo", ""))
        await album_photos.set_cover(viewer.id, album_id, photo_id)
        back = data.get("back")
        return flashed(request, settings, back if back and _is_ours(back) else f"/albums/{album_id}",
                       "The cover is chosen." if photo_id else "The cover is the first photo again.")

    @post("/{album_id:int}/photos")
    async def add(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, album_id: Id,
                  data: FormData) -> Redirect:
        """Photos by id (`photos`: commas or spaces); ids the viewer may not see are ignored and counted."""
        given = data.get("photos", "").replace(",", " ").split()
        wanted = [pid for raw in given if (pid := parse_id(raw))]
        outcome = await album_photos.add_photos(viewer.id, album_id, wanted)
        ignored = len(given) - len(outcome.acted)
        text = f"Added {photo_count(len(outcome.acted))}." + (
            f" {ignored} could not be added: not yours to add, or not there." if ignored else "")
        return flashed(request, settings, f"/albums/{album_id}", text, "ok" if outcome.acted else "error")

    @post("/{album_id:int}/photos/{photo_id:int}/move")
    async def move(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, album_id: Id,
                   photo_id: Id, data: FormData) -> Redirect:
        """One place earlier or later in the manual order."""
        step = -1 if data.get("to") == "earlier" else 1
        moved = await album_photos.move_photo(viewer.id, album_id, photo_id, step)
        return flashed(request, settings, f"/albums/{album_id}",
                       "Moved." if moved else "That photo isn't in this album.", "ok" if moved else "error")

    @post("/{album_id:int}/photos/{photo_id:int}/remove")
    async def remove(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, album_id: Id,
                     photo_id: Id) -> Redirect:
        outcome = await album_photos.remove_photos(viewer.id, album_id, [photo_id])
        text = ("Removed from the album; the photo is still in your library." if outcome.acted
                else "That photo wasn't in this album.")
        return flashed(request, settings, f"/albums/{album_id}", text)

    @post("/{album_id:int}/order")
    async def reorder(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, album_id: Id,
                      data: FormData) -> Redirect:
        """The manual order: `photos` lists ids (commas or spaces) that go first, in that order."""
        wanted = [pid for raw in data.get("photos", "").replace(",", " ").split() if (pid := parse_id(raw))]
        outcome = await album_photos.reorder(viewer.id, album_id, wanted)
        await albums.set_sort_order(viewer.id, album_id, "manual")
        ignored = f" {outcome.ignored} id(s) not in the album were ignored." if outcome.ignored else ""
        return flashed(request, settings, f"/albums/{album_id}", f"The order is saved.{ignored}")

    @post("/{album_id:int}/delete")
    async def delete(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                     album_id: Id) -> Redirect:
        """The owner deletes the album after the page's confirmation; the photos stay."""
        title = await albums.delete_album(viewer.id, album_id)
        return flashed(request, settings, "/albums",
                       f"Deleted the album {title}. Its photos are still in your library.")


def _is_ours(url: str | None) -> bool:
    """A `back` field may only lead to one of our own pages: a path, never another site."""
    return url is not None and url.startswith("/") and not url.startswith(("//", "/\\"))
