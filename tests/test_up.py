"""`photonix up` (what `make run` runs): embedded Redis, migrations, web and worker, then a clean stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

DEADLINE_S = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_up_serves_health_and_stops_its_children(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTONIX_")}
    env.update({"PHOTONIX_DATA_DIR": str(tmp_path / "data"), "PHOTONIX_PORT": str(port),
                "PHOTONIX_POOL_PROCESSES": "1"})
    process = subprocess.Popen([sys.executable, "-m", "photonix", "up"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + DEADLINE_S
        while True:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "photonix up did not become healthy"
            time.sleep(0.2)
        assert (tmp_path / "data" / "photonix.sqlite").is_file()
        url = (tmp_path / "data" / "redis" / "url").read_text()
        assert url.startswith("redis://127.0.0.1:")
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert f"http://127.0.0.1:{port}/" in output
    assert "user create" in output                       # the first-login steps are printed
    deadline = time.monotonic() + 30              # pool processes may take a moment to finish exiting
    while leftovers := subprocess.run(["pgrep", "-a", "-g", str(process.pid)], capture_output=True,
                                      text=True).stdout.strip():
        assert time.monotonic() < deadline, f"children still running: {leftovers}"
        time.sleep(0.1)
