"""Start `photonix up` as a person would (its own data dir, SQLite and embedded Redis) and wait for it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

START_DEADLINE_S = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_up(data_dir: Path, port: int, **popen: object) -> subprocess.Popen[str]:
    """`python -m photonix up` in its own session (so its children can be signalled together)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTONIX_")}
    env.update({"PHOTONIX_DATA_DIR": str(data_dir), "PHOTONIX_PORT": str(port),
                "PHOTONIX_POOL_PROCESSES": "1",
                "PHOTONIX_LOG_LEVEL": "warning"})
    return subprocess.Popen([sys.executable, "-m", "photonix", "up"], env=env, start_new_session=True,
                            text=True, **popen)  # type: ignore[call-overload]


def wait_healthy(process: subprocess.Popen[Any], url: str, what: str = "photonix up") -> None:
    """Until /healthz answers 200; fails when the process exits or the start deadline passes."""
    deadline = time.monotonic() + START_DEADLINE_S
    while True:
        assert process.poll() is None, f"{what} exited at start"
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"{what} did not become healthy"
        time.sleep(0.2)


def setup_code(data_dir: Path) -> str:
    """The one-time code /welcome asks for, as `photonix up` keeps it (printed at start, in the data dir)."""
    return (data_dir / "setup_code").read_text().strip()
