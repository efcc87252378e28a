"""The job dashboard's Overview (/jobs/, admins) and the header's status (/status/header, everyone).

Both render the one JobsStatus (jobs/status.py); the overview's is shared by all its pollers
(jobs/shared_status.py). The page and its live fragment share a URL: a first
load gets the page, the fragment's own polling (an HTMX request) gets the fragment alone. The server
picks the next poll interval: fast while work is queued or running, slow when idle."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.di import Provide
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from litestar.types import Message, Scope

from photonix.db.photo_reads import thumbnailed
from photonix.db.scope import Scope as PhotoScope
from photonix.db.step_states import StepState
from photonix.jobs.heartbeat import WorkerBeat
from photonix.jobs.shared_status import SharedStatus
from photonix.jobs.status import JobsStatus, elapsed_words, eta_words, header_status
from photonix.web.auth import provide_page_viewer, requires_admin
from photonix.web.deps import RedisDep, ViewerDep
from photonix.web.templating import ACTIVE_POLL_SECONDS, IDLE_POLL_SECONDS, header_poll_seconds, page

SPARK_WIDTH, SPARK_HEIGHT = 120, 24


def sparkline_path(per_minute: tuple[int, ...]) -> str:
    """An SVG path's `d` drawing one bar per minute, scaled to the busiest minute; an idle minute keeps a
    1 px stub so the time axis reads. One attribute instead of an element per bar keeps the polled
    fragment cheap to render."""
    if not per_minute:
        return ""
    peak = max(per_minute) or 1
    slot = SPARK_WIDTH / len(per_minute)
    bars = []
    for index, count in enumerate(per_minute):
        height = max(1.0, count / peak * SPARK_HEIGHT)
        bars.append(f"M{index * slot + 0.5:.1f},{SPARK_HEIGHT}v-{height:.1f}h{slot - 1:.1f}v{height:.1f}z")
    return "".join(bars)


def duration_words(ms: int | None) -> str:
    if ms is None:
        return "—"
    return f"{ms:,} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def overview_context(status: JobsStatus, thumbnailed: set[int]) -> dict[str, Any]:
    """The overview's template context; `thumbnailed`: running photos whose square thumbnail exists."""
    return {
        "thumbnailed": thumbnailed,
        "jobs_tab": "overview", "status": status, "states": list(StepState),
        "poll_seconds": ACTIVE_POLL_SECONDS if status.is_active else IDLE_POLL_SECONDS,
        "sparklines": {step: sparkline_path(timing.per_minute) for step, timing in status.timing.items()},
        "spark": {"width": SPARK_WIDTH, "height": SPARK_HEIGHT},
        "notices": status.notices, "eta_words": eta_words, "duration_words": duration_words,
        "ago": elapsed_words, "rss_mb": rss_mb,
    }


def rss_mb(beat: WorkerBeat) -> str:
    return f"{beat.rss_bytes / 1024 / 1024:,.0f} MB"


class JobsOverviewController(Controller):
    """/jobs/: Steps, Workers and notices, live."""

    path = "/jobs"
    dependencies = {"viewer": Provide(provide_page_viewer)}
    guards = [requires_admin]
    include_in_schema = False

    @get("/")
    async def overview(self, request: HTMXRequest, viewer: ViewerDep, redis: RedisDep) -> Template:
        shared: SharedStatus = request.app.state.shared_status
        status = await shared.read(redis)
        running = {job.photo_id for beat in status.workers for job in beat.running}
        context = overview_context(status, await thumbnailed(PhotoScope.user(viewer.id), running))
        return await page(request, "pages/jobs_overview.html", context,
                          fragment="partials/jobs_overview.html")


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def forget_status_after_changes(message: Message, scope: Scope) -> None:
    """A request that may have changed the work (a pause, a retry: any POST) makes the next poll read the
    status afresh. A before_send hook: it runs as the response starts, before the browser can poll again."""
    if message["type"] == "http.response.start" and scope.get("method") not in SAFE_METHODS:
        shared: SharedStatus | None = getattr(scope["litestar_app"].state, "shared_status", None)
        if shared is not None:
            shared.forget()


PHOTOS_CHANGED = "photos-changed"      # the HTMX event a grid refreshes on (static/js/grid_live.js)


@get("/status/header", dependencies={"viewer": Provide(provide_page_viewer)}, include_in_schema=False)
async def header_status_fragment(viewer: ViewerDep, redis: RedisDep, seen: FromQuery[str] = "") -> Template:
    """The header's status, and the side navigation's failed count out of band: what the header's
    polling swaps in. When the counts moved since the ones the page shows (`seen`), the answer also
    triggers "photos-changed": photos finished or arrived, and a grid on the page can show them."""
    header = await header_status(None if viewer.is_admin else viewer.id, redis)
    headers = {"Cache-Control": "no-store"}
    if seen and seen != f"{header.processing}:{header.failed}":
        headers["HX-Trigger"] = PHOTOS_CHANGED
    return Template(template_name="partials/header_poll.html",
                    context={"viewer": viewer, "header": header, "header_poll": header_poll_seconds(header),
                             "failed_photos": header.failed},
                    headers=headers)
