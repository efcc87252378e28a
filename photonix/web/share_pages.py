"""The public pages of a share link (/s/<token>), for anyone holding the link, without signing in.

What a request may see is decided in one place, `_open`: an unknown token is 404; a revoked or expired
link 410; a link with a password needs this browser's grant cookie (share_grants.py); a used-up link
(views at its limit) stays open only to the browsers whose visit was counted. Photos come from
db/share_photos.py, which holds only what the link names: any other id answers 404.

A view is counted when the share page opens in a browser that has not been counted in the last
GRANT_SECONDS (a visit: reloading, or coming back from the viewer, is not another view); thumbnails and
the viewer's pages are never counted. The owner's name, the library and file paths appear nowhere."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any

import structlog
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader, Cookie
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Stream, Template
from redis.exceptions import RedisError

from photonix.config import Settings
from photonix.db import share_links, share_photos
from photonix.db.photo_values import PermittedFile
from photonix.db.share_links import EXPIRED, REVOKED, ShareLinkInfo
from photonix.errors import Busy, PhotonixError
from photonix.web import share_files, share_grants, share_ratelimit
from photonix.web.client_address import request_host
from photonix.web.deps import RedisDep, SettingsDep
from photonix.web.params import Id
from photonix.web.upload import ACCEPT

log = structlog.get_logger()
Form = Body(media_type=RequestEncodingType.URL_ENCODED)
NO_STORE = CacheControlHeader(no_store=True)
ROBOTS = {"X-Robots-Tag": "noindex, nofollow"}
GONE = {
    REVOKED: ("This link was turned off", "Whoever shared it has revoked this link."),
    EXPIRED: ("This link has expired", "Ask whoever shared it for a new link."),
    share_links.USED_UP: ("This link has been used up", "It could be opened only a set number of times."),
}


class LinkGone(PhotonixError):
    """A revoked, expired or used-up link: its state is the message (a key of GONE), answered 410."""


class PasswordNeeded(PhotonixError):
    """A password link opened by a browser without its grant."""


def _message(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> Template:
    return Template("pages/share_message.html", status_code=status,
                    headers={**ROBOTS, **(headers or {})}, context={"title": title, "detail": detail})


def _gone(_: Request[Any, Any, Any], exc: LinkGone) -> Response[Any]:
    title, detail = GONE.get(str(exc), GONE[EXPIRED])
    return _message(410, title, detail)


def _not_found(_: Request[Any, Any, Any], exc: NotFoundException) -> Response[Any]:
    return _message(404, "This link doesn't exist", "Check that you copied the whole link.")


def _password_needed(request: Request[Any, Any, Any], _: PasswordNeeded) -> Response[Any]:
    token = request.path_params.get("token", "")
    return _message(401, "This link needs its password", "Open the link and enter its password first.",
                    headers={"Link": f"</s/{token}>; rel=\"alternate\""})


def _grant(request: Request[Any, Any, Any], link: ShareLinkInfo) -> str | None:
    """This browser's grant for a link that is neither revoked nor expired (else the 410)."""
    state = link.state()
    if state in (REVOKED, EXPIRED):
        raise LinkGone(state)
    return share_grants.granted(request, request.app.state.secret, link)


def _let_in(request: Request[Any, Any, Any], link: ShareLinkInfo) -> None:
    """For everything under the page (viewer, thumbnails, downloads): pass, or the answer for this browser."""
    grant = _grant(request, link)
    if link.has_password and grant is None:
        raise PasswordNeeded("password")
    if link.used_up and grant != share_grants.VIEWED:
        raise LinkGone(share_links.USED_UP)


async def _open(request: Request[Any, Any, Any], token: str) -> tuple[ShareLinkInfo, str | None]:
    """The link and this browser's grant, or the answer for a link this request may not use."""
    link = await share_links.by_token(token)
    if link is None:
        raise NotFoundException("no such link")
    return link, _grant(request, link)


async def usable_link(request: Request[Any, Any, Any], token: str) -> ShareLinkInfo:
    """The link for a request under its page (the guest upload's too), or the answer that refuses it."""
    link = await share_links.by_token(token)
    if link is None:
        raise NotFoundException("no such link")
    _let_in(request, link)
    return link


