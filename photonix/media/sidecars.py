"""XMP sidecars beside an original (IMG_1.CR2.xmp or IMG_1.xmp), as darktable, Lightroom and digiKam write.

A sidecar is never a photo itself. Its values override the ones embedded in the original, and a change
to it means its photos' metadata must be read again."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from photonix.errors import OutsideLibrary
from photonix.media.contained import real_path_of_fd
from photonix.media.formats import is_photo_path
from photonix.media.xmp import MAX_PACKET_BYTES, XmpValues, parse_xmp

SIDECAR_EXTENSION = "xmp"


def is_sidecar_path(path: Path | str) -> bool:
    """Whether the name says XMP sidecar."""
    return Path(path).suffix.lower() == f".{SIDECAR_EXTENSION}"


def sidecar_candidates(original: Path) -> list[Path]:
    """Where a sidecar of this original may be, most specific first: IMG_1.CR2.xmp, then IMG_1.xmp."""
    names = [original.name + ".xmp", original.name + ".XMP", original.stem + ".xmp", original.stem + ".XMP"]
    return [original.with_name(name) for name in dict.fromkeys(names)]


def sidecar_of(original: Path) -> Path | None:
    """The sidecar beside this original, if there is one."""
    return next((path for path in sidecar_candidates(original) if path.is_file()), None)


def originals_of(sidecar: Path, siblings: Iterable[Path] | None = None) -> list[Path]:
    """The photos a sidecar belongs to: IMG_1.CR2 for IMG_1.CR2.xmp; every IMG_1.* photo for IMG_1.xmp.

    `siblings` are the files of its folder when the caller has listed them already."""
    inner = Path(sidecar.stem)
    if is_photo_path(inner):
        named = sidecar.with_name(inner.name)
        is_present = named in set(siblings) if siblings is not None else named.is_file()
        return [named] if is_present else []
    files = siblings if siblings is not None else sidecar.parent.iterdir()
    stem = inner.name.casefold()
    return sorted(
        path for path in files
        if path.parent == sidecar.parent and path.stem.casefold() == stem and is_photo_path(path)
    )


def read_sidecar(original: Path, beside: Path | None = None) -> XmpValues | None:
    """The values of the original's sidecar; None when it has none (or it is a link, or unreadable).

    `beside`: the real folder of the original held open. A sidecar whose real folder is another (the
    folder was swapped for a link after the original was checked) is not read."""
    sidecar = sidecar_of(original)
    if sidecar is None:
        return None
    try:
        # O_NOFOLLOW: a sidecar that is a symlink could point anywhere on the server; we never read it.
        descriptor = os.open(sidecar, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as f:
        if beside is not None and not _lies_in(descriptor, sidecar, beside):
            return None
        try:
            data = f.read(MAX_PACKET_BYTES + 1)
        except OSError:
            return None
    return parse_xmp(data)


def _lies_in(descriptor: int, opened: Path, folder: Path) -> bool:
    try:
        return real_path_of_fd(descriptor, opened).parent == folder
    except OutsideLibrary:
        return False


def signature(original: Path) -> str:
    """Changes when the original's sidecar appears, changes or goes; "" when it has none."""
    sidecar = sidecar_of(original)
    if sidecar is None:
        return ""
    try:
        stat = sidecar.lstat()
    except OSError:
        return ""
    return f"{sidecar.name}:{stat.st_mtime_ns}:{stat.st_size}"
