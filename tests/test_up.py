"""`photonix up` (what `make run` runs): embedded Redis, migrations, web and worker, then a clean stop."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.running import free_port, setup_code, start_up, wait_healthy


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_up_serves_health_and_stops_its_children(tmp_path: Path, stop_signal: signal.Signals) -> None:
    port = free_port()
    data_dir = tmp_path / "data"
    process = start_up(data_dir, port, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_healthy(process, f"http://127.0.0.1:{port}")
        code = setup_code(data_dir)                          # made at the first start, for /welcome
        assert (data_dir / "photonix.sqlite").is_file()
        url_file = data_dir / "redis" / "url"
        assert url_file.read_text().startswith("redis://photonix:")     # user and password
        assert stat.S_IMODE(url_file.stat().st_mode) == 0o600
        # `photonix status` in another terminal finds the embedded Redis through that file.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTONIX_")}
        status = subprocess.run([sys.executable, "-m", "photonix", "status", "--json"], check=False,
                                capture_output=True, text=True, timeout=120,
                                env={**env, "PHOTONIX_DATA_DIR": str(data_dir)})
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["queue"] is not None
    finally:
        process.send_signal(stop_signal)
        output, _ = process.communicate(timeout=90)
    assert f"http://127.0.0.1:{port}/" in output
    assert "user create" in output                       # the first-login steps are printed
    assert code in output                                # and the one-time setup code
    deadline = time.monotonic() + 30              # pool processes may take a moment to finish exiting
    while leftovers := subprocess.run(["pgrep", "-a", "-g", str(process.pid)], check=False,
                                      capture_output=True, text=True).stdout.strip():
        assert time.monotonic() < deadline, f"children still running after {stop_signal.name}: {leftovers}"
        time.sleep(0.1)
