"""POST /photos/selection/{action}: one request acts on a grid selection, only within the viewer's scope.

The form names photos (`ids`, one field each) and, from a month header, whole months (`months=YYYY-MM`,
which the server expands to that month's photos in the list the viewer was looking at: the grid's filter
rides along as hidden `in_<name>` fields, since infinite scroll may not have loaded the month's every
tile). An id outside the scope is never acted on; it is counted, and the answer says so. Nothing in
scope: 404 (as for a guessed photo id); in sight but the role too low for the action: 403.

HTMX gets the toast (and the tiles that leave the grid) as out-of-band swaps; a plain form gets a 303 back
to the grid with the same sentence as a flash."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Response, post
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from photonix.db import albums, selection
from photonix.db.accounts import Viewer
from photonix.db.photo_filter import InvalidFilter, PhotoFilter
from photonix.db.selection import Needs
from photonix.errors import NotAllowed, NotVisible
from photonix.web.auth import provide_page_viewer
from photonix.web.bulk_actions import ACTIONS, BadInput, BulkAction, Done, Selected
from photonix.web.deps import RedisDep, SettingsDep, ViewerDep
from photonix.web.flash import Flash, flash_cookie
from photonix.web.params import parse_id
from photonix.web.photo_query import provide_photo_filter
from photonix.web.templating import page, wants_fragment

MAX_SELECTION = 5000        # ids (after months are expanded) one request may name
ANSWER = "partials/selection_answer.html"


class TooMany(BadInput):
    """More photos than MAX_SELECTION: 413."""


def asked_ids(form: FormMultiDict) -> set[int]:
    raw = form.getall("ids") if "ids" in form else []
    if len(raw) > MAX_SELECTION:
        raise TooMany(f"Select at most {MAX_SELECTION:,} photos at once; this asked for {len(raw):,}.")
    ids = {parse_id(value) for value in raw}
    if None in ids:
        raise BadInput("A selected photo id is not a number.")
    return {photo_id for photo_id in ids if photo_id is not None}


def asked_months(form: FormMultiDict) -> set[str]:
    months = set(form.getall("months")) if "months" in form else set()
    for month in months:
        try:
            selection.month_bounds(month)
        except ValueError:
            raise BadInput(f"“{month[:20]}” is not a month (YYYY-MM).") from None
    return months


def _number(form: FormMultiDict, name: str) -> int | None:
    raw = form.get(name)
    return parse_id(raw) if raw not in (None, "") else None


def _day(form: FormMultiDict, name: str) -> date | None:
    raw = str(form.get(name) or "")
    return date.fromisoformat(raw) if raw else None


LIST_FIELD = "in_"          # the grid's filter fields in the bar, apart from the actions' own ("tag"...)


async def grid_filter(sent: FormMultiDict) -> PhotoFilter:
    """The list the selection was made in (the bar carries the grid's filter as hidden fields, by the
    names web/photo_query.py reads with LIST_FIELD before them), so a month expands to what that grid
    showed; the same rules as the grid's own query parameters."""
    form = FormMultiDict([(key[len(LIST_FIELD):], value) for key, value in sent.multi_items()
                          if key.startswith(LIST_FIELD)])
    try:
        return await provide_photo_filter(
            library=_number(form, "library"), tag=[str(tag) for tag in form.getall("tag")] if "tag" in form
            else None, q=str(form.get("q") or "") or None,
            state_filter=form.get("state") or None,      # PhotoFilter checks the value
            taken_from=_day(form, "from"), taken_to=_day(form, "to"), album=_number(form, "album"),
            favourite=form.get("favourite") == "1", archived=form.get("archived") == "1",
            trashed=form.get("trashed") == "1", rating=_number(form, "rating"),
            camera=str(form.get("camera") or "") or None,
            order="oldest" if form.get("order") == "oldest" else "newest")
    except (ValueError, InvalidFilter) as exc:
        raise BadInput(f"The grid's filter is not one it sends: {exc}") from None


