"""Translate OS and decoder exceptions (Pillow and its plugins, tifffile) into our error types, naming the
file.

Every sentence starts with the file's name and never carries its directory: members read these texts.
"""

from __future__ import annotations

import errno
import re
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from photonix.errors import (
    DecompressionBomb,
    MissingFile,
    PhotonixError,
    StorageUnavailable,
    TooLargeToDecode,
    UndecodableImage,
)
from photonix.media.photofile import PhotoFile

# The disk, not the file: a retry later may well succeed.
STORAGE_ERRNOS: frozenset[int] = frozenset(
    getattr(errno, name)
    for name in (
        "EIO", "ESTALE", "ETIMEDOUT", "ENOTCONN", "EHOSTDOWN", "EHOSTUNREACH", "ENETDOWN",
        "ENETUNREACH", "ENETRESET", "ECONNRESET", "ECONNABORTED", "ENOLINK", "EREMOTEIO",
        "ENOMEDIUM", "EAGAIN", "EBUSY", "ENOSPC", "EDQUOT", "EROFS",
    )
    if hasattr(errno, name)
)

# What decoders raise on damaged input, besides OSError: Pillow's plugins (SyntaxError on a bad header,
# struct.error, EOFError, ...), the AVIF and HEIF plugins (RuntimeError: "Failed to decode frame 0",
# "Missing or empty image item"), tifffile (TiffFileError is a ValueError), numpy on bad shapes.
DECODER_ERRORS: tuple[type[Exception], ...] = (
    ValueError, SyntaxError, EOFError, struct.error, IndexError, KeyError, TypeError, ArithmeticError,
    RuntimeError,
)


MAX_REASON = 200        # a decoder may quote the bytes it choked on; the dashboard needs a sentence


def is_storage_error(exc: OSError) -> bool:
    """Whether an OSError is the storage failing (worth a retry) rather than the file itself."""
    return exc.errno in STORAGE_ERRNOS


def storage_unavailable(path: Path, exc: OSError) -> StorageUnavailable:
    """The transient error for an I/O failure on path."""
    return StorageUnavailable(f"{path.name}: storage unavailable ({exc.strerror or exc})")


@contextmanager
def file_errors(path: Path) -> Iterator[None]:
    """Turn a missing file into MissingFile and a failing disk into StorageUnavailable."""
    try:
        yield
    except FileNotFoundError as exc:
        raise MissingFile(f"{path.name}: file not found") from exc
    except OSError as exc:
        if is_storage_error(exc):
            raise storage_unavailable(path, exc) from exc
        raise


@contextmanager
def pillow_errors(source: PhotoFile) -> Iterator[None]:
    """Translate what Pillow, its plugins (HEIF, AVIF) or tifffile raise while opening or decoding source."""
    path = source.path
    try:
        with file_errors(path):
            yield
    except PhotonixError:
        raise
    except Image.DecompressionBombError as exc:
        raise DecompressionBomb(f"{path.name}: {reason(exc, path)}") from exc
    except UnidentifiedImageError as exc:
        raise UndecodableImage(f"{path.name}: {unidentified_reason(source)}") from exc
    except MemoryError as exc:
        raise TooLargeToDecode(f"{path.name}: ran out of memory decoding it") from exc
    except OSError as exc:
        raise UndecodableImage(f"{path.name}: {reason(exc, path)}") from exc
    except DECODER_ERRORS as exc:
        raise UndecodableImage(f"{path.name}: {reason(exc, path)}") from exc


def reason(exc: BaseException, path: Path) -> str:
    """The decoder's own message, without the file's directory; its type's name when it has none."""
    text = (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)).strip()
    for spelling in {str(path), str(path.absolute())}:
        text = text.replace(spelling, path.name)
    if not text:
        return f"the decoder failed ({type(exc).__name__})"
    return text if len(text) <= MAX_REASON else text[:MAX_REASON - 1] + "…"


def unidentified_reason(source: PhotoFile) -> str:
    """Why Pillow could not identify source, without repeating its full path."""
    try:
        is_empty = source.stat().st_size == 0
    except OSError:
        is_empty = False
    return "the file is empty (0 bytes)" if is_empty else "not an image format we can read"


def check_pixel_limit(im: Image.Image, path: Path) -> None:
    """Refuse images above Image.MAX_IMAGE_PIXELS (Pillow itself only warns below twice that)."""
    limit = Image.MAX_IMAGE_PIXELS
    if limit is not None and im.width * im.height > limit:
        raise DecompressionBomb(
            f"{path.name}: {im.width}x{im.height} is {im.width * im.height} pixels, over the limit of {limit}"
        )


# An absolute path, quoted (as OSError's str() and repr() quote it) or bare.
_QUOTED_PATH = re.compile(r"""(['"])/(?:[^'"\n]*/)?([^'"/\n]*)\1""")
_BARE_PATH = re.compile(r"""(?<![\w.:/~-])/(?:[^\s'"/:,;()<>]+/)+([^\s'"/:,;()<>]*)""")


def without_directories(text: str) -> str:
    """Text fit for members: every absolute path in it shortened to its file name (error texts come
    from our code, libraries and the OS; the folder a library lives in is the admin's business)."""
    return _BARE_PATH.sub(r"\1", _QUOTED_PATH.sub(r"\1\2\1", text))


MAX_GROUP_REASON = 300   # failures group by this text, and an index holds it (PostgreSQL caps btree rows)

# An error sentence opens with the file's name (see above), perhaps after "gave up after N tries: ".
_NAMED_FILE = re.compile(
    r"^(?P<lead>gave up after \d+ tries: )?(?P<name>[^:\n]{1,255}?\.[A-Za-z0-9]{1,10}): ")
_CONTENT_HASH = re.compile(r"\b[0-9a-f]{16,}\b")     # derivative names (thumbnails) carry the content hash


def failure_reason(error: str) -> str:
    """The error without the file it is about, so that many photos failing for one cause share one text:
    "IMG_1.JPG: not an image format we can read" -> "not an image format we can read"."""
    text = error
    named = _NAMED_FILE.match(text)
    if named:
        text = (named["lead"] or "") + text[named.end():].replace(named["name"], "the file")
    text = _CONTENT_HASH.sub("…", text).strip()
    return text if len(text) <= MAX_GROUP_REASON else text[:MAX_GROUP_REASON - 1] + "…"
