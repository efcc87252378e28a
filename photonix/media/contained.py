"""Open a file only where it really lies: never through a final symlink, its real path under an allowed root.

Files in library folders are untrusted input. A link placed there (or swapped in for an imported file)
must not make Photonix read, or serve, what it points to outside the library."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, TypeVar

from photonix.errors import MissingFile, OutsideLibrary, UndecodableImage
from photonix.media.failures import is_storage_error, storage_unavailable
from photonix.media.photofile import PhotoFile

# O_NONBLOCK: a FIFO planted under a photo's name must not hang the open; fstat then refuses it.
OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
MISSING = "original missing or moved"
T = TypeVar("T")


def real_roots(roots: Iterable[Path]) -> tuple[Path, ...]:
    """Each root as its real path (a library folder may itself be reached through a link)."""
    return tuple(Path(os.path.realpath(root)) for root in roots)


def is_within(real: Path, roots: Iterable[Path]) -> bool:
    """Whether a real path is one of the (real) roots or lies below one."""
    return any(real == root or real.is_relative_to(root) for root in roots)


@dataclass(frozen=True, slots=True)
class FileRoots:
    """Where a file may really lie: under one of `allowed`, and never in `private` (the data dir, with the
    database and secret key, even when an admin put it inside a library folder) except through an
    allowed root that itself lies there (the uploads and derivatives dirs)."""

    allowed: tuple[Path, ...]
    private: tuple[Path, ...] = ()

    def permits(self, real: Path) -> bool:
        private = real_roots(self.private)
        in_private = is_within(real, private)
        return any(is_within(real, (root,)) and (not in_private or is_within(root, private))
                   for root in real_roots(self.allowed))


def real_path_of_fd(fd: int, opened: Path) -> Path:
    """The real path of the file an open descriptor refers to.

    /proc/self/fd names the very file that was opened; without /proc the path's realpath is
    accepted only when it is the same inode as the descriptor."""
    try:
        named = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        named = ""
    if named.startswith("/") and not named.endswith(" (deleted)"):
        return Path(named)
    real = Path(os.path.realpath(opened))
    if not is_same_file(fd, real):
        raise OutsideLibrary(f"{opened.name}: {MISSING}")
    return real


def is_same_file(fd: int, real: Path) -> bool:
    """Whether real is, without following a link, the very file the descriptor holds."""
    try:
        found = os.stat(real, follow_symlinks=False)
    except OSError:
        return False
    held = os.fstat(fd)
    return stat.S_ISREG(found.st_mode) and (held.st_dev, held.st_ino) == (found.st_dev, found.st_ino)


def open_contained(path: Path, roots: FileRoots) -> int:
    """A read-only descriptor on the regular file at path, opened without following a final symlink,
    whose real path the roots permit; OutsideLibrary or MissingFile otherwise."""
    try:
        fd = os.open(path, OPEN_FLAGS)
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise MissingFile(f"{path.name}: {MISSING}") from exc
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK, getattr(errno, "EFTYPE", -1)):
            raise OutsideLibrary(f"{path.name}: {MISSING} (it is a link now)") from exc
        if is_storage_error(exc):
            raise storage_unavailable(path, exc) from exc
        raise UndecodableImage(f"{path.name}: cannot read the file ({exc.strerror or exc})") from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OutsideLibrary(f"{path.name}: {MISSING} (not a regular file)")
        if not roots.permits(real_path_of_fd(fd, path)):
            raise OutsideLibrary(f"{path.name}: {MISSING} (outside the library folders)")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextmanager
def contained_file(path: Path, roots: FileRoots) -> Iterator[PhotoFile]:
    """open_contained as a context manager: the file held open while the block runs, then closed."""
    fd = open_contained(path, roots)
    try:
        yield PhotoFile(path, fd)
    finally:
        os.close(fd)


def read_contained(reader: Callable[Concatenate[PhotoFile, ...], T], path: Path, roots: FileRoots,
                   *args: Any) -> T:
    """reader(the file held open, *args) for a file open_contained accepts: a pipeline step never reads
    through a link that leads out of the library. Module-level, so it runs in the process pool.

    The readers (Pillow, LibRaw, exifread, tifffile) read the very descriptor that was checked, each
    through a file object of its own (PhotoFile.open), never the path again: whatever is swapped in at
    the path after the check is never read."""
    with contained_file(path, roots) as source:
        return reader(source, *args)