def back_to(form: FormMultiDict) -> str:
    """Where a plain form returns: the grid page it came from, never another site."""
    target = str(form.get("next") or "")
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/photos/"
    return target


async def selection_context(viewer: Viewer) -> dict[str, Any]:
    """What the selection bar (partials/selection_bar.html) needs beside the grid: albums to add to."""
    return {"selection_albums": await albums.editable_albums(viewer.id)}


REFUSALS = {
    Needs.EDIT: "Only members of these photos' library can change them; you see them through an album.",
    Needs.OWN: "Only the library's owners and admins can do that to these photos.",
}


async def in_scope(viewer: Viewer, action: BulkAction, asked: set[int]) -> set[int]:
    """The asked photos the action may change; NotFound when the viewer sees none, 403 when they see some
    but may change none of them as the action needs."""
    allowed = await selection.permitted_ids(viewer, asked, action.needs)
    if allowed:
        return allowed
    if action.needs is not Needs.SEE and await selection.permitted_ids(viewer, asked, Needs.SEE):
        raise NotAllowed(REFUSALS[action.needs])
    raise NotFoundException("None of these photos are here.")


class SelectionController(Controller):
    path = "/photos/selection"
    dependencies = {"viewer": Provide(provide_page_viewer)}
    include_in_schema = False

    @post("/{action:str}", status_code=200)
    async def act(self, request: HTMXRequest, viewer: ViewerDep, redis: RedisDep, settings: SettingsDep,
                  action: FromPath[str]) -> Response[Any]:
        bulk = ACTIONS.get(action)
        if bulk is None:
            raise NotFoundException(f"There is no action “{action[:40]}” for a selection.")
        form = await request.form()
        try:
            asked = asked_ids(form)
            months = asked_months(form)
            argument = bulk.parse({key: str(value) for key, value in form.items()})
            narrowed = await grid_filter(form)
            if months:
                asked |= await selection.month_ids(viewer, months, narrowed, limit=MAX_SELECTION)
            if len(asked) > MAX_SELECTION:
                raise TooMany(f"Select at most {MAX_SELECTION:,} photos at once; these months hold more.")
            if not asked:
                raise BadInput("Select at least one photo.")
            allowed = await in_scope(viewer, bulk, asked)
        except TooMany as exc:
            return await _failed(request, 413, str(exc))
        except BadInput as exc:
            return await _failed(request, 422, str(exc))
        except NotAllowed as exc:
            return await _failed(request, 403, str(exc))
        except NotFoundException as exc:
            return await _failed(request, 404, str(exc.detail))
        selected = Selected(viewer, frozenset(allowed), len(asked - allowed), redis, settings, narrowed)
        try:
            outcome = await bulk.run(selected, argument)
        except BadInput as exc:
            return await _failed(request, 422, str(exc))
        except NotVisible as exc:                   # e.g. an album that is not the viewer's
            return await _failed(request, 404, str(exc))
        except NotAllowed as exc:
            return await _failed(request, 403, str(exc))
        if not isinstance(outcome, Done):
            return outcome                          # a download streams its zip
        said = Flash("ok", outcome.text)
        if wants_fragment(request):
            return Template(ANSWER, context={"toast": said, "done": outcome})
        return Redirect(back_to(form), status_code=303, cookies=[
            flash_cookie(request.app.state.secret, said, secure=settings.secure_cookies)])


TITLES = {403: "You can't change these photos", 404: "These photos aren't here",
          413: "Too many photos at once", 422: "That can't be done"}


async def _failed(request: HTMXRequest, status: int, text: str) -> Response[Any]:
    """The sentence, with the status it deserves: a toast for HTMX (selection.js swaps it), a page
    otherwise (a bad form answers 4xx with its message on the page, never a redirect)."""
    if wants_fragment(request):
        return Template(ANSWER, status_code=status, context={"toast": Flash("error", text), "done": None})
    return await page(request, "pages/error.html", status_code=status,
                      context={"title": TITLES[status], "detail": text, "problems": []})
