"""Admin settings for the trash: whether emptying it deletes files in watched library folders, and
"Empty trash now" (handed to a worker, like the nightly purge: jobs/trash_purge.py)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from photonix.config import Settings
from photonix.db import trash
from photonix.db.accounts import Viewer
from photonix.jobs.trash_purge import enqueue_empty_trash
from photonix.web.auth import provide_page_viewer, requires_admin
from photonix.web.deps import RedisDep, SettingsDep, ViewerDep
from photonix.web.settings import FormData, done, invalid, tabs_for
from photonix.web.templating import page

TAB = "trash"


async def trash_context(viewer: Viewer, settings: Settings) -> dict[str, Any]:
    return {"tab": TAB, "tabs": tabs_for(viewer), "trashed": await trash.trashed_count(),
            "trash_days": settings.trash_days, "deletes_library_files": await trash.deletes_library_files(),
            "errors": {}, "values": {}}


class TrashSettingsController(Controller):
    """Every form works as a plain POST (303 + flash) and as an HTMX swap of its section."""

    path = "/settings/trash"
    dependencies = {"viewer": Provide(provide_page_viewer)}
    guards = [requires_admin]
    include_in_schema = False

    @get("/")
    async def trash_tab(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep) -> Template:
        return await page(request, "pages/settings_trash.html", await trash_context(viewer, settings),
                          fragment="partials/settings_trash.html")

    @post("/library-files")
    async def switch_library_files(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                                   data: FormData) -> Template | Redirect:
        wanted = data.get("enabled")
        if wanted not in ("on", "off"):
            return await invalid(request, TAB, await trash_context(viewer, settings),
                                 {"library-files": "Choose on or off."}, {})
        await trash.set_deletes_library_files(wanted == "on")
        message = ("Emptying the trash now deletes photos' files in library folders too." if wanted == "on"
                   else "Emptying the trash now leaves files in library folders on disk, forgotten.")
        return await done(request, settings, TAB, await trash_context(viewer, settings), message)

    @post("/empty")
    async def empty_now(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, redis: RedisDep,
                        data: FormData) -> Template | Redirect:
        if data.get("confirm") != "yes":
            return await invalid(request, TAB, await trash_context(viewer, settings),
                                 {"empty": "Tick the box to confirm: this cannot be undone."}, {})
        count = await trash.trashed_count()
        queued = await enqueue_empty_trash(redis)
        photos = f"{count:,} photo{'s' if count != 1 else ''}"
        message = (f"Emptying the trash: a worker deletes {photos} now." if queued
                   else "The trash is being emptied already.")
        return await done(request, settings, TAB, await trash_context(viewer, settings), message)
