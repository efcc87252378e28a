"""`photonix jobs retry|rerun|pause|resume|cancel|clear-history` as a person runs them: real
subprocesses on their own SQLite; the actions that touch the queue use a real Redis."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from photonix.media.failures import failure_reason
from tests import corpus


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two good photos and one undecodable file."""
    photos = tmp_path / "photos"
    photos.mkdir()
    for row in corpus.rows(expected="ok", folder="good/jpeg")[:2]:
        shutil.copy(row.file, photos / Path(row.path).name)
    shutil.copy(corpus.CORPUS / "bad" / "random_bytes.jpg", photos / "random_bytes.jpg")
    return photos


@pytest.fixture
def queue_env(settings) -> dict[str, str]:
    """The test Redis, for the commands that enqueue (the suite flushes it per test that uses it)."""
    return {"PHOTONIX_REDIS_URL": os.environ.get("PHOTONIX_TEST_REDIS_URL") or str(settings.redis_url)}


def counts(result) -> dict[str, object]:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_retry_leaves_out_the_undecodable_file_unless_its_group_is_named(run, folder, queue_env) -> None:
    assert run("migrate").returncode == 0
    assert run("import", str(folder), "--library", "Trip", "--wait").returncode == 3
    everything = counts(run("jobs", "retry", "--dry-run", "--json"))
    assert everything["photos"] == 0
    assert "failed for a permanent reason stay out" in str(everything["message"])
    [failure] = json.loads(run("status", "--json").stdout)["recent_failures"]
    named = ["--step", failure["step"], "--error-kind", failure["error_kind"],
             "--reason", failure_reason(failure["error"])]
    assert counts(run("jobs", "retry", *named, "--dry-run", "--json"))["photos"] == 1
    done = counts(run("jobs", "retry", *named, "--json", env=queue_env))
    assert done == {"action": "retry", "dry_run": False, "photos": 1, "runs": 1,
                    "message": "Queued 1 photo for another try."}
    steps = json.loads(run("status", "--json").stdout)["steps"]
    assert steps["extract_metadata"].get("queued") == 1


def test_pause_resume_and_clear_history_print_what_they_did(run, queue_env) -> None:
    assert run("migrate").returncode == 0
    paused = run("jobs", "pause", "--step", "convert_raw")
    assert paused.returncode == 0 and paused.stdout.startswith("Paused convert_raw")
    again = counts(run("jobs", "pause", "--step", "convert_raw", "--json"))
    assert again["message"] == "Convert_raw was paused already."
    resumed = run("jobs", "resume", "--step", "convert_raw", env=queue_env)
    assert resumed.returncode == 0 and resumed.stdout.startswith("Resumed convert_raw")
    cleared = counts(run("jobs", "clear-history", "--days", "30", "--json"))
    assert cleared["runs"] == 0 and cleared["dry_run"] is False


def test_cancel_and_rerun_count_the_librarys_photos(run, folder, queue_env) -> None:
    assert run("migrate").returncode == 0
    assert run("import", str(folder), "--library", "Trip", env=queue_env).returncode == 0   # queued only
    assert counts(run("jobs", "cancel", "--library", "Trip", "--dry-run", "--json"))["photos"] == 3
    cancelled = counts(run("jobs", "cancel", "--library", "Trip", "--json", env=queue_env))
    assert cancelled["photos"] == 3 and "(command line)" not in str(cancelled["message"])
    steps = json.loads(run("status", "--json").stdout)["steps"]
    assert steps["extract_metadata"].get("skipped") == 3
    missing = counts(run("jobs", "rerun", "extract_metadata", "--library", "Trip", "--dry-run", "--json"))
    assert missing["photos"] == 3


@pytest.mark.parametrize(("args", "message"), [
    (("jobs", "rerun", "no_such_step", "--dry-run"), "There is no step named no_such_step."),
    (("jobs", "pause", "--step", "convert_raw", "--library", "Trip"), "not both"),
    (("jobs", "clear-history", "--days", "0"), "Keep history for 1 to"),
    (("jobs", "retry", "--scope", "job", "--dry-run"), "Retrying one job needs one photo and its step."),
])
def test_an_action_that_cannot_be_done_exits_2_with_the_reason(run, args, message) -> None:
    assert run("migrate").returncode == 0
    result = run(*args)
    assert result.returncode == 2 and message in " ".join(result.stderr.split())


def test_a_rerun_on_a_terminal_draws_a_progress_bar_as_its_batches_are_queued(run, folder, queue_env) -> None:
    assert run("migrate").returncode == 0
    assert run("import", str(folder), "--library", "Trip", "--wait").returncode == 3      # one bad file
    rerun = run("jobs", "rerun", "extract_metadata", "--library", "Trip", "--all",
                env={**queue_env, "FORCE_COLOR": "1"})       # rich then draws as on a terminal
    assert rerun.returncode == 0, rerun.stderr
    assert "Re-running extract_metadata" in rerun.stderr and "3/3" in rerun.stderr
    assert rerun.stdout.strip() == "Queued extract_metadata for 3 photos in Trip."
    piped = run("jobs", "rerun", "extract_metadata", "--library", "Trip", "--all", env=queue_env)
    assert piped.returncode == 0 and "Re-running" not in piped.stderr     # a script gets the sentence only
