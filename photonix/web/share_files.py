"""The files behind a share link: one photo's thumbnail or download, and a zip of all its photos.

Files are opened only as web/files.py does: the descriptor is opened without following a final symlink
and its real path checked under the roots for its kind (media/contained.py); the bytes come from that
descriptor. Names given to a stranger are neutral (`photo-<id>.jpg`): never a path or the original's name.
The zip is streamed (stored, not deflated: JPEG does not shrink), one file at a time, without a temp file."""

from __future__ import annotations

import asyncio
import mimetypes
import os
import zipfile
from collections.abc import AsyncIterator
from typing import BinaryIO

from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotFoundException
from litestar.response import Stream

from photonix.config import Settings
from photonix.db import photos
from photonix.db.share_photos import SharedFile
from photonix.errors import PhotonixError
from photonix.media.contained import open_contained

CHUNK_BYTES = 1 << 20
# A share's files are public while the link lives, but a revoked link must stop them: no shared caches,
# and a browser keeps them an hour at most.
SHARE_CACHE = CacheControlHeader(private=True, max_age=3600)


def download_name(photo_id: int, path_name: str) -> str:
    return f"photo-{photo_id}{os.path.splitext(path_name)[1].lower()}"


async def _open(settings: Settings, stored: SharedFile, kind: str) -> BinaryIO:
    roots = await photos.file_roots(stored.library_id, kind, settings)
    try:
        fd = await asyncio.to_thread(open_contained, stored.path, roots)
    except PhotonixError:
        raise NotFoundException("This file isn't here.") from None
    return os.fdopen(fd, "rb")


async def stream_file(settings: Settings, stored: SharedFile, kind: str, name: str, *,
                      attachment: bool) -> Stream:
    opened = await _open(settings, stored, kind)
    size = os.fstat(opened.fileno()).st_size
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    disposition = f'{"attachment" if attachment else "inline"}; filename="{name}"'
    return Stream(_chunks(opened, size), media_type=media_type,
                  headers={"content-length": str(size), "content-disposition": disposition})


async def _chunks(opened: BinaryIO, size: int) -> AsyncIterator[bytes]:
    """The file's bytes, never more than the Content-Length promised (a file may grow meanwhile)."""
    with opened:
        while size > 0 and (chunk := await asyncio.to_thread(opened.read, min(CHUNK_BYTES, size))):
            size -= len(chunk)
            yield chunk


class _Sink:
    """A write-only file for ZipFile: what it is given waits in `parts` until the stream takes it."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.written = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.written += len(data)
        return len(data)

    def tell(self) -> int:
        return self.written

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


async def stream_zip(settings: Settings, files: list[tuple[int, SharedFile]], kind: str,
                     name: str) -> Stream:
    return Stream(_zip_chunks(settings, files, kind), media_type="application/zip",
                  headers={"content-disposition": f'attachment; filename="{name}"'})


async def _zip_chunks(settings: Settings, files: list[tuple[int, SharedFile]],
                      kind: str) -> AsyncIterator[bytes]:
    sink = _Sink()
    archive = zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED)
    for photo_id, stored in files:
        try:
            opened = await _open(settings, stored, kind)
        except NotFoundException:
            continue                        # a file gone meanwhile is left out, not the whole zip
        with opened, archive.open(download_name(photo_id, stored.path.name), "w", force_zip64=True) as entry:
            while chunk := await asyncio.to_thread(opened.read, CHUNK_BYTES):
                entry.write(chunk)
                yield sink.take()
        yield sink.take()
    archive.close()
    yield sink.take()
