"""Browser upload: a plain multipart form (upload.js sends one file per request), a row per file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

import structlog
from arq import ArqRedis
from litestar import Controller, Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.middleware import DefineMiddleware
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from photonix.config import Settings
from photonix.db import accounts
from photonix.db.accounts import Viewer
from photonix.db.photo_reads import tiles_of
from photonix.db.scope import Scope
from photonix.errors import PhotonixError
from photonix.jobs.importer import ingest_upload
from photonix.jobs.pipeline import PIPELINE
from photonix.media.formats import PHOTO_EXTENSIONS, is_photo_path, is_raw_path
from photonix.media.sniff import HEAD_SIZE, content_refusal
from photonix.web.auth import provide_page_viewer
from photonix.web.deps import RedisDep, SettingsDep, ViewerDep
from photonix.web.params import OptionalId, parse_id
from photonix.web.templating import page
from photonix.web.upload_gate import UploadGate

log = structlog.get_logger()

MIB = 1 << 20
MAX_POLLED = 200         # uploads still processing that one poll of the upload page asks about
# For the file picker: image/* misses RAW and, on some systems, HEIC.
ACCEPT = ",".join(f".{ext}" for ext in sorted(PHOTO_EXTENSIONS))


@dataclass(frozen=True, slots=True)
class UploadRow:
    """What became of one file: "uploaded", "known" (same content already in the library) or "failed"."""

    name: str
    outcome: str
    photo_id: int | None = None
    error: str | None = None


def display_name(filename: str) -> str:
    """The file's own name: browsers may send a folder path (dropped folders, old Windows browsers)."""
    return filename.replace("\\", "/").rsplit("/", 1)[-1] or "upload"


def refusal(name: str, size: int, max_upload_mb: int, head: bytes | None = None) -> str | None:
    """Why a file is refused before storing it, as a sentence naming it; None when it may go in. `head`:
    the file's first bytes (media/sniff.py), so that what is no photo is refused whatever its name."""
    if not is_photo_path(name):
        return f"{name}: not a photo type Photonix reads"
    if size == 0:
        return f"{name}: the file is empty"
    if size > max_upload_mb * MIB:
        return f"{name}: {size / MIB:.1f} MB is over the {max_upload_mb} MB upload limit"
    if head is not None:
        found = content_refusal(head, is_raw_name=is_raw_path(name))
        if found is not None:
            return f"{name}: this is not a photo — its content is {found}, whatever its name says"
    return None


def head_of(data: IO[bytes]) -> bytes:
    """The first bytes of an upload's spooled file, left at its start for storing."""
    data.seek(0)
    head = data.read(HEAD_SIZE)
    data.seek(0)
    return head


BODY_SLACK = MIB        # the form's other fields and multipart framing around one file at the limit


def body_limit(settings: Settings) -> int:
    """Request body limit for POST /upload: the per-file limit plus a small slack.

    upload.js sends one file per request, so every file up to the limit gets through, and a file a little
    over it still gets its own sentence; bigger bodies are refused before they are read (413)."""
    return settings.max_upload_mb * MIB + BODY_SLACK


def _size_of(data: IO[bytes]) -> int:
    # Litestar spooled the part to a temporary file; seeking to its end reads nothing.
    data.seek(0, 2)
    size = data.tell()
    data.seek(0)
    return size


def _summary(rows: list[UploadRow]) -> dict[str, int]:
    counts = Counter(row.outcome for row in rows)
    return {"done": len(rows), "total": len(rows), "failed": counts["failed"], "known": counts["known"]}


async def _store(settings: Settings, redis: ArqRedis, library_id: int, upload: UploadFile) -> UploadRow:
    name = display_name(upload.filename)
    reason = refusal(name, _size_of(upload.file), settings.max_upload_mb, head_of(upload.file))
    if reason is not None:
        return UploadRow(name, "failed", error=reason)
    try:
        # The spooled temporary file is copied in chunks by ingest_upload: never read whole into memory.
        photo_id, is_new = await ingest_upload(settings, redis, PIPELINE, library_id, name, upload.file)
    except (OSError, PhotonixError) as exc:
        log.error("upload_failed", library_id=library_id, error=str(exc), error_kind=type(exc).__name__)
        return UploadRow(name, "failed", error=f"{name}: could not be stored on the server — try again")
    return UploadRow(name, "uploaded" if is_new else "known", photo_id=photo_id)


