"""A photo's albums, on its page: the albums it is in (with Remove where the viewer may change them) and
"Add to album" — one of theirs, or a new one. The photo page loads this part with HTMX; without
JavaScript its link opens the same part as a page of its own."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from photonix.db import album_photos, albums
from photonix.db.accounts import Viewer
from photonix.db.albums import AlbumError
from photonix.db.photo_reads import photo_access
from photonix.db.scope import Scope
from photonix.web.albums import FormData, flashed
from photonix.web.auth import provide_page_viewer
from photonix.web.deps import SettingsDep, ViewerDep
from photonix.web.flash import Flash
from photonix.web.params import Id, parse_id
from photonix.web.templating import page, wants_fragment

PANEL = "partials/photo_albums.html"


async def panel_context(viewer: Viewer, photo_id: int) -> dict[str, Any]:
    """The photo's albums and the viewer's albums to add it to; 404 when the viewer may not see it."""
    if await photo_access(Scope.user(viewer.id), photo_id) is None:
        raise NotFoundException("This photo isn't here.")
    in_albums = await album_photos.albums_with_photo(viewer.id, photo_id)
    holding = {album.id for album in in_albums}
    choices = [(album_id, title) for album_id, title in await albums.editable_albums(viewer.id)
               if album_id not in holding]             # the select offers only albums it can still go into
    return {"photo": {"id": photo_id}, "in_albums": in_albums, "choices": choices, "errors": {}, "values": {}}


async def _answer(request: HTMXRequest, viewer: Viewer, photo_id: int, *, status_code: int = 200,
                  **extra: Any) -> Template:
    context = {**await panel_context(viewer, photo_id), **extra}
    return await page(request, "pages/photo_albums.html", context, fragment=PANEL, status_code=status_code)


class PhotoAlbumsController(Controller):
    path = "/photos/{photo_id:int}/albums"
    dependencies = {"viewer": Provide(provide_page_viewer)}
    include_in_schema = False

    @get("/")
    async def panel(self, request: HTMXRequest, viewer: ViewerDep, photo_id: Id) -> Template:
        return await _answer(request, viewer, photo_id)

    @post("/")
    async def add(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, photo_id: Id,
                  data: FormData) -> Template | Redirect:
        """Into one of the viewer's albums (`album` = its id), or a new one (`album` = new, `title`)."""
        await panel_context(viewer, photo_id)            # 404 first: nothing is created for a hidden photo
        choice = data.get("album", "")
        try:
            if choice == "new" or (not choice and data.get("title", "").strip()):
                album_id = await albums.create_album(viewer.id, data.get("title", ""))
            elif (album_id := parse_id(choice) or 0) == 0:
                raise AlbumError("Choose an album, or New album with its title.")
            outcome = await album_photos.add_photos(viewer.id, album_id, [photo_id])
        except AlbumError as exc:
            return await _answer(request, viewer, photo_id, status_code=422, errors={"album": str(exc)},
                                 values=data)
        title = (await albums.album_summary(viewer.id, album_id)).title
        text = f"Added to {title}." if outcome.acted else f"This photo can't go into {title}."
        if not wants_fragment(request):
            return flashed(request, settings, f"/photos/{photo_id}", text, "ok" if outcome.acted else "error")
        return await _answer(request, viewer, photo_id, toast=Flash("ok" if outcome.acted else "error", text))

    @post("/{album_id:int}/remove")
    async def remove(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, photo_id: Id,
                     album_id: Id) -> Template | Redirect:
        await panel_context(viewer, photo_id)
        await album_photos.remove_photos(viewer.id, album_id, [photo_id])
        title = (await albums.album_summary(viewer.id, album_id)).title
        text = f"Removed from {title}; the photo is still in your library."
        if not wants_fragment(request):
            return flashed(request, settings, f"/photos/{photo_id}", text)
        return await _answer(request, viewer, photo_id, toast=Flash("ok", text))
