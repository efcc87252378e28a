"""Admin settings: libraries (folders, members, scans), users (no open sign-up) and classifier switches."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from photonix.classifiers import CLASSIFIERS
from photonix.config import Settings
from photonix.db import accounts, classifier_settings, overviews
from photonix.db.accounts import AccountError
from photonix.jobs.scan import enqueue_scan
from photonix.web.auth import provide_page_viewer, requires_admin
from photonix.web.deps import RedisDep, SettingsDep, ViewerDep
from photonix.web.flash import Flash, flash_cookie
from photonix.web.templating import page, wants_fragment

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
FormData = Annotated[dict[str, str], Form]
ROLES = ("member", "owner")
MIN_PASSWORD = 8
TABS = {"libraries": "Libraries", "users": "Users", "classifiers": "Classifiers"}


def _folder_error(raw: str) -> tuple[Path | None, str | None]:
    """The resolved folder, or why this server cannot use it (the web process reads it, so it must be able to)."""
    folder = Path(raw.strip()).expanduser()
    if not folder.is_absolute():
        return None, f"Give the full path of the folder, e.g. /srv/photos (not {raw.strip()!r})."
    if not folder.is_dir() or not os.access(folder, os.R_OK | os.X_OK):
        return None, f"{folder} is not a folder this server can read."
    return folder.resolve(), None


async def _libraries_context() -> dict[str, Any]:
    return {"tab": "libraries", "tabs": TABS, "libraries": await overviews.library_overviews(),
            "errors": {}, "values": {}}


async def _users_context() -> dict[str, Any]:
    return {"tab": "users", "tabs": TABS, "users": await overviews.user_overviews(),
            "libraries": await accounts.all_libraries(), "errors": {}, "values": {}}


async def _classifiers_context() -> dict[str, Any]:
    disabled = await classifier_settings.disabled_classifiers()
    rows = [{"name": c.name, "version": c.version, "unavailable": c.unavailable_reason(),
             "enabled": c.name not in disabled, "tagged": await classifier_settings.photos_tagged_by(c.name)}
            for c in CLASSIFIERS]
    return {"tab": "classifiers", "tabs": TABS, "classifiers": rows, "errors": {}, "values": {}}


class SettingsController(Controller):
    """Admin-only pages; every form works as a plain POST (303 + flash) and as an HTMX swap of its section."""

    path = "/settings"
    guards = [requires_admin]
    dependencies = {"viewer": Provide(provide_page_viewer)}
    include_in_schema = False

    async def _done(self, request: HTMXRequest, settings: Settings, tab: str, context: dict[str, Any],
                    message: str) -> Template | Redirect:
        """A plain form goes back to its tab with a flash; HTMX gets the fresh section with the same sentence."""
        if not wants_fragment(request):
            cookie = flash_cookie(request.app.state.secret, Flash("ok", message), secure=settings.secure_cookies)
            return Redirect(f"/settings/{tab}", status_code=303, cookies=[cookie])
        return await page(request, f"pages/settings_{tab}.html", {**context, "toast": Flash("ok", message)},
                          fragment=f"partials/settings_{tab}.html")

    async def _invalid(self, request: HTMXRequest, tab: str, context: dict[str, Any], errors: dict[str, str],
                       values: dict[str, str]) -> Template:
        """400 with the messages beside their fields and what was typed kept (never the password)."""
        kept = {key: value for key, value in values.items() if "password" not in key}
        return await page(request, f"pages/settings_{tab}.html", {**context, "errors": errors, "values": kept},
                          fragment=f"partials/settings_{tab}.html", status_code=400)

    @get("/")
    async def index(self, viewer: ViewerDep) -> Redirect:
        return Redirect("/settings/libraries", status_code=303)

    # Libraries

    @get("/libraries")
    async def libraries(self, request: HTMXRequest, viewer: ViewerDep) -> Template:
        return await page(request, "pages/settings_libraries.html", await _libraries_context(),
                          fragment="partials/settings_libraries.html")

    @post("/libraries")
    async def create_library(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, redis: RedisDep,
                             data: FormData) -> Template | Redirect:
        name = " ".join(data.get("name", "").split())
        errors: dict[str, str] = {}
        folder = None
        if not name or len(name) > 200:
            errors["name"] = "Name the library (1 to 200 characters), e.g. Family."
        if data.get("folder", "").strip():
            folder, error = _folder_error(data["folder"])
            if error:
                errors["folder"] = error
        if not errors:
            try:
                library_id = await accounts.create_library(name, [folder] if folder else [])
            except AccountError:
                errors["name"] = f"A library named {name} already exists."
        if errors:
            return await self._invalid(request, "libraries", await _libraries_context(), errors, data)
        if folder is not None:
            await enqueue_scan(redis, library_id)
        message = f"Created {name}" + (f"; scanning {folder} now." if folder else ".")
        return await self._done(request, settings, "libraries", await _libraries_context(), message)

    @post("/libraries/{library_id:int}/folders")
    async def add_folder(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, redis: RedisDep,
                         library_id: FromPath[int], data: FormData) -> Template | Redirect:
        await _library_or_404(library_id)
        typed = data.get("folder", "")
        folder, error = _folder_error(typed) if typed.strip() else (None, "Give the folder's full path on this server.")
        if error or folder is None:
            return await self._invalid(request, "libraries", await _libraries_context(),
                                       {f"folder-{library_id}": error or ""}, {f"folder-{library_id}": typed})
        await accounts.add_folder(library_id, folder)
        await enqueue_scan(redis, library_id)     # a new folder is only useful once its photos are in
        return await self._done(request, settings, "libraries", await _libraries_context(),
                                f"Added {folder}; scanning it now.")

    @post("/libraries/{library_id:int}/scan")
    async def scan(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep, redis: RedisDep,
                   library_id: FromPath[int]) -> Template | Redirect:
        await _library_or_404(library_id)
        await enqueue_scan(redis, library_id)
        return await self._done(request, settings, "libraries", await _libraries_context(),
                                "Scan started; new photos appear as they are processed.")

    @post("/libraries/{library_id:int}/members")
    async def add_member(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                         library_id: FromPath[int], data: FormData) -> Template | Redirect:
        await _library_or_404(library_id)
        username = data.get("username", "").strip()
        role = data.get("role", "member")
        user = await accounts.user_by_name(username) if username else None
        errors: dict[str, str] = {}
        if user is None:
            errors[f"member-{library_id}"] = (f"There is no user named {username}; create them under Users first."
                                              if username else "Give the user name of an existing user.")
        elif role not in ROLES:
            errors[f"member-{library_id}"] = "A member's role is owner or member."
        if errors or user is None:
            return await self._invalid(request, "libraries", await _libraries_context(), errors,
                                       {f"member-{library_id}": username})
        await accounts.add_member(library_id, user.id, role=role)
        return await self._done(request, settings, "libraries", await _libraries_context(),
                                f"{user.username} is now {'an owner' if role == 'owner' else 'a member'} of the library.")

    # Users

    @get("/users")
    async def users(self, request: HTMXRequest, viewer: ViewerDep) -> Template:
        return await page(request, "pages/settings_users.html", await _users_context(),
                          fragment="partials/settings_users.html")

    @post("/users")
    async def create_user(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                          data: FormData) -> Template | Redirect:
        """No open sign-up: this form is how people get an account, with the libraries they may see."""
        username = data.get("username", "").strip()
        password = data.get("password", "")
        context = await _users_context()
        wanted = [lib.id for lib in context["libraries"] if data.get(f"library-{lib.id}")]
        errors: dict[str, str] = {}
        if not username or len(username) > 150:
            errors["username"] = "Choose a user name (1 to 150 characters)."
        elif await accounts.user_by_name(username) is not None:
            errors["username"] = f"A user named {username} already exists."
        if len(password) < MIN_PASSWORD:
            errors["password"] = f"Use at least {MIN_PASSWORD} characters."
        if errors:
            return await self._invalid(request, "users", context, errors, data)
        try:
            user_id = await accounts.create_user(username, password, is_admin=bool(data.get("is_admin")))
        except AccountError as exc:          # a concurrent request took the name between check and insert
            return await self._invalid(request, "users", context, {"username": str(exc)}, data)
        for library_id in wanted:
            await accounts.add_member(library_id, user_id, role="member")
        return await self._done(request, settings, "users", await _users_context(),
                                f"Created {username}; they can sign in now.")

    # Classifiers

    @get("/classifiers")
    async def classifiers(self, request: HTMXRequest, viewer: ViewerDep) -> Template:
        return await page(request, "pages/settings_classifiers.html", await _classifiers_context(),
                          fragment="partials/settings_classifiers.html")

    @post("/classifiers/{name:str}")
    async def switch_classifier(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                                name: FromPath[str], data: FormData) -> Template | Redirect:
        if name not in {c.name for c in CLASSIFIERS}:
            raise NotFoundException("There is no such classifier.")
        wanted = data.get("enabled")
        if wanted not in ("on", "off"):
            return await self._invalid(request, "classifiers", await _classifiers_context(),
                                       {f"classifier-{name}": "Choose on or off."}, {})
        enabled = wanted == "on"
        await classifier_settings.set_enabled(name, enabled)
        message = (f"{name} is on: new and reprocessed photos get its tags." if enabled
                   else f"{name} is off: new photos skip it; existing tags stay.")
        return await self._done(request, settings, "classifiers", await _classifiers_context(), message)


async def _library_or_404(library_id: int) -> None:
    if not await overviews.library_exists(library_id):
        raise NotFoundException("This library isn't here.")
