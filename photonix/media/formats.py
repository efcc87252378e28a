"""Which file extensions Photonix treats as photos, and which of those are camera RAW."""

from __future__ import annotations

from pathlib import PurePath

RAW_EXTENSIONS: frozenset[str] = frozenset(
    {
        "dng", "cr2", "cr3", "crw", "nef", "nrw", "arw", "srf", "sr2", "raf", "rw2", "orf", "pef",
        "srw", "raw", "rwl", "3fr", "erf", "kdc", "mos", "mrw", "x3f", "iiq",
    }
)

PHOTO_EXTENSIONS: frozenset[str] = frozenset(
    {
        "jpg", "jpeg", "jpe", "jfif", "png", "gif", "webp", "tif", "tiff", "heic", "heif", "hif",
        "avif", "mpo", "bmp",
    }
) | RAW_EXTENSIONS


def extension_of(path: PurePath | str) -> str:
    """The lower-case extension without its dot ("" when there is none)."""
    return PurePath(path).suffix.lower().removeprefix(".")


def is_photo_path(path: PurePath | str) -> bool:
    """Whether the name says photo; decoding still sniffs the content, so a PNG named .jpg works."""
    return extension_of(path) in PHOTO_EXTENSIONS


def is_raw_path(path: PurePath | str) -> bool:
    """Whether the name says camera RAW (developed with rawpy rather than opened with Pillow)."""
    return extension_of(path) in RAW_EXTENSIONS
