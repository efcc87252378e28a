"""The grid's import progress: while a library scan or the pipeline's work is under way, a line above the
grid (and, on an empty grid, in place of "No photos yet") says how far it has come — photos found,
processed and failed — and asks again every 2 s until the work is done.

A grid with photos pays nothing for it: the line is loaded by its own request, and only while the header
counts photos in processing; an empty grid renders it in place (templates/pages/photos.html)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from arq import ArqRedis
from litestar import Controller, get
from litestar.di import Provide
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from redis.exceptions import RedisError

from photonix.db import accounts, step_tally
from photonix.db.accounts import LibraryInfo
from photonix.db.photo_reads import photo_count
from photonix.db.scope import Scope
from photonix.jobs.scan import latest_scan_state
from photonix.web.auth import provide_page_viewer
from photonix.web.deps import RedisDep, ViewerDep

PARTIAL = "partials/import_progress.html"


@dataclass(frozen=True, slots=True)
class ImportProgress:
    """How far the viewer's imports have come."""

    folders: tuple[str, ...]        # the folders of the libraries being scanned
    scan: str | None                # the furthest-behind scan: queued | running | done | None
    found: int                      # photos in the viewer's libraries (the grid's count)
    processing: int                 # of those, with pipeline work still to do
    failed: int                     # with a failed step

    @property
    def processed(self) -> int:
        """Photos whose work is over without a failure."""
        return max(0, self.found - self.processing - self.failed)

    @property
    def under_way(self) -> bool:
        return self.scan in ("queued", "running") or self.processing > 0


async def import_progress(viewer_id: int, redis: ArqRedis,
                          libraries: Sequence[LibraryInfo] | None = None) -> ImportProgress:
    """`libraries`: the viewer's, when the caller has read them already."""
    if libraries is None:
        libraries = await accounts.libraries_of(viewer_id)
    libraries = [library for library in libraries if library.folders]
    try:
        states = [await latest_scan_state(redis, library.id) for library in libraries]
    except (RedisError, OSError):       # Redis away: the header says so; the counts below still hold
        states = [None for _ in libraries]
    scan = next((state for state in ("queued", "running", "done") if state in states), None)
    scanned = [str(folder) for library, state in zip(libraries, states, strict=True) if state
               for folder in library.folders]
    processing, failed = await step_tally.photo_totals(viewer_id)
    return ImportProgress(tuple(scanned), scan, await photo_count(Scope.user(viewer_id)), processing, failed)


class ImportProgressController(Controller):
    path = "/photos/import-progress"
    dependencies = {"viewer": Provide(provide_page_viewer)}
    include_in_schema = False

    @get("/")
    async def progress(self, request: HTMXRequest, viewer: ViewerDep, redis: RedisDep,
                       empty: FromQuery[bool] = False) -> Template:
        """The line, polling while work is under way. Asked from an empty grid (`empty`): once photos are
        found the whole page comes back with them (HX-Refresh)."""
        progress = await import_progress(viewer.id, redis)
        headers = {"HX-Refresh": "true"} if empty and progress.found and request.htmx else {}
        return Template(PARTIAL, context={"progress": progress, "empty": empty}, headers=headers)
