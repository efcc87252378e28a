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

from litestar import Response
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotFoundException
from litestar.response import Stream

from photonix.db.photo_values import PermittedFile
from photonix.errors import PhotonixError
from photonix.media.contained import open_contained

CHUNK_BYTES = 1 << 20
SMALL_BYTES = 4 << 20           # thumbnails and display sizes: read whole, in the same thread hop as the open
# A share's files are public while the link lives, but a revoked link must stop them: no shared caches,
# and a browser keeps them an hour at most.
SHARE_CACHE = CacheControlHeader(private=True, max_age=3600)


def download_name(photo_id: int, path_name: str) -> str:
    return f"photo-{photo_id}{os.path.splitext(path_name)[1].lower()}"


async def _open(stored: PermittedFile) -> BinaryIO:
    try:
        fd = await asyncio.to_thread(open_contained, stored.path, stored.roots)
    except PhotonixError:
        raise NotFoundException("This file isn't here.") from None
    return os.fdopen(fd, "rb")


def _open_and_read_small(stored: PermittedFile) -> tuple[BinaryIO, int, bytes | None]:
    """Open (checked), size and, for a file up to SMALL_BYTES, read it: one thread hop for a thumbnail."""
    opened = os.fdopen(open_contained(stored.path, stored.roots), "rb")
    size = os.fstat(opened.fileno()).st_size
    if size > SMALL_BYTES:
        return opened, size, None
    with opened:
        return opened, size, opened.read(size)


async def serve_file(stored: PermittedFile, name: str, *, attachment: bool) -> Response[bytes] | Stream:
    """The file as one body when small (thumbnails), else streamed in chunks."""
    try:
        opened, size, body = await asyncio.to_thread(_open_and_read_small, stored)
    except PhotonixError:
        raise NotFoundException("This file isn't here.") from None
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    headers = {"content-disposition": f'{"attachment" if attachment else "inline"}; filename="{name}"'}
    if body is not None:
        return Response(body, media_type=media_type, headers=headers)
    return Stream(_chunks(opened, size), media_type=media_type,
                  headers={**headers, "content-length": str(size)})


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


def stream_zip(files: list[PermittedFile], name: str) -> Stream:
    return Stream(_zip_chunks(files), media_type="application/zip",
                  headers={"content-disposition": f'attachment; filename="{name}"'})


async def _zip_chunks(files: list[PermittedFile]) -> AsyncIterator[bytes]:
    sink = _Sink()
    archive = zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED)
    for stored in files:
        try:
            opened = await _open(stored)
        except NotFoundException:
            continue                        # a file gone meanwhile is left out, not the whole zip
        entry_name = download_name(stored.photo_id, stored.path.name)
        with opened, archive.open(entry_name, "w", force_zip64=True) as entry:
            while chunk := await asyncio.to_thread(opened.read, CHUNK_BYTES):
                entry.write(chunk)
                yield sink.take()
        yield sink.take()
    archive.close()
    yield sink.take()
