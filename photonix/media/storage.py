"""Write a derivative atomically: to a temp file beside its destination, then os.replace into place."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from photonix.media.failures import is_storage_error, storage_unavailable

FILE_MODE = 0o644


@contextmanager
def atomic_output(dest: Path) -> Iterator[Path]:
    """Yield a temp path in dest's folder; replace dest with it on success, remove it on error."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
        os.close(fd)
        os.chmod(name, FILE_MODE)       # mkstemp makes 0600; derivatives are served by the web process
    except OSError as exc:
        raise storage_unavailable(dest, exc) from exc
    temp = Path(name)
    try:
        yield temp
        os.replace(temp, dest)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        if exc.errno is not None and (is_storage_error(exc) or isinstance(exc, PermissionError)):
            raise storage_unavailable(dest, exc) from exc
        raise
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
