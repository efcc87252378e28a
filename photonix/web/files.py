"""Thumbnail and original routes: permission checked in the query, files served with cache headers.

A file is served only from a descriptor opened without following a final symlink whose real path lies
where that kind of file belongs (media/contained.py); the bytes come from that descriptor, never from
the path opened again, so a link swapped in for an imported file answers 404."""

from __future__ import annotations

import asyncio
import mimetypes
import os
from collections.abc import AsyncIterator
from typing import BinaryIO
from urllib.parse import quote

from litestar import Controller, get
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Stream

from photonix.config import Settings
from photonix.db.accounts import Viewer
from photonix.db.photo_reads import permitted_file
from photonix.db.photo_values import ORIGINAL, THUMBNAIL, PermittedFile, PhotoDetail
from photonix.db.scope import Scope
from photonix.errors import PhotonixError
from photonix.media.contained import MISSING, open_contained
from photonix.web.auth import provide_any_viewer
from photonix.web.deps import SettingsDep, ViewerDep
from photonix.web.params import Id

# Derivatives are keyed by content hash, so a URL's bytes never change while the photo exists.
PRIVATE_IMMUTABLE = CacheControlHeader(private=True, max_age=31536000, immutable=True)
CHUNK_BYTES = 1 << 20


class FileController(Controller):
    path = "/photos/{photo_id:int}"
    dependencies = {"viewer": Provide(provide_any_viewer)}
    include_in_schema = False

    @get("/thumbnail/{size:str}", cache_control=PRIVATE_IMMUTABLE)
    async def thumbnail(self, viewer: ViewerDep, settings: SettingsDep, photo_id: Id,
                        size: FromPath[str]) -> Stream:
        return await _serve(viewer, settings, photo_id, THUMBNAIL, size)

    @get("/original", cache_control=PRIVATE_IMMUTABLE)
    async def original(self, viewer: ViewerDep, settings: SettingsDep, photo_id: Id) -> Stream:
        return await _serve(viewer, settings, photo_id, ORIGINAL, "")


async def original_problem(detail: PhotoDetail) -> str | None:
    """None when the photo's original can be served; else the sentence the page and the API show."""
    try:
        fd = await asyncio.to_thread(open_contained, detail.original.path, detail.original.roots)
    except PhotonixError:
        return MISSING
    os.close(fd)
    return None


async def _serve(viewer: Viewer, settings: Settings, photo_id: int, kind: str, size: str) -> Stream:
    # The path comes from our own row, never from the URL: nothing the client sends names a file. Photo,
    # permission and file are one query (db/photo_reads.py permitted_file).
    return await file_response(await permitted_file(Scope.user(viewer.id), photo_id, kind, size, settings))


async def file_response(permitted: PermittedFile | None) -> Stream:
    """The file's bytes with its type and name, opened only where it may lie; 404 for None (not visible,
    or no such file) and for a file that is gone or lies elsewhere. Share pages serve their images with
    this too, from `permitted_file(Scope.share(link_id), ...)`."""
    if permitted is None:
        raise NotFoundException("no such file")
    kind = permitted.kind
    try:
        fd = await asyncio.to_thread(open_contained, permitted.path, permitted.roots)
    except PhotonixError:
        raise NotFoundException(MISSING if kind == ORIGINAL else "no such file") from None
    # A file object owns the descriptor from here: closed when the body is sent, or when it is collected.
    opened = os.fdopen(fd, "rb")
    size_bytes = os.fstat(fd).st_size
    name = permitted.name
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Stream(_chunks(opened, size_bytes), media_type=media_type,
                  headers={"content-length": str(size_bytes), "content-disposition": _inline(name)})


async def _chunks(opened: BinaryIO, size: int) -> AsyncIterator[bytes]:
    """The file's bytes, never more than the Content-Length that was promised (a file may grow meanwhile)."""
    with opened:
        while size > 0 and (chunk := await asyncio.to_thread(opened.read, min(CHUNK_BYTES, size))):
            size -= len(chunk)
            yield chunk


def _inline(name: str) -> str:
    quoted = quote(name)
    return f'inline; filename="{name}"' if quoted == name else f"inline; filename*=utf-8''{quoted}"
