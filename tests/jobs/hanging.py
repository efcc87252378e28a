"""Pool functions for the job-timeout test, in a module that imports only the standard library, so a
pool process that loads it starts hanging at once."""

from __future__ import annotations

import os
import time


def own_pid() -> int:
    return os.getpid()


def hang_forever(pid_file: str) -> None:
    """A decoder that never returns: it notes its pid first."""
    with open(pid_file, "a") as out:
        out.write(f"{os.getpid()}\n")
    while True:
        time.sleep(60)


def wait_for_file(path: str) -> int:
    """A decoder that takes as long as the test wants: it returns (its pid) once `path` exists."""
    while not os.path.exists(path):
        time.sleep(0.02)
    return os.getpid()
