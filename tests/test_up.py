"""`photonix up` (what `make run` runs): embedded Redis, migrations, web and worker, then a clean stop."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import corpus
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
        # Ctrl-C in a terminal signals the foreground process group: `up`'s own (its children have
        # groups of their own and are stopped by `up`). A service manager's TERM goes to `up` alone.
        if stop_signal == signal.SIGINT:
            os.killpg(process.pid, stop_signal)
        else:
            process.send_signal(stop_signal)
        output, _ = process.communicate(timeout=90)
    assert f"http://127.0.0.1:{port}/" in output
    assert "user create" in output                       # the first-login steps are printed
    assert code in output                                # and the one-time setup code
    assert output.count(code) == 1                       # once, by `up`, not again by its web process
    for noise in ("Traceback", "KeyboardInterrupt", "leaked"):
        assert noise not in output, output[-3000:]      # stopping is quiet
    deadline = time.monotonic() + 30              # pool processes may take a moment to finish exiting
    while leftovers := subprocess.run(["pgrep", "-a", "-s", str(process.pid)], check=False,
                                      capture_output=True, text=True).stdout.strip():
        assert time.monotonic() < deadline, f"children still running after {stop_signal.name}: {leftovers}"
        time.sleep(0.1)


def test_once_the_admin_exists_up_prints_the_address_alone(tmp_path: Path) -> None:
    port, data_dir = free_port(), tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTONIX_")}
    env = {**env, "PHOTONIX_DATA_DIR": str(data_dir)}
    migrated = subprocess.run([sys.executable, "-m", "photonix", "migrate"], capture_output=True, text=True,
                              timeout=120, env=env, check=False)
    assert migrated.returncode == 0, migrated.stderr
    assert "migrations" not in migrated.stdout + migrated.stderr        # Piccolo's narration is kept quiet
    made = subprocess.run([sys.executable, "-m", "photonix", "user", "create", "admin", "--admin"],
                          input="a long enough password\n" * 2, capture_output=True, text=True, timeout=120,
                          env=env, check=False)
    assert made.returncode == 0, made.stderr
    process = start_up(data_dir, port, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_healthy(process, f"http://127.0.0.1:{port}")
    finally:
        os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=90)
    assert f"Photonix is running at http://127.0.0.1:{port}/" in output
    assert "setup code" not in output and "user create" not in output
    assert not (data_dir / "setup_code").exists()
    assert "Traceback" not in output, output[-3000:]


def test_ctrl_c_while_up_is_still_starting_stops_it_quietly(tmp_path: Path) -> None:
    process = start_up(tmp_path / "data", free_port(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    time.sleep(1.5)                                   # mid-start: imports, migrations, children spawning
    os.killpg(process.pid, signal.SIGINT)
    output, _ = process.communicate(timeout=90)
    assert process.returncode in (0, 130), output[-3000:]
    for noise in ("Traceback", "KeyboardInterrupt", "leaked"):
        assert noise not in output, output[-3000:]


def children_of(pid: int) -> dict[int, str]:
    """pid -> command line, for each child of a process."""
    listing = subprocess.run(["pgrep", "-a", "-P", str(pid)], check=False, capture_output=True,
                             text=True).stdout
    return {int(child): command for child, command in (line.split(" ", 1) for line in listing.splitlines())}


def worker_child(up: subprocess.Popen[str]) -> int | None:
    return next((pid for pid, command in children_of(up.pid).items() if command.endswith("photonix worker")),
                None)


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_up_starts_a_killed_worker_again_and_the_import_finishes(tmp_path: Path) -> None:
    port, data_dir, folder = free_port(), tmp_path / "data", tmp_path / "photos"
    folder.mkdir()
    rows = [row for row in corpus.rows(expected="ok") if row.path.endswith(".jpg")][:8]
    for row in rows:
        shutil.copy(row.file, folder / Path(row.path).name)
    process = start_up(data_dir, port, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTONIX_")}
    env.update({"PHOTONIX_DATA_DIR": str(data_dir), "PHOTONIX_LOG_LEVEL": "warning"})
    importing = None
    try:
        wait_healthy(process, f"http://127.0.0.1:{port}")
        wait_for(lambda: worker_child(process) is not None, "the worker child")
        first = worker_child(process)
        importing = subprocess.Popen([sys.executable, "-m", "photonix", "import", str(folder), "--library",
                                      "Photos", "--wait", "--json"], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)

        def some_steps_done() -> bool:
            status = subprocess.run([sys.executable, "-m", "photonix", "status", "--json"], env=env,
                                    check=True, capture_output=True, text=True, timeout=120)
            return sum(counts.get("done", 0) for counts in json.loads(status.stdout)["steps"].values()) >= 3
        wait_for(some_steps_done, "the worker to process a few steps")
        assert first is not None
        os.kill(first, signal.SIGKILL)                 # a crash, or the OOM killer
        wait_for(lambda: worker_child(process) not in (None, first), "a new worker child")

        output, _ = importing.communicate(timeout=300)
        summary = json.loads(output)
        assert (summary["new"], summary["done"], summary["failed"]) == (len(rows), len(rows), {})
    finally:
        if importing is not None and importing.poll() is None:
            importing.kill()
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=90)
    assert "the worker process exited (code -9)" in output and "worker started again" in output
    deadline = time.monotonic() + 30              # the killed worker's pool processes went with it
    while leftovers := subprocess.run(["pgrep", "-a", "-g", str(process.pid)], check=False,
                                      capture_output=True, text=True).stdout.strip():
        assert time.monotonic() < deadline, f"processes still running after the stop: {leftovers}"
        time.sleep(0.1)