async def _usable_file(request: Request[Any, Any, Any], settings: Settings, token: str, photo_id: int,
                       kind: str, size: str) -> PermittedFile:
    """The file of a photo the link shows, once the link lets this browser in; else 404."""
    link = await usable_link(request, token)
    stored = await share_photos.shared_file(link, photo_id, kind, size, settings)
    if stored is None:
        raise NotFoundException("not in this share")
    return stored


def _absolute(request: Request[Any, Any, Any], path: str) -> str:
    return f"{str(request.base_url).rstrip('/')}{path}"


def _date_range(tiles: list[share_photos.SharedTile]) -> tuple[datetime, datetime] | None:
    dates = sorted(t.taken_at for t in tiles if t.taken_at is not None)
    return (dates[0], dates[-1]) if dates else None


async def _viewer_context(link: ShareLinkInfo, photo_id: int, settings: Settings) -> dict[str, Any]:
    photo = await share_photos.shared_photo(link, photo_id, settings)
    if photo is None:
        raise NotFoundException("not in this share")
    previous, following = await share_photos.neighbours(link, photo_id)
    return {"photo": photo, "previous": previous, "next": following}


def _base_context(request: Request[Any, Any, Any], link: ShareLinkInfo) -> dict[str, Any]:
    base = f"/s/{link.token}"
    return {"link": link, "title": link.display_title(), "base": base, "page_url": _absolute(request, base)}


