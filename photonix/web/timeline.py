"""A photo's processing timeline: every try of every step and version, on the photo page and on its own.

It follows the photo's permission: members of the photo's library see it, anyone else gets 404. While a
step is unfinished the fragment reloads itself, slower while nothing changes (2 s up to 30 s)."""

from __future__ import annotations

import zlib
from typing import Any

from litestar import Controller, get
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from photonix.db import photo_timeline, roles
from photonix.db.accounts import Viewer
from photonix.db.photo_reads import photo_detail
from photonix.db.scope import Scope
from photonix.db.step_states import FINAL_STATES
from photonix.jobs.pipeline import PIPELINE
from photonix.web.auth import provide_page_viewer
from photonix.web.deps import SettingsDep, ViewerDep
from photonix.web.params import Id
from photonix.web.step_summary import first_failure, processing_summary
from photonix.web.templating import page, wants_fragment

FIRST_POLL_S = 2
LAST_POLL_S = 30


def _signature(timeline: photo_timeline.PhotoTimeline) -> str:
    """Changes whenever a run changes state or takes another try."""
    shape = repr([(run.run_id, run.state, len(run.tries)) for run in timeline.runs])
    return f"{zlib.crc32(shape.encode()):08x}"


def _poll(photo_id: int, timeline: photo_timeline.PhotoTimeline, wait: int | None,
          seen: str | None) -> dict[str, Any] | None:
    """Where and when the fragment reloads itself; None once every step is final."""
    if all(run.state in FINAL_STATES for run in timeline.latest):
        return None
    signature = _signature(timeline)
    seconds = FIRST_POLL_S if wait is None or seen != signature else min(LAST_POLL_S, wait * 2)
    return {"url": f"/photos/{photo_id}/timeline?wait={seconds}&seen={signature}", "seconds": seconds}


async def timeline_context(viewer: Viewer, photo_id: int, *, wait: int | None = None,
                           seen: str | None = None) -> dict[str, Any]:
    """What partials/photo_timeline.html needs; `steps` is the latest run of each step, in pipeline order
    (the photo page's "Processing · 7/8 ok", or "1 failed, 3 not run, 4 ok" and the failed step)."""
    timeline = await photo_timeline.photo_timeline(photo_id, PIPELINE.step_names(),
                                                with_tracebacks=viewer.is_admin)
    order = {name: index for index, name in enumerate(PIPELINE.step_names())}
    steps = sorted(timeline.latest, key=lambda run: order.get(run.step, len(order)))
    return {
        "timeline": timeline,
        "steps": steps,
        "processing_summary": processing_summary(steps),
        "first_failure": first_failure(steps),
        "poll": _poll(photo_id, timeline, wait, seen),
        "can_reprocess": (await roles.photo_role(viewer, photo_id) or 0) >= roles.Role.OWNER,
    }


class TimelineController(Controller):
    path = "/photos"
    dependencies = {"viewer": Provide(provide_page_viewer)}
    include_in_schema = False

    @get("/{photo_id:int}/timeline")
    async def timeline(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                       photo_id: Id) -> Template:
        scope = Scope.user(viewer.id)
        detail = await photo_detail(scope, photo_id, settings)
        if detail is None or not detail.can_edit:       # its library's members; album viewers only look
            raise NotFoundException("This photo isn't here.")
        params = request.query_params
        wait = params.get("wait")
        context = await timeline_context(viewer, photo_id, seen=params.get("seen"),
                                         wait=int(wait) if wait and wait.isdigit() else None)
        context |= {"photo": detail, "file_name": detail.file_name, "summary_oob": wants_fragment(request)}
        return await page(request, "pages/photo_timeline.html", context,
                          fragment="partials/photo_timeline.html")
