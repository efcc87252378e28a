"""Favourite, archive and trash one photo: POSTs from its detail page, a grid tile's `f` key or a view's
restore button. HTMX gets the heart or the actions fragment back; a plain form a 303 with a flash.

Who may is decided in the query (db/photo_lifecycle.py): a photo the viewer cannot see answers 404,
exactly like one that does not exist. The heart is the viewer's own, so anyone who sees the photo may
use it; archive and trash on one they see through a shared album only answer 403. Moving to the trash
asks once (confirm=yes), everywhere."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated

from litestar import Controller, post
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import ValidationException
from litestar.params import Body
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from photonix.config import Settings
from photonix.db import photo_lifecycle, roles
from photonix.db.photo_lifecycle import LifecycleState
from photonix.db.photo_reads import photo_access
from photonix.db.scope import Scope
from photonix.errors import NotAllowed, NotVisible
from photonix.jobs.trash_purge import enqueue_empty_trash
from photonix.web.auth import provide_page_viewer
from photonix.web.deps import RedisDep, SettingsDep, ViewerDep
from photonix.web.flash import Flash, flash_cookie
from photonix.web.params import Id

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
FormData = Annotated[dict[str, str], Form]
Action = Callable[[Scope, Iterable[int]], Awaitable[list[int]]]
HEART = "partials/photo_favourite_answer.html"
ACTIONS = "partials/photo_lifecycle_answer.html"


def back_to(data: dict[str, str], photo_id: int) -> str:
    """Where a plain form returns: the page it names in `next` when that is one of ours under /photos
    (a view like the trash), else the photo."""
    wanted = data.get("next", "")
    if wanted.startswith("/photos") and "\\" not in wanted and wanted.isprintable():
        return wanted
    return f"/photos/{photo_id}"


async def _act(viewer_id: int, photo_id: int, action: Action) -> LifecycleState:
    """Act on the photo; 404 when the viewer cannot see it, 403 when they see it through an album only."""
    scope = Scope.user(viewer_id)
    if not await action(scope, [photo_id]):
        await _refuse(scope, photo_id)
    state = await photo_lifecycle.lifecycle_state(scope, photo_id)
    if state is None:                   # purged in between
        raise NotVisible("This photo isn't here.")
    return state


async def _refuse(scope: Scope, photo_id: int) -> None:
    """Why the viewer may not change the photo: 404 when they cannot see it, else 403 (an album's photo)."""
    access = await photo_access(scope, photo_id)
    if access is None:
        raise NotVisible("This photo isn't here.")
    if not access:
        raise NotAllowed("Only members of the photo's library can change it; you see it through an album.")


def _answer(request: HTMXRequest, settings: Settings, state: LifecycleState, data: dict[str, str],
            fragment: str, message: str) -> Template | Redirect:
    """HTMX: the fragment as it now stands, with the sentence as a toast; a plain form: 303 and a flash."""
    if not request.htmx:
        cookie = flash_cookie(request.app.state.secret, Flash("ok", message), secure=settings.secure_cookies)
        return Redirect(back_to(data, state.id), status_code=303, cookies=[cookie])
    return Template(fragment, context={"photo": state, "message": message, "trash_days": settings.trash_days})


class PhotoLifecycleController(Controller):
    """The heart, Archive/Unarchive and Move to trash/Restore of one photo."""

    path = "/photos"
    dependencies = {"viewer": Provide(provide_page_viewer)}
    include_in_schema = False

    @post("/{photo_id:int}/favourite")
    async def favourite(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, photo_id: Id,
                        data: FormData) -> Template | Redirect:
        state = await _act(viewer.id, photo_id, photo_lifecycle.favourite_photos)
        return _answer(request, settings, state, data, HEART, "Added to your favourites.")

    @post("/{photo_id:int}/unfavourite")
    async def unfavourite(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, photo_id: Id,
                          data: FormData) -> Template | Redirect:
        state = await _act(viewer.id, photo_id, photo_lifecycle.unfavourite_photos)
        return _answer(request, settings, state, data, HEART, "Removed from your favourites.")

    @post("/{photo_id:int}/archive")
    async def archive(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, photo_id: Id,
                      data: FormData) -> Template | Redirect:
        state = await _act(viewer.id, photo_id, photo_lifecycle.archive_photos)
        return _answer(request, settings, state, data, ACTIONS,
                       "Archived: the photo left the main grid and is in Archive.")

    @post("/{photo_id:int}/unarchive")
    async def unarchive(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, photo_id: Id,
                        data: FormData) -> Template | Redirect:
        state = await _act(viewer.id, photo_id, photo_lifecycle.unarchive_photos)
        return _answer(request, settings, state, data, ACTIONS,
                       "Taken out of the archive: the photo is back in the main grid.")

    @post("/{photo_id:int}/trash")
    async def trash(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, photo_id: Id,
                    data: FormData) -> Template | Redirect:
        # Asked once, like "Empty trash now" (web/settings_trash.py): the form's confirm box, which
        # static/js/confirm.js replaces with a dialog (the button and the Delete key alike).
        if data.get("confirm") != "yes":
            await _refuse(Scope.user(viewer.id), photo_id)      # a photo out of reach: 404/403 first
            raise ValidationException("Tick the box to confirm moving the photo to the trash.")
        state = await _act(viewer.id, photo_id, photo_lifecycle.trash_photos)
        return _answer(request, settings, state, data, ACTIONS,
                       f"Moved to the trash: restore it within {settings.trash_days} days, "
                       "or it is deleted for good.")

    @post("/{photo_id:int}/restore")
    async def restore(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, photo_id: Id,
                      data: FormData) -> Template | Redirect:
        state = await _act(viewer.id, photo_id, photo_lifecycle.restore_photos)
        return _answer(request, settings, state, data, ACTIONS, "Restored from the trash.")

    @post("/trash/restore-all")
    async def restore_all(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep) -> Redirect:
        """Every photo in the trash of the viewer's libraries goes back where it was."""
        count = await photo_lifecycle.restore_all(Scope.user(viewer.id))
        message = f"Restored {count:,} photo{'s' if count != 1 else ''} from the trash."
        return _back_to_trash(request, settings, message)

    @post("/trash/empty")
    async def empty_trash(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                          redis: RedisDep, data: FormData) -> Redirect:
        """The owners of a library (and admins) empty its trash now, on a worker; members may not."""
        managed = await roles.managed_library_ids(viewer)
        if managed is not None and not managed:
            raise NotAllowed("Only a library's owners and admins can empty its trash.")
        if data.get("confirm") != "yes":
            raise ValidationException("Tick the box to confirm: emptying the trash cannot be undone.")
        queued = await enqueue_empty_trash(redis, None if managed is None else sorted(managed))
        return _back_to_trash(request, settings, "Emptying the trash: a worker deletes its photos now."
                              if queued else "The trash is being emptied already.")


def _back_to_trash(request: HTMXRequest, settings: Settings, message: str) -> Redirect:
    cookie = flash_cookie(request.app.state.secret, Flash("ok", message), secure=settings.secure_cookies)
    return Redirect("/photos/trash", status_code=303, cookies=[cookie])