class SharePageController(Controller):
    path = "/s/{token:str}"
    include_in_schema = False
    exception_handlers = {LinkGone: _gone, NotFoundException: _not_found, PasswordNeeded: _password_needed}

    @get("/", cache_control=NO_STORE)
    async def share_page(self, request: Request[Any, Any, Any], settings: SettingsDep,
                         token: FromPath[str], added: FromQuery[int | None] = None) -> Template:
        link, grant = await _open(request, token)
        if link.has_password and grant is None:
            return _password_form(request, link)
        cookies: list[Cookie] = []
        if grant == share_grants.VIEWED:
            await share_links.touch(link.id)
        elif not await share_links.count_view(link.id):        # at the limit, or turned off meanwhile
            raise LinkGone(share_links.USED_UP)
        else:
            log.info("share_viewed", share_link_id=link.id)
            cookies.append(share_grants.grant_cookie(request.app.state.secret, link, share_grants.VIEWED,
                                                     secure=settings.secure_cookies))
        message = (f"Thank you: {added} photo{'' if added == 1 else 's'} added. They appear here once "
                   "processed." if added is not None and added > 0 and link.allow_upload else None)
        return await _page(request, settings, link, cookies=cookies, message=message)

    @post("/password", cache_control=NO_STORE)
    async def password(self, request: Request[Any, Any, Any], settings: SettingsDep, redis: RedisDep,
                       token: FromPath[str], data: Annotated[dict[str, str], Form]) -> Template | Redirect:
        link, _ = await _open(request, token)
        if not link.has_password:
            return Redirect(f"/s/{link.token}", status_code=303)
        host = request_host(request, settings)
        try:
            wait = await share_ratelimit.reserve_attempt(redis, link.id, host)    # before argon2
        except RedisError:
            return _password_form(request, link, "Passwords can't be checked right now. Try again in a "
                                  "minute.", status_code=503)
        if wait:
            minutes = max(1, (wait + 59) // 60)
            response = _password_form(request, link, f"Too many wrong passwords. Try again in {minutes} "
                                      f"minute{'s' if minutes > 1 else ''}.", status_code=429)
            response.headers["Retry-After"] = str(wait)
            return response
        try:
            right = await share_links.password_matches(link, data.get("password", ""))
        except Busy as exc:
            return _password_form(request, link, str(exc), status_code=429)
        if not right:
            log.info("share_password_refused", share_link_id=link.id)
            return _password_form(request, link, "That password isn't right.", status_code=401)
        await share_ratelimit.record_success(redis, link.id, host)
        cookie = share_grants.grant_cookie(request.app.state.secret, link, share_grants.PASSWORD,
                                           secure=settings.secure_cookies)
        return Redirect(f"/s/{link.token}", status_code=303, cookies=[cookie])

    @get("/photos/{photo_id:int}", cache_control=NO_STORE)
    async def viewer(self, request: Request[Any, Any, Any], settings: SettingsDep, token: FromPath[str],
                     photo_id: Id) -> Template:
        link = await usable_link(request, token)
        context = _base_context(request, link)
        context.update(await _viewer_context(link, photo_id, settings), single=False, og_image=None)
        return Template("pages/share_viewer.html", context=context, headers=ROBOTS)

    @get("/photos/{photo_id:int}/thumbnail/{size:str}", cache_control=share_files.SHARE_CACHE)
    async def thumbnail(self, request: Request[Any, Any, Any], settings: SettingsDep, token: FromPath[str],
                        photo_id: Id, size: FromPath[str]) -> Response[bytes] | Stream:
        if not share_photos.is_thumbnail_size(size):
            await usable_link(request, token)
            raise NotFoundException("no such size")
        stored = await _usable_file(request, settings, token, photo_id, "thumbnail", size)
        return await share_files.serve_file(stored, share_files.download_name(photo_id, stored.name),
                                            attachment=False)

    @get("/photos/{photo_id:int}/download", cache_control=share_files.SHARE_CACHE)
    async def download(self, request: Request[Any, Any, Any], settings: SettingsDep, token: FromPath[str],
                       photo_id: Id) -> Response[bytes] | Stream:
        link = await usable_link(request, token)
        kind, size = _download_kind(link)
        stored = await _usable_file(request, settings, token, photo_id, kind, size)
        return await share_files.serve_file(stored, share_files.download_name(photo_id, stored.name),
                                            attachment=True)

    @get("/download", cache_control=NO_STORE)
    async def download_all(self, request: Request[Any, Any, Any], settings: SettingsDep,
                           token: FromPath[str]) -> Stream:
        link = await usable_link(request, token)
        kind, size = _download_kind(link)
        files = await share_photos.shared_files(link, kind, size, settings)
        if not files:
            raise NotFoundException("nothing to download")
        return share_files.stream_zip(files, "photos.zip")


async def _page(request: Request[Any, Any, Any], settings: Settings, link: ShareLinkInfo, *,
                cookies: list[Cookie] | None = None, message: str | None = None, error: str | None = None,
                status_code: int = 200) -> Template:
    """The share page (a one-photo link: its viewer), with a sentence for a guest upload if any."""
    tiles = await share_photos.tiles_of(link)
    if link.album_id is None:           # by_token leaves the count out (thumbnails need no count)
        link = replace(link, photo_count=len(tiles))
    context = _base_context(request, link)
    cover = next((t for t in tiles if t.has_thumbnail), None)
    context.update(tiles=tiles, date_range=_date_range(tiles), message=message, error=error, accept=ACCEPT,
                   zip_allowed=link.download != "none" and link.kind != "photo" and bool(tiles),
                   og_image=(_absolute(request, f"/s/{link.token}/photos/{cover.id}/thumbnail/medium")
                             if cover and not link.has_password else None))
    if link.kind == "photo" and tiles:
        context.update(await _viewer_context(link, tiles[0].id, settings), single=True)
        return Template("pages/share_viewer.html", context=context, headers=ROBOTS, cookies=cookies or [])
    return Template("pages/share_page.html", context=context, headers=ROBOTS, cookies=cookies or [],
                    status_code=status_code)


async def page_with_message(request: Request[Any, Any, Any], settings: Settings, link: ShareLinkInfo,
                            error: str, *, added: int, status_code: int) -> Template:
    """The page again after a guest upload that was (partly) refused: the reasons, and what went in."""
    message = f"{added} photo{'' if added == 1 else 's'} added." if added else None
    return await _page(request, settings, link, message=message, error=error, status_code=status_code)


def _download_kind(link: ShareLinkInfo) -> tuple[str, str]:
    """(file kind, size name) a download of this link serves; 404 when downloads are off."""
    if link.download == "original":
        return "original", ""
    if link.download == "display":
        return "thumbnail", "large"
    raise NotFoundException("downloads are off for this link")


def _password_form(request: Request[Any, Any, Any], link: ShareLinkInfo, error: str | None = None, *,
                   status_code: int = 200) -> Template:
    context = _base_context(request, link)
    context.update(error=error, og_image=None)
    return Template("pages/share_password.html", status_code=status_code, headers=ROBOTS, context=context)
