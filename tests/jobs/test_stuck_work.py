"""The stuck-work sweep repairs steps running with nobody running them and steps whose Redis job vanished."""

from __future__ import annotations

from datetime import UTC, datetime

from arq.constants import in_progress_key_prefix

from photonix.db.tables import StepRun
from photonix.jobs.heartbeat import worker_beats
from photonix.jobs.inflight import held_jobs
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.recovery import requeue_unfinished
from photonix.jobs.stuck_work import StuckReport, last_repair, sweep_if_due, sweep_stuck_work
from tests import corpus
from tests.conftest import make_settings
from tests.jobs.worker_processes import start_worker, wait_until

FINAL = ["done", "skipped", "failed"]
JPEGS = [row for row in corpus.rows(expected="ok") if row.path.endswith(".jpg")][:10]


async def test_step_running_past_the_timeout_with_no_live_worker_is_requeued_and_finishes(
    settings, import_files, redis, worker, tmp_path
) -> None:
    victim = start_worker(settings, tmp_path / "worker.log", PHOTONIX_HEARTBEAT_SECONDS="0.5",
                          PHOTONIX_WORKER_CONCURRENCY="2")
    held: set[str] = set()
    try:
        await import_files([row.file for row in JPEGS])

        async def frozen_running_a_step() -> bool:
            victim.freeze()             # steps take milliseconds: look at a worker that cannot move on
            held.clear()
            for beat in await worker_beats(redis):
                held.update(await held_jobs(redis, beat.worker_id))
            if held and await StepRun.count().where(StepRun.state == "running") > 0:
                return True
            victim.thaw()
            return False
        await wait_until(frozen_running_a_step, "the worker to run a step")
    finally:
        victim.kill()                   # and nobody takes over: no other worker runs
    stuck = await StepRun.select(StepRun.job_id).where(StepRun.state == "running")
    assert stuck

    # Its own 300 s limit is far off; a sweep that believes the limit is 1 s finds the steps stuck once
    # they started 2 s ago and their worker went silent (0.5 s beats: lost after 1.5 s).
    sweeping = make_settings(settings.data_dir, {"database": settings.database_url,
                                                 "redis": settings.redis_url or ""},
                             PHOTONIX_JOB_TIMEOUT_SECONDS="1")
    reports: list[StuckReport] = []

    async def swept_them() -> bool:
        reports.append(await sweep_stuck_work(redis, PIPELINE, sweeping))
        return sum(report.stuck_requeued for report in reports) >= len(stuck)
    await wait_until(swept_them, "sweeps to find the stuck steps")
    assert sum(report.stuck_requeued for report in reports) == len(stuck)
    assert not any(report.stuck_failed for report in reports)
    assert {row["state"] for row in await StepRun.select(StepRun.state).where(
        StepRun.job_id.is_in([row["job_id"] for row in stuck]))} == {"retrying"}
    for row in stuck:                   # ARQ would have kept them locked for 320 s
        assert not await redis.exists(in_progress_key_prefix + row["job_id"])
    repaired = await last_repair(redis)
    assert repaired == reports[-1]
    count = repaired.stuck_requeued + repaired.missing_requeued
    plural = "s" if count > 1 else ""
    assert repaired.sentence == f"{count} stuck step{plural} re-queued at {repaired.at:%H:%M}"

    await worker().main()
    runs = await StepRun.select(StepRun.job_id, StepRun.state, StepRun.tries)
    assert {run["state"] for run in runs} <= {"done", "skipped"}
    retried = [run for run in runs if run["job_id"] in {row["job_id"] for row in stuck}]
    assert retried and all(run["tries"] == 2 for run in retried)


async def test_queued_steps_whose_jobs_redis_lost_are_enqueued_again(import_files, redis, worker, settings
                                                                     ) -> None:
    report = await import_files([row.file for row in JPEGS])
    await redis.flushdb()                              # Redis came back empty
    swept = await sweep_stuck_work(redis, PIPELINE, settings)
    assert swept.missing_requeued == len(report.new_photo_ids)     # each photo's first step
    assert swept.stuck_requeued == swept.stuck_failed == 0
    assert (await sweep_stuck_work(redis, PIPELINE, settings)).repaired == 0   # nothing twice

    await worker().main()
    assert await StepRun.count().where(StepRun.state.not_in(FINAL)) == 0
    assert await StepRun.count().where(StepRun.state == "failed") == 0


async def test_one_worker_sweeps_per_interval(redis, settings, clean) -> None:
    first = await sweep_if_due(redis, PIPELINE, settings, "worker-a")
    assert first is not None and first.repaired == 0 and first.at <= datetime.now(UTC)
    assert await sweep_if_due(redis, PIPELINE, settings, "worker-b") is None


async def test_steps_after_a_failure_left_unfollowed_are_skipped_by_recovery(import_files, redis, worker
                                                                              ) -> None:
    report = await import_files([JPEGS[0].file])
    photo_id = report.new_photo_ids[0]
    # What a worker stopped right after recording a failure leaves: the failure, and the rest queued.
    await StepRun.update({StepRun.state: "failed", StepRun.error: "broken"}).where(
        (StepRun.photo == photo_id) & (StepRun.step == "extract_metadata"))
    assert await requeue_unfinished(redis, PIPELINE) == 0
    later = await StepRun.select(StepRun.state, StepRun.error).where(
        (StepRun.photo == photo_id) & (StepRun.step != "extract_metadata"))
    assert later and all(run == {"state": "skipped", "error": "not run: extract_metadata failed"}
                         for run in later)
