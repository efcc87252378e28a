"""What this process and its pool processes use, as a heartbeat reports it: resident memory, version."""

from __future__ import annotations

import multiprocessing
import os
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@cache
def photonix_version() -> str:
    try:
        return version("photonix")
    except PackageNotFoundError:
        return "unknown"


def resident_bytes(pid: int) -> int:
    """A process's resident memory from /proc (0 where there is no /proc, or the process is gone)."""
    try:
        fields = Path(f"/proc/{pid}/statm").read_text().split()
    except OSError:
        return 0
    return int(fields[1]) * PAGE_BYTES


def worker_resident_bytes() -> int:
    """This worker and the pool processes it started (decoders and models live there)."""
    children = [child.pid for child in multiprocessing.active_children() if child.pid is not None]
    return sum(resident_bytes(pid) for pid in [os.getpid(), *children])
