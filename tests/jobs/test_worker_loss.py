"""kill -9 one of two workers mid-import: it is reported lost within the heartbeat window, the other one
takes over its jobs at once and finishes everything, no step completes twice and no tag is doubled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from photonix.db.tables import Photo, PhotoTag, StepRun
from photonix.jobs.heartbeat import BEATS_BEFORE_LOST, worker_beats
from photonix.jobs.pipeline import PIPELINE
from tests import corpus
from tests.jobs.worker_processes import (
    completions,
    freeze_one_mid_import,
    start_worker,
    unfinished_steps_and_logs,
    wait_until,
)

BEAT_SECONDS = 1
MAX_TRIES = 3
FINAL = ["done", "skipped", "failed"]
ROWS = corpus.rows(expected="ok")[:14] + corpus.rows(expected="fail")[:4]


async def test_a_killed_worker_is_lost_and_the_other_finishes_its_work_once(
    settings, import_files, redis, tmp_path
) -> None:
    # A job timeout far beyond the test: only a takeover, not ARQ's expiring in-progress key, can free
    # the killed worker's jobs in time.
    options = {"PHOTONIX_HEARTBEAT_SECONDS": str(BEAT_SECONDS), "PHOTONIX_JOB_TIMEOUT_SECONDS": "600",
               "PHOTONIX_WORKER_CONCURRENCY": "4", "PHOTONIX_MAX_TRIES": str(MAX_TRIES)}
    workers = [start_worker(settings, tmp_path / f"worker-{n}.log", **options) for n in (1, 2)]
    try:
        async def both_beat() -> bool:
            return {beat.pid for beat in await worker_beats(redis)} == {w.pid for w in workers}
        await wait_until(both_beat, "both workers to beat")
        await import_files([row.file for row in ROWS])       # the workers' watchers may import some first

        held = await freeze_one_mid_import(redis, workers)
        victim_beat, victim = held.beat, held.worker
        survivor = next(w for w in workers if w is not victim)
        victim.kill()
        killed_at = datetime.now(UTC)
        assert await StepRun.count().where(StepRun.state.not_in(FINAL)) > 0, "nothing was left to take over"

        # Lost within the window: its last beat came before the kill, so past three silent beats from
        # then the dashboard's read lists it as lost...
        window = timedelta(seconds=BEAT_SECONDS * (BEATS_BEFORE_LOST + 1))
        listed = {beat.pid: beat for beat in await worker_beats(redis, now=killed_at + window)}
        assert listed[victim.pid].last_beat <= killed_at and listed[victim.pid].lost

        async def shown_lost() -> bool:
            beats = {beat.pid: beat for beat in await worker_beats(redis)}
            return beats[victim.pid].lost and not beats[survivor.pid].lost
        await wait_until(shown_lost, "the dashboard to show the killed worker, and only it, as lost")

        async def all_finished() -> bool:
            return await StepRun.count().where(StepRun.state.not_in(FINAL)) == 0
        await wait_until(all_finished, "every step to finish on the surviving worker",
                         explain=lambda: unfinished_steps_and_logs(workers))
    finally:
        for worker in workers:
            worker.stop()

    # ...and the survivor took its jobs over, once.
    takeovers = survivor.log_events("worker_lost_taken_over")
    assert [entry["lost_worker"] for entry in takeovers] == [victim_beat.worker_id]
    assert takeovers[0]["jobs"] >= 1

    runs = await StepRun.select(StepRun.photo, StepRun.step, StepRun.state, StepRun.tries, StepRun.job_id,
                                StepRun.error, StepRun.error_kind)
    hashes = {row["id"]: row["content_hash"] for row in await Photo.select(Photo.id, Photo.content_hash)}
    assert {run["photo"] for run in runs} == set(hashes)
    assert set(hashes.values()) == {row.sha256 for row in ROWS}
    never_ran = [run for run in runs if run["error_kind"] == "Upstream"]     # skipped: an earlier step failed
    assert all(run["tries"] == 0 for run in never_ran)
    assert all(1 <= run["tries"] <= MAX_TRIES + 1 for run in runs if run not in never_ran), [
        (run["job_id"], run["tries"]) for run in runs if run not in never_ran and not 1 <= run["tries"] <= 4]
    by_job = {run["job_id"]: run for run in runs}
    taken = [by_job[job] for job in held.jobs if job in by_job]
    assert any(run["tries"] >= 2 for run in taken), "no step the killed worker ran was run again"

    # Every photo as the manifest expects.
    states: dict[str, dict[str, str]] = {}
    errors: dict[str, dict[str, str]] = {}
    for run in runs:
        states.setdefault(hashes[run["photo"]], {})[run["step"]] = run["state"]
        errors.setdefault(hashes[run["photo"]], {})[run["step"]] = run["error"]
    for row in ROWS:
        assert set(states[row.sha256]) == set(PIPELINE.step_names())
        if row.expected == "ok":
            assert set(states[row.sha256].values()) <= {"done", "skipped"}, (row.path, errors[row.sha256])
        else:
            failed = [step for step, state in states[row.sha256].items() if state == "failed"]
            assert failed and all(errors[row.sha256][step] for step in failed), row.path
            assert not any(errors[row.sha256][step].startswith("internal error") for step in failed)

    # No step completed twice (each outcome is logged once, by whichever worker recorded it)...
    outcomes = completions(workers)
    assert outcomes and max(outcomes.values()) == 1, outcomes.most_common(3)
    # ...and no tag twice.
    tags = [(t["photo"], t["tag"], t["source"]) for t in await PhotoTag.select(PhotoTag.photo, PhotoTag.tag,
                                                                                  PhotoTag.source)]
    assert tags and len(tags) == len(set(tags))
