"""`photonix status` and `photonix jobs list` print the one JobsStatus: a table for people, JSON for
scripts, after a real import with a bad file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from photonix.jobs.pipeline import PIPELINE
from tests import corpus


@pytest.fixture
def imported(run, tmp_path: Path) -> int:
    """A folder of two good photos and one bad one, imported and processed; how many photos."""
    photos = tmp_path / "photos"
    photos.mkdir()
    rows = (*corpus.rows(expected="ok", folder="orientation")[:2], corpus.rows(expected="fail")[0])
    for row in rows:
        shutil.copy(row.file, photos / Path(row.path).name)
    assert run("migrate").returncode == 0
    assert run("import", str(photos), "--library", "Trip", "--wait").returncode == 3   # one failed
    return len(rows)


def test_status_json_keeps_its_shape_and_adds_the_typed_figures(run, imported: int) -> None:
    result = run("status", "--json")
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert list(status["steps"]) == PIPELINE.step_names()
    for step, counts in status["steps"].items():
        assert sum(counts.values()) == imported, step
        assert counts["queued"] == counts["running"] == counts["retrying"] == 0
    assert status["totals"]["photos_failed"] == 1 and status["totals"]["photos_processing"] == 0
    assert status["recent_failures"][0]["error"]
    assert status["timing"]["extract_metadata"]["p95_ms"] is not None


def test_jobs_list_prints_the_steps_table_with_pace_and_durations(run, imported: int) -> None:
    table = run("jobs", "list", env={"COLUMNS": "200"})      # a terminal wide enough for every column
    assert table.returncode == 0, table.stderr
    for heading in ("step", "queued", "failed", "photos/min", "p50", "p95", "ETA"):
        assert heading in table.stdout
    assert all(step in table.stdout for step in PIPELINE.step_names())
    assert "1 failed" in table.stdout
    listed = json.loads(run("jobs", "list", "--json").stdout)
    assert sum(listed["steps"]["make_thumbnails"].values()) == imported


def test_status_says_when_there_is_no_redis_to_ask(run) -> None:
    assert run("migrate").returncode == 0
    plain = run("status")
    assert plain.returncode == 0 and "queue: no Redis" in plain.stdout
    assert json.loads(run("status", "--json").stdout)["queue"] is None
