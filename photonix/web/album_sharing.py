"""Sharing an album with users of this instance (viewer or contributor), stopping it, and leaving a shared
album. The members part of the album page swaps in place with HTMX; plain forms go back with a flash."""

from __future__ import annotations

from typing import Any

from litestar import Controller, post
from litestar.di import Provide
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from photonix.db import album_members, albums
from photonix.db.accounts import Viewer
from photonix.db.albums import AlbumError
from photonix.errors import NotVisible
from photonix.web.albums import FormData, album_context, flashed
from photonix.web.auth import provide_page_viewer
from photonix.web.deps import SettingsDep, ViewerDep
from photonix.web.flash import Flash
from photonix.web.params import Id
from photonix.web.templating import page, wants_fragment

MEMBERS = "partials/album_members.html"


async def _members_answer(request: HTMXRequest, viewer: Viewer, album_id: int, *, status_code: int = 200,
                          **extra: Any) -> Template:
    """The album page, or its members part alone for an HTMX swap."""
    context = {**await album_context(viewer, album_id), **extra}
    return await page(request, "pages/album.html", context, fragment=MEMBERS, status_code=status_code)


class AlbumSharingController(Controller):
    path = "/albums/{album_id:int}"
    dependencies = {"viewer": Provide(provide_page_viewer)}
    include_in_schema = False

    @post("/members")
    async def share(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, album_id: Id,
                    data: FormData) -> Template | Redirect:
        """The owner shares with a user by name as viewer or contributor (again: changes the role)."""
        try:
            member = await album_members.share_album(viewer.id, album_id, data.get("username", ""),
                                                     data.get("role", ""))
        except AlbumError as exc:
            return await _members_answer(request, viewer, album_id, status_code=422,
                                         errors={"member": str(exc)}, values=data)
        text = f"Shared with {member.username} as {member.role}."
        if not wants_fragment(request):
            return flashed(request, settings, f"/albums/{album_id}", text)
        return await _members_answer(request, viewer, album_id, toast=Flash("ok", text))

    @post("/members/{user_id:int}/remove")
    async def unshare(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, album_id: Id,
                      user_id: Id) -> Template | Redirect:
        removed = await album_members.unshare_album(viewer.id, album_id, user_id)
        text = "No longer shared with them." if removed else "They were not a member of this album."
        if not wants_fragment(request):
            return flashed(request, settings, f"/albums/{album_id}", text)
        return await _members_answer(request, viewer, album_id, toast=Flash("ok", text))

    @post("/leave")
    async def leave(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                    album_id: Id) -> Redirect:
        """A member takes a shared album out of their list (its owner deletes it instead)."""
        title = (await albums.album_summary(viewer.id, album_id)).title
        if not await album_members.leave_album(viewer.id, album_id):
            raise NotVisible("You are not a member of this album.")
        return flashed(request, settings, "/albums", f"Left the album {title}.")
