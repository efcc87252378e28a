"""A worker only paused (SIGSTOP past the heartbeat window, then SIGCONT) is taken over like a lost one,
and its steps run again on the other worker. When it wakes and finishes a step the other already
completed, its result does not count: the record keeps the other's outcome, names the late try as such,
and no step completes twice."""

from __future__ import annotations

import pytest

from photonix.db.stepruns import LATE
from photonix.db.tables import PhotoTag, StepRun, StepTry
from photonix.jobs.heartbeat import worker_beats
from photonix.jobs.pipeline import PIPELINE
from tests import corpus
from tests.jobs.worker_processes import (
    OUTCOME_EVENTS,
    completions,
    freeze_one_mid_import,
    start_worker,
    wait_until,
    worker_logged,
)

FINAL = ["done", "skipped", "failed"]
ROWS = corpus.rows(expected="ok")[:14] + corpus.rows(expected="fail")[:2]


async def test_a_paused_worker_taken_over_cannot_complete_its_steps_a_second_time(
    settings, import_files, redis, tmp_path
) -> None:
    if settings.database_url.startswith("sqlite"):
        # A process stopped inside a write transaction keeps SQLite's one write lock, so no other worker
        # can record anything until it wakes: the scenario needs a server database (CI runs it on
        # PostgreSQL). Killed workers release the lock and are tested on both (test_worker_loss.py).
        pytest.skip("a stopped worker may hold SQLite's write lock; runs on PostgreSQL")
    # A job timeout far beyond the test: the paused worker's steps are released by the takeover alone.
    options = {"PHOTONIX_HEARTBEAT_SECONDS": "1", "PHOTONIX_JOB_TIMEOUT_SECONDS": "600",
               "PHOTONIX_WORKER_CONCURRENCY": "4"}
    workers = [start_worker(settings, tmp_path / f"worker-{n}.log", **options) for n in (1, 2)]
    try:
        async def both_beat() -> bool:
            return {beat.pid for beat in await worker_beats(redis)} == {w.pid for w in workers}
        await wait_until(both_beat, "both workers to beat")
        ids = {beat.pid: beat.worker_id for beat in await worker_beats(redis)}
        await import_files([row.file for row in ROWS])

        frozen = await freeze_one_mid_import(redis, workers)
        paused = frozen.worker
        other = next(w for w in workers if w is not paused)
        mid_step = {row["job_id"] for row in await StepRun.select(StepRun.job_id).where(
            StepRun.job_id.is_in(list(frozen.jobs)) & (StepRun.state == "running"))}

        # Silent past the window, it is taken over, and the other worker completes its steps.
        await wait_until(worker_logged(other, "worker_lost_taken_over"), "the other worker to take over")

        async def redone_elsewhere() -> bool:
            runs = await StepRun.select(StepRun.state, StepRun.worker).where(
                StepRun.job_id.is_in(list(mid_step)))
            return all(run["state"] in FINAL and run["worker"] == ids[other.pid] for run in runs)
        await wait_until(redone_elsewhere, "the other worker to complete the paused worker's steps")

        paused.thaw()                                       # it wakes, and finishes those steps too

        async def each_late_result_ignored() -> bool:
            assert paused.process.poll() is None
            counted = [entry for event in OUTCOME_EVENTS for entry in paused.log_events(event)
                       if entry["job_id"] in mid_step]
            assert not counted, f"the woken worker completed a step the other had completed: {counted}"
            return {entry["job_id"] for entry in paused.log_events("step_result_ignored")} >= mid_step
        await wait_until(each_late_result_ignored, "the woken worker to finish its steps, late")

        async def all_finished() -> bool:
            return await StepRun.count().where(StepRun.state.not_in(FINAL)) == 0
        await wait_until(all_finished, "every step to finish")
        assert paused.log_events("worker_was_taken_over")
    finally:
        for worker in workers:
            worker.stop()

    # The late results did not count: each step's record is the other worker's, done once...
    assert max(completions(workers).values()) == 1, completions(workers).most_common(3)
    runs = await StepRun.select(StepRun.id, StepRun.job_id, StepRun.state, StepRun.worker).where(
        StepRun.job_id.is_in(list(mid_step)))
    assert {run["job_id"] for run in runs} == mid_step
    assert all(run["state"] in FINAL and run["worker"] == ids[other.pid] for run in runs)
    # ...and the paused worker's tries say what happened to them.
    late = await StepTry.select(StepTry.state, StepTry.error_kind, StepTry.error).where(
        StepTry.step_run.is_in([run["id"] for run in runs]) & (StepTry.worker == ids[paused.pid]))
    assert len(late) == len(mid_step)
    assert all(t["state"] == "lost" and t["error_kind"] == LATE and "did not count" in t["error"]
               for t in late), late

    assert await StepRun.count() == len(ROWS) * len(PIPELINE.step_names())
    tags = [(t["photo"], t["tag"], t["source"]) for t in await PhotoTag.select(PhotoTag.photo, PhotoTag.tag,
                                                                                  PhotoTag.source)]
    assert tags and len(tags) == len(set(tags))
