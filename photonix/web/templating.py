"""Rendering: a whole page (with the shell's context) or, for an HTMX swap, the fragment alone."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import Cookie
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from photonix.db import stepruns
from photonix.web import flash
from photonix.web.plain_http import cookies_dropped_here


def wants_fragment(request: HTMXRequest) -> bool:
    """An HTMX swap gets the fragment alone; a first load, boosted link or history restore gets the page."""
    htmx = request.htmx
    return bool(htmx) and not (htmx.boosted or htmx.history_restore_request)


async def shell_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """What base.html needs: the viewer, a flash message, the processing pill and failure badge."""
    viewer = getattr(request.state, "viewer", None)
    context: dict[str, Any] = {"viewer": viewer, "flash": flash.read_flash(request, request.app.state.secret),
                               "cookies_dropped": cookies_dropped_here(request)}
    if viewer is not None:
        context["processing"] = await stepruns.unfinished_count(viewer.id)
        context["failed_photos"] = await stepruns.failed_photo_count(viewer.id)
    return context


async def page(request: HTMXRequest, template: str, context: dict[str, Any], *, fragment: str | None = None,
               status_code: int = 200) -> Template:
    if fragment and wants_fragment(request):
        return Template(template_name=fragment, context=context, status_code=status_code,
                        headers={"Vary": "HX-Request"})
    shell = await shell_context(request)
    cookies = [Cookie(key=flash.COOKIE, value="", max_age=0, path="/")] if shell["flash"] else []
    return Template(template_name=template, context={**shell, **context}, status_code=status_code,
                    headers={"Vary": "HX-Request"}, cookies=cookies)
