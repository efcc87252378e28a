"""A photo file held open: the path it was opened at, and the descriptor every decoder reads its bytes from.

A decoder that opened the file again by its path would read whatever the path names by then: a link
swapped in after the file was checked, and swapped back before anyone looks. So the checked descriptor
travels with the path, and each decoder gets a file object of its own on that very open file. The path
still gives the name for messages, the extension for format decisions, the date in the name, and the
folder where a sidecar sits."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

REOPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
BUFFER_BYTES = 1 << 16


@dataclass(frozen=True, slots=True)
class PhotoFile:
    """A file held open by whoever made this value (and closed by them): never re-opened by its path."""

    path: Path
    fd: int

    @property
    def name(self) -> str:
        return self.path.name

    def stat(self) -> os.stat_result:
        """The held file's status (size, modification time), not the path's."""
        return os.fstat(self.fd)

    def open(self) -> BinaryIO:
        """A binary file object on the held file with an offset of its own, named by the file's name only
        (decoders quote it in their messages; members never see the folder); closing it leaves the held
        descriptor open."""
        return buffered(reopened(self.fd) or DescriptorReader(self.fd), self.name)


def buffered(raw: io.FileIO | DescriptorReader, name: str) -> BinaryIO:
    """raw, buffered, going by name (tifffile wants a name that is text)."""
    raw.name = name
    return io.BufferedReader(raw, BUFFER_BYTES)


def reopened(fd: int) -> io.FileIO | None:
    """The open file behind fd, opened anew through /proc/self/fd: the kernel follows that link to the open
    file itself, never to a path, and the new descriptor has its own offset. None without a procfs /proc,
    or when the file may no longer be opened (its mode changed)."""
    try:
        own = os.open(f"/proc/self/fd/{fd}", REOPEN_FLAGS)
    except OSError:
        return None
    held, got = os.fstat(fd), os.fstat(own)
    if (held.st_dev, held.st_ino) != (got.st_dev, got.st_ino):   # a /proc that is not procfs
        os.close(own)
        return None
    return io.FileIO(own, "rb")


class DescriptorReader(io.RawIOBase):
    """Reads a descriptor with pread at an offset of its own, so several readers of one descriptor never
    move each other's place (a dup would share one offset). No fileno: a library that wants one reads
    through this object instead."""

    name: str

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = os.pread(self._fd, len(view), self._position)
        view[:len(data)] = data
        self._position += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_CUR:
            offset += self._position
        elif whence == os.SEEK_END:
            offset += os.fstat(self._fd).st_size
        elif whence != os.SEEK_SET:
            raise ValueError(f"invalid whence ({whence})")
        if offset < 0:
            raise OSError(22, "negative seek position")
        self._position = offset
        return offset

    def tell(self) -> int:
        return self._position
