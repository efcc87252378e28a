"""Settings: libraries (folders, members, scans) for their owners and admins; classifier switches for admins.

Admins see every library and every tab; an owner sees the libraries they own, on the Libraries tab only.
A library the viewer cannot see answers 404, one they only view 403 (db/roles.py). Users:
settings_users.py."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import Body, FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from photonix.classifiers import CLASSIFIERS
from photonix.config import Settings
from photonix.db import accounts, classifier_settings, overviews, roles, users
from photonix.db.accounts import AccountError, Viewer
from photonix.jobs.scan import enqueue_scan
from photonix.web.auth import provide_page_viewer, requires_admin
from photonix.web.deps import RedisDep, SettingsDep, ViewerDep
from photonix.web.flash import Flash, flash_cookie
from photonix.web.params import Id
from photonix.web.templating import page, wants_fragment

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
FormData = Annotated[dict[str, str], Form]
ROLES = ("member", "owner")
MIN_PASSWORD = accounts.MIN_PASSWORD
TABS = {"libraries": "Libraries", "users": "Users", "classifiers": "Classifiers", "trash": "Trash"}
OWNER_TABS = {"libraries": "Libraries"}


def tabs_for(viewer: Viewer) -> dict[str, str]:
    return TABS if viewer.is_admin else OWNER_TABS


def _folder_error(raw: str, settings: Settings) -> tuple[Path | None, str | None]:
    """The resolved folder, or why this server cannot use it (the web process reads it, so it must be
    able to)."""
    folder = Path(raw.strip()).expanduser()
    if not folder.is_absolute():
        return None, f"Give the full path of the folder, e.g. /srv/photos (not {raw.strip()!r})."
    if not folder.is_dir() or not os.access(folder, os.R_OK | os.X_OK):
        return None, f"{folder} is not a folder this server can read."
    if not settings.allows_library_folder(folder):
        roots = ", ".join(str(root) for root in settings.library_roots)
        return None, (f"{folder} is outside the folders allowed for libraries "
                      f"({roots}; PHOTONIX_LIBRARY_ROOTS).")
    return folder.resolve(), None


async def _libraries_context(viewer: Viewer) -> dict[str, Any]:
    managed = await roles.managed_library_ids(viewer)
    libraries = [lib for lib in await overviews.library_overviews() if managed is None or lib.id in managed]
    return {"tab": "libraries", "tabs": tabs_for(viewer), "libraries": libraries,
            "can_create": viewer.is_admin,
            "errors": {}, "values": {}}


async def _classifiers_context(viewer: Viewer) -> dict[str, Any]:
    disabled = await classifier_settings.disabled_classifiers()
    rows = [{"name": c.name, "version": c.version, "unavailable": c.unavailable_reason(),
             "enabled": c.name not in disabled, "tagged": await classifier_settings.photos_tagged_by(c.name)}
            for c in CLASSIFIERS]
    return {"tab": "classifiers", "tabs": tabs_for(viewer), "classifiers": rows, "errors": {}, "values": {}}


async def done(request: HTMXRequest, settings: Settings, tab: str, context: dict[str, Any], message: str,
               level: str = "ok") -> Template | Redirect:
    """A plain form goes back to its tab with a flash; HTMX gets the fresh section with the same sentence."""
    if not wants_fragment(request):
        cookie = flash_cookie(request.app.state.secret, Flash(level, message), secure=settings.secure_cookies)
        return Redirect(f"/settings/{tab}", status_code=303, cookies=[cookie])
    return await page(request, f"pages/settings_{tab}.html", {**context, "toast": Flash(level, message)},
                      fragment=f"partials/settings_{tab}.html")


async def invalid(request: HTMXRequest, tab: str, context: dict[str, Any], errors: dict[str, str],
                  values: dict[str, str], status_code: int = 400) -> Template:
    """400 with the messages beside their fields and what was typed kept (never the password)."""
    kept = {key: value for key, value in values.items() if "password" not in key}
    return await page(request, f"pages/settings_{tab}.html", {**context, "errors": errors, "values": kept},
                      fragment=f"partials/settings_{tab}.html", status_code=status_code)


class SettingsController(Controller):
    """Every form works as a plain POST (303 + flash) and as an HTMX swap of its section."""

    path = "/settings"
    dependencies = {"viewer": Provide(provide_page_viewer)}
    include_in_schema = False

    @get("/")
    async def index(self, viewer: ViewerDep) -> Redirect:
        await _require_some_library_to_manage(viewer)
        return Redirect("/settings/libraries", status_code=303)

    # Libraries

    @get("/libraries")
    async def libraries(self, request: HTMXRequest, viewer: ViewerDep) -> Template:
        await _require_some_library_to_manage(viewer)
        return await page(request, "pages/settings_libraries.html", await _libraries_context(viewer),
                          fragment="partials/settings_libraries.html")

    @post("/libraries", guards=[requires_admin])
    async def create_library(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                             redis: RedisDep, data: FormData) -> Template | Redirect:
        name = " ".join(data.get("name", "").split())
        errors: dict[str, str] = {}
        folder = None
        if not name or len(name) > 200:
            errors["name"] = "Name the library (1 to 200 characters), e.g. Family."
        if data.get("folder", "").strip():
            folder, error = _folder_error(data["folder"], settings)
            if error:
                errors["folder"] = error
        if not errors:
            try:
                library_id = await accounts.create_library(name, [folder] if folder else [])
            except AccountError:
                errors["name"] = f"A library named {name} already exists."
        if errors:
            return await invalid(request, "libraries", await _libraries_context(viewer), errors, data)
        if folder is not None:
            await enqueue_scan(redis, library_id)
        message = f"Created {name}" + (f"; scanning {folder} now." if folder else ".")
        return await done(request, settings, "libraries", await _libraries_context(viewer), message)

    @post("/libraries/{library_id:int}/folders")
    async def add_folder(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                         redis: RedisDep, library_id: Id, data: FormData) -> Template | Redirect:
        await roles.require_library_role(viewer, library_id, roles.Role.OWNER)
        typed = data.get("folder", "")
        folder, error = (_folder_error(typed, settings) if typed.strip()
                         else (None, "Give the folder's full path on this server."))
        if error or folder is None:
            return await invalid(request, "libraries", await _libraries_context(viewer),
                                 {f"folder-{library_id}": error or ""}, {f"folder-{library_id}": typed})
        await accounts.add_folder(library_id, folder)
        await enqueue_scan(redis, library_id)     # a new folder is only useful once its photos are in
        return await done(request, settings, "libraries", await _libraries_context(viewer),
                          f"Added {folder}; scanning it now.")

    @post("/libraries/{library_id:int}/scan")
    async def scan(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, redis: RedisDep,
                   library_id: Id) -> Template | Redirect:
        await roles.require_library_role(viewer, library_id, roles.Role.OWNER)
        await enqueue_scan(redis, library_id)
        return await done(request, settings, "libraries", await _libraries_context(viewer),
                          "Scan started; new photos appear as they are processed.")

    @post("/libraries/{library_id:int}/members")
    async def add_member(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, library_id: Id,
                         data: FormData) -> Template | Redirect:
        await roles.require_library_role(viewer, library_id, roles.Role.OWNER)
        username = data.get("username", "").strip()
        role = data.get("role", "member")
        user = await accounts.user_by_name(username) if username else None
        errors: dict[str, str] = {}
        if user is None:
            errors[f"member-{library_id}"] = (
                f"There is no user named {username}; an admin creates users first." if username
                else "Give the user name of an existing user.")
        elif role not in ROLES:
            errors[f"member-{library_id}"] = "A member's role is owner or member."
        if errors or user is None:
            return await invalid(request, "libraries", await _libraries_context(viewer), errors,
                                 {f"member-{library_id}": username})
        await accounts.add_member(library_id, user.id, role=role)
        return await done(request, settings, "libraries", await _libraries_context(viewer),
                          f"{user.username} is now {'an owner' if role == 'owner' else 'a member'} "
                          "of the library.")

    @post("/libraries/{library_id:int}/members/{user_id:int}/remove")
    async def remove_member(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                            library_id: Id, user_id: Id) -> Template | Redirect:
        """The member no longer sees the library's photos: at their next request, sessions and tokens
        alike."""
        await roles.require_library_role(viewer, library_id, roles.Role.OWNER)
        if not await users.remove_member(library_id, user_id):
            raise NotFoundException("That user is not a member of this library.")
        context = await _libraries_context(viewer)
        return await done(request, settings, "libraries", context, "Removed the member from the library.")

    # Classifiers

    @get("/classifiers", guards=[requires_admin])
    async def classifiers(self, request: HTMXRequest, viewer: ViewerDep) -> Template:
        return await page(request, "pages/settings_classifiers.html", await _classifiers_context(viewer),
                          fragment="partials/settings_classifiers.html")

    @post("/classifiers/{name:str}", guards=[requires_admin])
    async def switch_classifier(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                                name: FromPath[str], data: FormData) -> Template | Redirect:
        if name not in {c.name for c in CLASSIFIERS}:
            raise NotFoundException("There is no such classifier.")
        wanted = data.get("enabled")
        if wanted not in ("on", "off"):
            return await invalid(request, "classifiers", await _classifiers_context(viewer),
                                 {f"classifier-{name}": "Choose on or off."}, {})
        enabled = wanted == "on"
        await classifier_settings.set_enabled(name, enabled)
        message = (f"{name} is on: new and reprocessed photos get its tags." if enabled
                   else f"{name} is off: new photos skip it; existing tags stay.")
        return await done(request, settings, "classifiers", await _classifiers_context(viewer), message)


async def _require_some_library_to_manage(viewer: Viewer) -> None:
    managed = await roles.managed_library_ids(viewer)
    if managed is not None and not managed:
        raise PermissionDeniedException("Only admins and library owners can open settings.")
