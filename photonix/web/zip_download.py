"""A zip of photos' originals, streamed as it is written: nothing is staged on disk or held whole in memory.

Standard-library zipfile writing to a sink that cannot seek (it then writes sizes in data descriptors),
stored rather than deflated: photos do not shrink, and storing keeps the CPU for the pipeline. No new
dependency: zipstream-ng or stream-zip would do the same, and the standard library is enough.

Each original is opened as the file routes open it (media/contained.py): without following a final
symlink, its real path under its library's folders or the uploads dir, and the bytes come from that very
descriptor. A file that cannot be opened so (moved, or a link leading out) is left out, and
NOT-INCLUDED.txt at the end of the zip names it. Entry names are the files' own names, deduplicated, never
a path."""

from __future__ import annotations

import asyncio
import os
import zipfile
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from photonix.db.selection import OriginalFile
from photonix.errors import PhotonixError
from photonix.media.contained import open_contained

CHUNK_BYTES = 1 << 20
LEFT_OUT = "NOT-INCLUDED.txt"


class _Sink:
    """Where zipfile writes: bytes collected until the stream takes them. No tell/seek on purpose."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def entry_name(path: Path, taken: set[str]) -> str:
    """The file's own name (no folder, no backslash a Windows unzip would read as one), made unique:
    IMG_1.JPG, IMG_1 (2).JPG, ..."""
    name = path.name.replace("\\", "_").lstrip(".") or "photo"
    stem, suffix = PurePosixPath(name).stem, PurePosixPath(name).suffix
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{stem} ({n}){suffix}"
    taken.add(candidate.lower())
    return candidate


def _zip_time(fd: int) -> tuple[int, int, int, int, int, int]:
    stamp = datetime.fromtimestamp(max(os.fstat(fd).st_mtime, 315532800))      # zip dates start in 1980
    return stamp.timetuple()[:6]


def _copy_chunk(source: BinaryIO, target: IO[bytes], left: int) -> int:
    data = source.read(min(CHUNK_BYTES, left))
    target.write(data)
    return len(data)


async def zip_originals(originals: Iterable[OriginalFile]) -> AsyncIterator[bytes]:
    """The zip's bytes, chunk by chunk; every blocking read runs off the event loop."""
    sink = _Sink()
    archive = zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED)
    taken: set[str] = set()
    left_out: list[str] = []
    for original in originals:
        try:
            fd = await asyncio.to_thread(open_contained, original.path, original.roots)
        except PhotonixError:
            left_out.append(f"{original.path.name} (photo {original.photo_id}): missing, moved or a link")
            continue
        with os.fdopen(fd, "rb") as source:
            size = os.fstat(fd).st_size
            info = zipfile.ZipInfo(entry_name(original.path, taken), date_time=_zip_time(fd))
            info.file_size = size           # known in advance: zipfile picks zip64 when it must
            with archive.open(info, mode="w") as target:
                while size > 0 and (copied := await asyncio.to_thread(_copy_chunk, source, target, size)):
                    size -= copied
                    if data := sink.take():
                        yield data
        if data := sink.take():
            yield data
    if left_out:
        archive.writestr(LEFT_OUT, "These photos were not included:\n" + "\n".join(left_out) + "\n")
    archive.close()
    yield sink.take()
