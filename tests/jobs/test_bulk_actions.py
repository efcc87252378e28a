"""Big retries and re-runs are handed to a worker: the action answers at once ("Retrying 3 photos…")
having changed nothing yet, one ARQ job does the work in batches, and asking again while it is under
way queues nothing more."""

from __future__ import annotations

from pathlib import Path

from photonix.jobs import bulk
from photonix.jobs.actions import rerun_action, retry_action
from photonix.jobs.rerun import Rerun, RerunMode
from photonix.jobs.retry import RetryScope, RetrySelection
from tests.jobs.conftest import step_runs, step_states
from tests.jobs.test_rerun_missing import JPEGS, _color_runs
from tests.jobs.test_retry import PIPELINE, _two_copies, broken  # noqa: F401 (a fixture)

STEP_WIDE = RetrySelection(RetryScope.STEP, step="fragile_step")


async def _bulk_jobs(redis) -> int:
    """Bulk-action jobs waiting in the queue."""
    return len([job for job in await redis.queued_jobs() if job.function == bulk.FUNCTION])


async def test_a_retry_of_more_photos_than_the_limit_answers_at_once_and_a_worker_does_it(
        import_files, worker, redis, broken, tmp_path: Path) -> None:  # noqa: F811
    ids = await _two_copies(import_files, tmp_path)
    broken.update(ids)
    await worker(PIPELINE).main()
    broken.clear()                                   # the bug is fixed

    report = await retry_action(redis, STEP_WIDE, dry_run=False, pipeline=PIPELINE, bulk_over=1)
    assert report.photos == 2 and report.message.startswith("Retrying 2 photos…")
    assert {(await step_states(p))["fragile_step"] for p in ids} == {"failed"}     # nothing moved yet
    assert await _bulk_jobs(redis) == 1

    await worker(PIPELINE).main()                    # the bulk job, then the steps it queued
    for photo_id in ids:
        assert await step_states(photo_id) == dict.fromkeys(PIPELINE.step_names(), "done")


async def test_asking_again_while_a_big_retry_is_under_way_queues_nothing_more(
        import_files, worker, redis, broken, tmp_path: Path) -> None:  # noqa: F811
    ids = await _two_copies(import_files, tmp_path)
    broken.update(ids)
    await worker(PIPELINE).main()
    await retry_action(redis, STEP_WIDE, dry_run=False, pipeline=PIPELINE, bulk_over=1)
    again = await retry_action(redis, STEP_WIDE, dry_run=False, pipeline=PIPELINE, bulk_over=1)
    assert "already under way" in again.message and again.photos == 2
    assert await _bulk_jobs(redis) == 1

    await worker(PIPELINE).main()                    # still broken: they fail again, with their reason
    for photo_id in ids:
        [fragile] = [run for run in await step_runs(photo_id) if run["step"] == "fragile_step"]
        assert fragile["state"] == "failed" and "disk gremlin" in str(fragile["error"])
    once_done = await retry_action(redis, STEP_WIDE, dry_run=False, pipeline=PIPELINE, bulk_over=1)
    assert once_done.message.startswith("Retrying 2 photos…")      # the job id is free again
    assert await _bulk_jobs(redis) == 1


async def test_a_retry_within_the_limit_is_done_in_the_request(import_files, worker, redis, broken,  # noqa: F811
                                                                tmp_path: Path) -> None:
    ids = await _two_copies(import_files, tmp_path)
    broken.update(ids)
    await worker(PIPELINE).main()
    report = await retry_action(redis, STEP_WIDE, dry_run=False, pipeline=PIPELINE, bulk_over=2)
    assert report.message == "Queued 2 photos for another try."
    assert {(await step_states(p))["fragile_step"] for p in ids} == {"queued"}
    assert await _bulk_jobs(redis) == 0


async def test_a_big_re_run_answers_at_once_and_a_worker_reprocesses_every_photo(
        import_files, worker, redis, library) -> None:
    ids = (await import_files(JPEGS)).new_photo_ids
    await worker().main()
    everything = Rerun("classify_color", RerunMode.ALL, library.id)
    report = await rerun_action(redis, everything, dry_run=False, bulk_over=1)
    assert report.photos == len(ids)
    assert report.message.startswith(f"Re-running classify_color on {len(ids)} photos in Alice's photos…")
    assert all([await _color_runs(p) == [(1, "done")] for p in ids])              # nothing moved yet
    await worker().main()
    assert all([await _color_runs(p) == [(1, "done"), (2, "done")] for p in ids])


def test_no_job_is_marked_in_progress_longer_than_the_step_timeout(worker) -> None:
    # ARQ marks every job in progress for the longest timeout of any function; a bulk action with a
    # longer one kept a killed worker's steps from running again for an hour.
    built = worker(PHOTONIX_JOB_TIMEOUT_SECONDS="5")
    assert built.in_progress_timeout_s == built.job_timeout_s + 10        # ARQ's own 10 s on top


async def test_a_selections_reprocess_handed_to_a_worker_runs_each_photo_at_a_new_version(
        import_files, worker, redis, tmp_path: Path) -> None:
    ids = await _two_copies(import_files, tmp_path)
    await worker(PIPELINE).main()
    assert await bulk.enqueue_reprocess(redis, ids)
    assert not await bulk.enqueue_reprocess(redis, reversed(ids))    # the same selection: the same job
    assert await _bulk_jobs(redis) == 1

    await worker(PIPELINE).main()                    # the bulk job, then the steps it queued
    for photo_id in ids:
        runs = await step_runs(photo_id)
        assert {run["version"] for run in runs} == {1, 2}
        assert {run["state"] for run in runs if run["version"] == 2} == {"done"}
