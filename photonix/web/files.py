"""Thumbnail and original routes: permission checked in the query, files served with cache headers."""

from __future__ import annotations

import mimetypes

from litestar import Controller, get
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File

from photonix.db import photos
from photonix.db.accounts import Viewer
from photonix.web.auth import provide_any_viewer
from photonix.web.deps import ViewerDep

# Derivatives are keyed by content hash, so a URL's bytes never change while the photo exists.
PRIVATE_IMMUTABLE = CacheControlHeader(private=True, max_age=31536000, immutable=True)


class FileController(Controller):
    path = "/photos/{photo_id:int}"
    dependencies = {"viewer": Provide(provide_any_viewer)}
    include_in_schema = False

    @get("/thumbnail/{size:str}", cache_control=PRIVATE_IMMUTABLE)
    async def thumbnail(self, viewer: ViewerDep, photo_id: FromPath[int], size: FromPath[str]) -> File:
        return await _serve(viewer, photo_id, "thumbnail", size)

    @get("/original", cache_control=PRIVATE_IMMUTABLE)
    async def original(self, viewer: ViewerDep, photo_id: FromPath[int]) -> File:
        return await _serve(viewer, photo_id, "original", "")


async def _serve(viewer: Viewer, photo_id: int, kind: str, size: str) -> File:
    # The path comes from our own row, never from the URL: nothing the client sends names a file.
    if await photos.visible_photo(viewer.id, photo_id) is None:
        raise NotFoundException("no such photo")
    stored = await photos.file_of(photo_id, kind, size)
    if stored is None or not stored.path.is_file():
        raise NotFoundException("no such file")
    media_type = mimetypes.guess_type(stored.path.name)[0] or "application/octet-stream"
    return File(path=stored.path, media_type=media_type, content_disposition_type="inline",
                filename=stored.path.name)
