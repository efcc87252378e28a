"""The owner's side of share links: /shares lists every link the user made; make one for a photo, a
selection or an album; change its options; revoke it. Every change is a POST behind sign-in and CSRF.

The selection bar posts its `ids` to /shares/new: without the form's own `create` field that post only
opens the form for those photos, so nothing is shared before the owner has seen the options."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from litestar.exceptions import NotFoundException, ValidationException
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from photonix.config import Settings
from photonix.db import selection, share_links
from photonix.db.accounts import Viewer
from photonix.db.share_links import (
    DEFAULT_EXPIRY,
    InvalidShare,
    ShareLinkInfo,
    ShareOptions,
)
from photonix.errors import Busy
from photonix.web import flash
from photonix.web.auth import provide_page_viewer
from photonix.web.bulk_actions import BadInput
from photonix.web.deps import SettingsDep, ViewerDep
from photonix.web.params import Id, parse_id
from photonix.web.selection import asked_months, grid_filter
from photonix.web.templating import page

MAX_IDS = 10_000
EXPIRY_LABELS = {"1d": "in 1 day", "7d": "in 7 days", "30d": "in 30 days", "90d": "in 90 days",
                 "365d": "in a year", share_links.NEVER: "never"}
DOWNLOAD_LABELS = {"none": "No downloads", "display": "Display size (1920 px)",
                   "original": "Originals (with their EXIF, location included)"}


def share_url(request: Request[Any, Any, Any], link: ShareLinkInfo) -> str:
    return f"{str(request.base_url).rstrip('/')}/s/{link.token}"


def _ids(form: FormMultiDict) -> list[int]:
    ids = [parse_id(raw) for raw in form.getall("ids", [])[:MAX_IDS]]
    return [i for i in ids if i is not None]


async def _with_months(viewer: Viewer, form: FormMultiDict, ids: list[int]) -> list[int]:
    """The bar's ids and the photos of the months it names ("Select this month": the tiles not loaded yet
    too), in the list the selection was made in, as the bar's other actions expand them."""
    try:
        months = asked_months(form)
        if not months:
            return ids
        in_months = await selection.month_ids(viewer, months, await grid_filter(form), limit=MAX_IDS)
    except BadInput as exc:
        raise ValidationException(str(exc)) from None
    if len(set(ids) | in_months) > MAX_IDS:
        raise ValidationException(f"Share at most {MAX_IDS:,} photos in one link; these months hold more.")
    return sorted(set(ids) | in_months)


def _checked(form: FormMultiDict, name: str) -> bool:
    return form.get(name) in ("on", "true", "1")


def options_from(form: FormMultiDict, *, editing: bool) -> ShareOptions:
    """The options the form sends (InvalidShare for what cannot be one)."""
    raw_views = str(form.get("max_views") or "").strip()
    try:
        max_views = int(raw_views) if raw_views else None
    except ValueError:
        raise InvalidShare("A view limit is a whole number from 1, or empty for no limit.") from None
    typed = str(form.get("password") or "")
    # Editing: an empty field keeps the password, the box removes it. Making: empty is none.
    password = "" if editing and _checked(form, "remove_password") else (typed or None)
    return ShareOptions(
        title=str(form.get("title") or ""),
        expiry=str(form.get("expiry") or ("keep" if editing else DEFAULT_EXPIRY)),
        password=password, download=str(form.get("download") or "none"),
        show_metadata=_checked(form, "show_metadata"), show_location=_checked(form, "show_location"),
        max_views=max_views, allow_upload=_checked(form, "allow_upload"),
    )


def _form_context(**values: Any) -> dict[str, Any]:
    return {"expiry_labels": EXPIRY_LABELS, "download_labels": DOWNLOAD_LABELS, "error": None,
            "default_expiry": DEFAULT_EXPIRY, **values}


async def _new_form(request: HTMXRequest, viewer: Viewer, *, ids: list[int], album_id: int | None,
                    error: str | None = None, options: ShareOptions | None = None, slug: str = "",
                    status_code: int = 200) -> Template:
    album_title = None
    if album_id is not None:
        album_title = await share_links.album_title_of(viewer.id, album_id)
        if album_title is None:
            raise NotFoundException("This album isn't here.")
        ids = []
    else:
        ids = await share_links.sharable_photo_ids(viewer.id, ids)
        if not ids:
            raise NotFoundException("These photos aren't here.")
    return await page(request, "pages/share_form.html", _form_context(
        link=None, ids=ids, album_id=album_id, album_title=album_title, options=options or ShareOptions(),
        slug=slug, error=error), status_code=status_code)