TooLargeHandler = Callable[[Request[Any, Any, Any], RequestEntityTooLarge], Response[Any]]


def too_large_handler(max_upload_mb: int) -> TooLargeHandler:
    """The answer to a body over body_limit(): refused before it is parsed, so no file name is known."""
    sentence = (f"This upload is too big: each file may be up to {max_upload_mb} MB, and one form carries "
                f"at most that much in all — send the files one at a time (the upload page does), "
                "or use photonix import on the server")

    def too_large(request: Request[Any, Any, Any], exc: RequestEntityTooLarge) -> Response[Any]:
        if request.headers.get("hx-request") == "true":    # the fragment upload.js asked for
            return Template("partials/upload_rows.html", status_code=413,
                            context={"rows": [UploadRow("Upload", "failed", error=sentence)]})
        return Template("pages/error.html", status_code=413,
                        context={"title": "That upload is too big", "detail": sentence, "viewer": None})

    return too_large


class UploadController(Controller):
    path = "/upload"
    dependencies = {"viewer": Provide(provide_page_viewer)}
    include_in_schema = False

    @get("/")
    async def form(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                   library: OptionalId = None) -> Template:
        return await page(request, "pages/upload.html", await _context(viewer, settings, library, []))

    @get("/rows")
    async def uploaded_states(self, request: HTMXRequest, viewer: ViewerDep) -> Template:
        """The states of the page's uploads still processing (`pending`, its poll's ids), each swapped in
        out of band: the rows turn into finished photos, or say which step failed. Ids the viewer may not
        see are left out, as if unknown."""
        ids = [photo_id for photo_id in (parse_id(raw) for raw in request.query_params.getall("pending", []))
               if photo_id is not None][:MAX_POLLED]
        tiles = await tiles_of(Scope.user(viewer.id), ids) if ids else []
        return Template("partials/upload_states.html", context={"tiles": tiles},
                        headers={"Cache-Control": "no-store"})

    @post("/")
    async def upload(self, request: HTMXRequest, viewer: ViewerDep, settings: SettingsDep,
                     redis: RedisDep) -> Template:
        # UploadGate has checked the session and the CSRF token before any of the body was read.
        form = await request.form()
        uploads = [value for value in form.getall("files", []) if isinstance(value, UploadFile)]
        try:
            library_id = _library_id(form.get("library"))
            if library_id not in {lib.id for lib in await accounts.libraries_of(viewer.id)}:
                raise NotFoundException("This library isn't here.")
            rows = [await _store(settings, redis, library_id, upload) for upload in uploads]
        finally:
            for upload in uploads:
                await upload.close()
        if not rows:
            rows = [UploadRow("", "failed", error="Choose at least one photo to upload")]
        status = 200 if any(row.outcome != "failed" for row in rows) else 422
        return await page(request, "pages/upload.html", await _context(viewer, settings, library_id, rows),
                          fragment="partials/upload_rows.html", status_code=status)


def _library_id(raw: Any) -> int:
    library_id = parse_id(raw)
    if library_id is None:
        raise NotFoundException("This library isn't here.")
    return library_id


async def _context(viewer: Viewer, settings: Settings, selected: int | None,
                   rows: list[UploadRow]) -> dict[str, Any]:
    libraries = await accounts.libraries_of(viewer.id)
    return {
        "libraries": libraries,
        "selected": selected if selected in {lib.id for lib in libraries} else None,
        "max_upload_mb": settings.max_upload_mb,
        "max_upload_bytes": settings.max_upload_mb * MIB,
        "accept": ACCEPT,
        "extensions": " ".join(sorted(PHOTO_EXTENSIONS)),
        "rows": rows,
        "summary": _summary(rows),
    }


def upload_router(settings: Settings) -> Router:
    """The controller under a router that sets the request body limit to body_limit(settings) for this route
    only (the limit comes from settings, which a decorator argument cannot read), words the 413, and puts
    UploadGate in front of the CSRF middleware so nothing is read before sign-in and token are checked."""
    limit = body_limit(settings)
    return Router(path="/", route_handlers=[UploadController], request_max_body_size=limit,
                  middleware=[DefineMiddleware(UploadGate, body_limit=limit)],
                  exception_handlers={RequestEntityTooLarge: too_large_handler(settings.max_upload_mb)})
