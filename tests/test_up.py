"""`photonix up` (what `make run` runs): embedded Redis, migrations, web and worker, then a clean stop."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from tests.running import free_port, setup_code, start_up, wait_healthy


def test_up_serves_health_and_stops_its_children(tmp_path: Path) -> None:
    port = free_port()
    process = start_up(tmp_path / "data", port, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_healthy(process, f"http://127.0.0.1:{port}")
        code = setup_code(tmp_path / "data")                # made at the first start, for /welcome
        assert (tmp_path / "data" / "photonix.sqlite").is_file()
        url = (tmp_path / "data" / "redis" / "url").read_text()
        assert url.startswith("redis://127.0.0.1:")
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert f"http://127.0.0.1:{port}/" in output
    assert "user create" in output                       # the first-login steps are printed
    assert code in output                                # and the one-time setup code
    deadline = time.monotonic() + 30              # pool processes may take a moment to finish exiting
    while leftovers := subprocess.run(["pgrep", "-a", "-g", str(process.pid)], capture_output=True,
                                      text=True).stdout.strip():
        assert time.monotonic() < deadline, f"children still running: {leftovers}"
        time.sleep(0.1)
