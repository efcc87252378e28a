"""The content hash that identifies a photo file: SHA-256 of its bytes, streamed."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import BinaryIO

from photonix.errors import UndecodableImage
from photonix.media.contained import FileRoots, contained_file
from photonix.media.failures import file_errors

CHUNK_BYTES = 1024 * 1024


def content_hash(path: Path) -> str:
    """The lower-case hex SHA-256 of the file at path (one of our own, e.g. an upload), streamed."""
    try:
        with file_errors(path), path.open("rb") as f:
            return _digest(f)
    except OSError as exc:                      # a directory, no permission: not a readable file
        raise UndecodableImage(f"{path.name}: cannot read the file ({exc.strerror or exc})") from exc


def contained_hash(path: Path, roots: FileRoots) -> tuple[int, str]:
    """(size, SHA-256) of a library file, read from the descriptor open_contained checked: a link swapped
    in after the import's own check is refused, never hashed."""
    with contained_file(path, roots) as source, file_errors(path), source.open() as f:
        return os.fstat(source.fd).st_size, _digest(f)


def _digest(f: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := f.read(CHUNK_BYTES):
        digest.update(chunk)
    return digest.hexdigest()
