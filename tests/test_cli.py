"""The `photonix` command as a person runs it: its own SQLite, its own Redis, real subprocesses."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import corpus


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A small photo folder: two good photos and one bad one."""
    photos = tmp_path / "photos"
    photos.mkdir()
    for row in (*corpus.rows(expected="ok", folder="orientation")[:2], corpus.rows(expected="fail")[0]):
        shutil.copy(row.file, photos / Path(row.path).name)
    return photos


def test_import_with_nothing_running_processes_everything_and_reports(run, folder: Path) -> None:
    assert run("migrate").returncode == 0
    first = run("import", str(folder), "--library", "Holidays", "--wait", "--json")
    assert first.returncode == 3, first.stderr         # one photo failed: exit code 3 says so
    summary = json.loads(first.stdout)
    assert summary["new"] == 3 and summary["done"] == 2 and len(summary["failed"]) == 1
    [reasons] = summary["failed"].values()
    assert reasons and all(": " in reason for reason in reasons)

    again = run("import", str(folder), "--library", "Holidays", "--wait", "--json")
    assert json.loads(again.stdout)["new"] == 0

    status = run("status", "--json")
    assert status.returncode == 0
    steps = json.loads(status.stdout)["steps"]
    assert sum(steps["extract_metadata"].values()) == 3


def test_users_libraries_and_tokens_are_created_from_the_command_line(run) -> None:
    assert run("migrate").returncode == 0
    assert run("user", "create", "admin", "--admin", "--password-stdin",
               stdin="long enough pw\n").returncode == 0
    short = run("user", "create", "eve", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "at least 8 characters" in short.stderr
    assert run("library", "create", "Family", "--owner", "admin").returncode == 0
    assert run("library", "create", "Family").returncode == 1
    token = run("token", "create", "--user", "admin")
    assert token.returncode == 0 and len(token.stdout.strip()) >= 32
    assert run("token", "create", "--user", "nobody").returncode == 2


def test_a_bad_setting_stops_the_command_with_its_name(run) -> None:
    result = subprocess.run([sys.executable, "-m", "photonix", "status"], capture_output=True, text=True,
                            env={**os.environ, "PHOTONIX_MAX_TRIES": "zero"}, timeout=60)
    assert result.returncode == 2 and "PHOTONIX_MAX_TRIES" in result.stderr