class ShareController(Controller):
    path = "/shares"
    dependencies = {"viewer": Provide(provide_page_viewer)}
    include_in_schema = False

    @get("/")
    async def list_links(self, request: HTMXRequest, viewer: ViewerDep) -> Template:
        links = await share_links.links_of(viewer.id)
        return await page(request, "pages/shares.html", {
            "links": links, "urls": {link.id: share_url(request, link) for link in links}})

    @get("/new")
    async def new_form(self, request: HTMXRequest, viewer: ViewerDep) -> Template:
        query = request.query_params
        ids = [i for i in (parse_id(raw) for raw in [*query.getall("ids", []), *query.getall("photo", [])])
               if i is not None]
        return await _new_form(request, viewer, ids=ids, album_id=parse_id(query.get("album"))
                               if query.get("album") else None)

    @post("/new")
    async def create(self, request: HTMXRequest, viewer: ViewerDep,
                     settings: SettingsDep) -> Template | Redirect:
        form = await request.form()
        album_id = parse_id(form.get("album")) if form.get("album") else None
        ids = _ids(form)
        if not _checked(form, "create"):          # the selection bar's post: show the form for these ids
            return await _new_form(request, viewer, ids=await _with_months(viewer, form, ids),
                                   album_id=album_id)
        slug = str(form.get("slug") or "")
        try:
            options = options_from(form, editing=False)
            if album_id is not None:
                created = await share_links.create_for_album(viewer.id, album_id, options, slug)
            else:
                created = await share_links.create_for_photos(viewer.id, ids, options, slug)
        except (InvalidShare, Busy) as exc:
            return await _new_form(request, viewer, ids=ids, album_id=album_id, error=str(exc),
                                   options=_safe(form), slug=slug, status_code=422)
        text = "Link made. Copy it below and send it to whoever should see these photos."
        if created.ignored:
            text += f" {created.ignored} photo{'s' if created.ignored > 1 else ''} you cannot share "\
                    "were left out."
        return _redirect_with_flash(request, settings, f"/shares/{created.link.id}", text)

    @get("/{link_id:int}")
    async def edit_form(self, request: HTMXRequest, viewer: ViewerDep, link_id: Id) -> Template:
        link = await _owned(viewer, link_id)
        return await page(request, "pages/share_form.html", _form_context(
            link=link, url=share_url(request, link), options=None, slug=""))

    @post("/{link_id:int}")
    async def edit(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                   link_id: Id) -> Template | Redirect:
        link = await _owned(viewer, link_id)
        form = await request.form()
        try:
            await share_links.update(viewer.id, link_id, options_from(form, editing=True))
        except (InvalidShare, Busy) as exc:
            return await page(request, "pages/share_form.html", _form_context(
                link=link, url=share_url(request, link), options=None, slug="", error=str(exc)),
                status_code=422)
        return _redirect_with_flash(request, settings, f"/shares/{link_id}", "Link options saved.")

    @post("/{link_id:int}/revoke")
    async def revoke(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                     link_id: Id) -> Redirect:
        if not await share_links.revoke(viewer.id, link_id):
            raise NotFoundException("This link isn't here.")
        return _redirect_with_flash(request, settings, "/shares/", "Link revoked: it no longer opens.")


async def _owned(viewer: Viewer, link_id: int) -> ShareLinkInfo:
    link = await share_links.link_of(viewer.id, link_id)
    if link is None:
        raise NotFoundException("This link isn't here.")
    return link


def _safe(form: FormMultiDict) -> ShareOptions | None:
    """What was typed, to fill the form again (never the password); None when it cannot be read."""
    try:
        return options_from(form, editing=False)
    except InvalidShare:
        return None


def _redirect_with_flash(request: Request[Any, Any, Any], settings: Settings, target: str,
                         text: str) -> Redirect:
    cookie = flash.flash_cookie(request.app.state.secret, flash.Flash("ok", text),
                                secure=settings.secure_cookies)
    return Redirect(target, status_code=303, cookies=[cookie])
