"""Retry: failed runs go back to queued and run again (with the steps their failure held back); a
step-wide retry leaves out files that failed for a permanent reason unless they are chosen by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from photonix.errors import InvalidAction
from photonix.jobs.flow import chain
from photonix.jobs.retry import RetryScope, RetrySelection, plan_retry, retry
from photonix.jobs.steprun import pipeline_step
from photonix.jobs.tasks import extract_metadata
from tests import corpus
from tests.jobs.conftest import step_runs, step_states
from tests.jobs.test_pipeline import GPS_PHOTO

BROKEN: set[int] = set()           # photos the fragile step fails on, until a test mends them
UNDECODABLE = corpus.CORPUS / "bad" / "random_bytes.jpg"


@pipeline_step
async def fragile_step(ctx: dict[str, Any], photo_id: int) -> None:
    """A bug that hits some photos (an internal error: not permanent) until it is fixed."""
    if photo_id in BROKEN:
        raise RuntimeError("disk gremlin")


@pipeline_step
async def after_step(ctx: dict[str, Any], photo_id: int) -> None:
    """Runs once fragile_step succeeded."""


PIPELINE = chain(extract_metadata, fragile_step, after_step)


@pytest.fixture
def broken() -> Any:
    BROKEN.clear()
    yield BROKEN
    BROKEN.clear()


async def _two_copies(import_files, tmp_path: Path) -> list[int]:
    copy = tmp_path / "copy.jpg"
    copy.write_bytes(GPS_PHOTO.file.read_bytes() + b"\0")
    return (await import_files([GPS_PHOTO.file, copy], PIPELINE)).new_photo_ids


async def test_retrying_a_step_runs_its_failures_and_the_steps_they_held_back(
        import_files, worker, redis, broken, tmp_path) -> None:
    ids = await _two_copies(import_files, tmp_path)
    broken.update(ids)
    await worker(PIPELINE).main()
    for photo_id in ids:
        assert await step_states(photo_id) == {"extract_metadata": "done", "fragile_step": "failed",
                                               "after_step": "skipped"}
    broken.clear()                                   # the bug is fixed
    done = await retry(redis, RetrySelection(RetryScope.STEP, step="fragile_step"), PIPELINE)
    assert done.photos == 2 and done.permanent_left_out == 0
    waiting = {run["state"] for run in await step_runs(ids[0]) if run["step"] != "extract_metadata"}
    assert waiting == {"queued"}
    await worker(PIPELINE).main()
    for photo_id in ids:
        assert await step_states(photo_id) == dict.fromkeys(PIPELINE.step_names(), "done")
        [fragile] = [run for run in await step_runs(photo_id) if run["step"] == "fragile_step"]
        assert fragile["tries"] == 1 and fragile["version"] == 1      # tries reset, same version


async def test_a_retry_that_fails_again_fails_with_its_reason(import_files, worker, redis, broken,
                                                             tmp_path) -> None:
    ids = await _two_copies(import_files, tmp_path)
    broken.update(ids)
    await worker(PIPELINE).main()
    await retry(redis, RetrySelection(RetryScope.STEP, step="fragile_step"), PIPELINE)
    await worker(PIPELINE).main()
    for photo_id in ids:
        [fragile] = [run for run in await step_runs(photo_id) if run["step"] == "fragile_step"]
        assert fragile["state"] == "failed" and "disk gremlin" in str(fragile["error"])
        assert (await step_states(photo_id))["after_step"] == "skipped"


async def test_retrying_one_job_leaves_the_other_failures_alone(import_files, worker, redis, broken,
                                                               tmp_path) -> None:
    first, second = await _two_copies(import_files, tmp_path)
    broken.update({first, second})
    await worker(PIPELINE).main()
    broken.clear()
    job = RetrySelection(RetryScope.JOB, photo_ids=(first,), step="fragile_step")
    assert (await plan_retry(job, PIPELINE)).photos == 1
    await retry(redis, job, PIPELINE)
    await worker(PIPELINE).main()
    assert (await step_states(first))["after_step"] == "done"
    assert (await step_states(second))["fragile_step"] == "failed"


async def test_step_wide_retry_leaves_out_permanent_failures_and_a_group_retry_includes_them(
        import_files, worker, redis, broken) -> None:
    [good, bad] = (await import_files([GPS_PHOTO.file, UNDECODABLE], PIPELINE)).new_photo_ids
    broken.add(good)
    await worker(PIPELINE).main()
    [failure] = await step_runs(bad, state="failed")
    assert failure["step"] == "extract_metadata" and failure["error_kind"] == "UndecodableImage"

    everything = await plan_retry(RetrySelection(RetryScope.ALL), PIPELINE)
    assert everything.photo_ids == {good} and everything.permanent_left_out == 1
    step_wide = await plan_retry(RetrySelection(RetryScope.STEP, step="extract_metadata"), PIPELINE)
    assert step_wide.photos == 0 and step_wide.permanent_left_out == 1

    group = RetrySelection(RetryScope.GROUP, step="extract_metadata", error_kind="UndecodableImage",
                           reason=str(failure["reason"]))
    assert (await retry(redis, group, PIPELINE)).photo_ids == {bad}
    assert set((await step_states(bad)).values()) == {"queued"}      # its held-back steps too
    await worker(PIPELINE).main()
    [again] = await step_runs(bad, state="failed")
    assert again["error"] == failure["error"] and again["tries"] == 1
    assert (await step_states(good))["fragile_step"] == "failed"      # not in the group: untouched


async def test_retrying_a_selection_retries_the_failed_steps_of_those_photos(
        import_files, worker, redis, broken, tmp_path) -> None:
    first, second = await _two_copies(import_files, tmp_path)
    broken.update({first, second})
    await worker(PIPELINE).main()
    broken.clear()
    chosen = RetrySelection(RetryScope.SELECTION, photo_ids=(second,))
    assert (await retry(redis, chosen, PIPELINE)).photo_ids == {second}
    await worker(PIPELINE).main()
    assert (await step_states(second))["after_step"] == "done"
    assert (await step_states(first))["fragile_step"] == "failed"


async def test_a_dry_run_changes_nothing(import_files, worker, broken, tmp_path) -> None:
    ids = await _two_copies(import_files, tmp_path)
    broken.update(ids)
    await worker(PIPELINE).main()
    plan = await plan_retry(RetrySelection(RetryScope.STEP, step="fragile_step"), PIPELINE)
    assert plan.photos == 2
    assert [(await step_states(photo_id))["fragile_step"] for photo_id in ids] == ["failed", "failed"]


@pytest.mark.parametrize("selection", [
    RetrySelection(RetryScope.JOB, step="fragile_step"),
    RetrySelection(RetryScope.SELECTION),
    RetrySelection(RetryScope.GROUP, step="fragile_step"),
    RetrySelection(RetryScope.STEP),
    RetrySelection(RetryScope.ALL, step="no_such_step"),
])
async def test_a_selection_missing_what_its_scope_needs_is_refused(selection: RetrySelection) -> None:
    with pytest.raises(InvalidAction):
        await plan_retry(selection, PIPELINE)
