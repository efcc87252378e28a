"""Rendering: a whole page (with the shell's context) or, for an HTMX swap, the fragment alone."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import Cookie
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from photonix.jobs.status import HeaderStatus, header_status
from photonix.web import flash
from photonix.web.deps import app_redis
from photonix.web.plain_http import cookies_dropped_here


def wants_fragment(request: HTMXRequest) -> bool:
    """An HTMX swap gets the fragment alone; a first load, boosted link or history restore gets the page."""
    htmx = request.htmx
    return bool(htmx) and not (htmx.boosted or htmx.history_restore_request)


async def shell_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """What base.html needs: the viewer, a flash message, the header's status and the failure badge.

    An admin's header counts every library; a member's only their own."""
    viewer = getattr(request.state, "viewer", None)
    context: dict[str, Any] = {"viewer": viewer, "flash": flash.read_flash(request, request.app.state.secret),
                               "cookies_dropped": cookies_dropped_here(request)}
    if viewer is not None:
        header = await header_status(None if viewer.is_admin else viewer.id, app_redis(request))
        context.update(header=header, header_poll=header_poll_seconds(header),
                       processing=header.processing, failed_photos=header.failed)
    return context


ACTIVE_POLL_SECONDS = 2     # while work is queued or running, live parts of pages ask again this often
IDLE_POLL_SECONDS = 10      # and this often when nothing is going on, so a new import still shows


def header_poll_seconds(header: HeaderStatus) -> int:
    return ACTIVE_POLL_SECONDS if header.processing else IDLE_POLL_SECONDS


async def page(request: HTMXRequest, template: str, context: dict[str, Any], *, fragment: str | None = None,
               status_code: int = 200) -> Template:
    if fragment and wants_fragment(request):
        return Template(template_name=fragment, context=context, status_code=status_code,
                        headers={"Vary": "HX-Request"})
    shell = await shell_context(request)
    cookies = [Cookie(key=flash.COOKIE, value="", max_age=0, path="/")] if shell["flash"] else []
    return Template(template_name=template, context={**shell, **context}, status_code=status_code,
                    headers={"Vary": "HX-Request"}, cookies=cookies)
