"""The content hash that identifies a photo file: SHA-256 of its bytes, streamed."""

from __future__ import annotations

import hashlib
from pathlib import Path

from photonix.errors import UndecodableImage
from photonix.media.failures import file_errors

CHUNK_BYTES = 1024 * 1024


def content_hash(path: Path) -> str:
    """The lower-case hex SHA-256 of the file at path, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK_BYTES)
    view = memoryview(buffer)
    try:
        with file_errors(path), path.open("rb") as f:
            while count := f.readinto(buffer):
                digest.update(view[:count])
    except OSError as exc:                      # a directory, no permission: not a readable file
        raise UndecodableImage(f"{path.name}: cannot read the file ({exc.strerror or exc})") from exc
    return digest.hexdigest()
