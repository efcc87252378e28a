"""Pause and resume: queued work waits without spending tries, running work finishes, and the pause
outlives a restart of the worker and of Redis (it is a database row)."""

from __future__ import annotations

from pathlib import Path

from photonix.db import accounts, job_pauses, step_tally
from photonix.db.job_pauses import PauseScope, PauseTarget
from photonix.db.tables import StepRun
from photonix.jobs.admission import ParkedJob, requeue_if_resumed
from photonix.jobs.embedded_redis import start_embedded_redis
from photonix.jobs.importer import import_paths
from photonix.jobs.pausing import pause, resume
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.queue import connect
from tests import corpus
from tests.conftest import make_settings
from tests.jobs.conftest import step_states
from tests.library_files import placed

JPEGS = [row.file for row in corpus.rows(expected="ok", folder="good/jpeg")[:2]]
EVERYTHING = PauseTarget(PauseScope.GLOBAL)


async def _done_count() -> int:
    return sum(counts.get("done", 0) for counts in (await step_tally.step_counts()).values())


async def _untried(step: str) -> list[tuple[str, int]]:
    rows = await StepRun.select(StepRun.state, StepRun.tries).where(StepRun.step == step)
    return [(row["state"], row["tries"]) for row in rows]


async def test_paused_step_leaves_queued_work_waiting_and_resume_finishes_it(import_files, worker,
                                                                             redis) -> None:
    await pause(PauseTarget(PauseScope.STEP, "classify_color"), "admin")
    ids = (await import_files(JPEGS)).new_photo_ids
    await worker().main()                        # ends once every job ran or ended paused
    assert await _untried("classify_color") == [("queued", 0), ("queued", 0)]
    for photo_id in ids:
        states = await step_states(photo_id)
        assert states.pop("classify_color") == "queued"
        assert set(states.values()) <= {"done", "skipped"}         # the other steps went on
    frozen = await _done_count()
    await worker().main()                        # nothing to do while paused
    assert await _done_count() == frozen

    resumed = await resume(redis, PauseTarget(PauseScope.STEP, "classify_color"))
    assert resumed.changed and resumed.requeued == 2
    await worker().main()
    assert await _untried("classify_color") == [("done", 1), ("done", 1)]


async def test_a_global_pause_holds_every_step_back(import_files, worker, redis) -> None:
    await pause(EVERYTHING, "admin")
    [photo_id] = (await import_files(JPEGS[:1])).new_photo_ids
    await worker().main()
    assert set((await step_states(photo_id)).values()) == {"queued"}
    assert await _done_count() == 0
    await resume(redis, EVERYTHING)
    await worker().main()
    assert set((await step_states(photo_id)).values()) <= {"done", "skipped"}


async def test_a_library_pause_holds_back_only_that_librarys_photos(import_files, worker, redis, library,
                                                                    tmp_path: Path) -> None:
    other_folder = tmp_path / "other"
    other_folder.mkdir()
    other = await accounts.create_library("Other", [other_folder])
    await pause(PauseTarget(PauseScope.LIBRARY, library_id=library.id), "admin")
    [held] = (await import_files(JPEGS[:1])).new_photo_ids
    [free] = (await import_paths(redis, PIPELINE, other, placed(other_folder, JPEGS[1:]))).new_photo_ids
    await worker().main()
    assert set((await step_states(held)).values()) == {"queued"}
    assert set((await step_states(free)).values()) <= {"done", "skipped"}
    [active] = await job_pauses.active_pauses()
    assert active.label == "library Alice's photos" and active.created_by == "admin"


async def test_pausing_twice_is_one_pause(clean) -> None:
    assert (await pause(EVERYTHING, "admin")).changed
    assert not (await pause(EVERYTHING, "someone else")).changed
    assert [p.created_by for p in await job_pauses.active_pauses()] == ["admin"]


async def test_a_job_that_saw_the_pause_as_it_was_lifted_enqueues_itself_again(import_files, worker,
                                                                             redis) -> None:
    await pause(EVERYTHING, "admin")
    [photo_id] = (await import_files(JPEGS[:1])).new_photo_ids
    await worker().main()                        # the first step's job ended paused; ARQ kept its result
    await job_pauses.resume(EVERYTHING)          # lifted, but the resume's re-enqueue has not happened
    await requeue_if_resumed({"redis": redis,
                              "parked_job": ParkedJob("extract_metadata", photo_id, 1, True)})
    await worker().main()
    assert set((await step_states(photo_id)).values()) <= {"done", "skipped"}


async def test_the_pause_survives_a_restart_of_worker_and_redis(settings, worker, library,
                                                                tmp_path: Path) -> None:
    first = start_embedded_redis(tmp_path / "redis-1")
    try:
        queue = await connect(make_settings(settings.data_dir, {"database": settings.database_url,
                                                                "redis": first.url}))
        await pause(EVERYTHING, "admin")
        [photo_id] = (await import_paths(queue, PIPELINE, library.id,
                                         placed(library.folders[0], JPEGS[:1]))).new_photo_ids
        await worker(PHOTONIX_REDIS_URL=first.url).main()
        await queue.aclose()
    finally:
        first.stop()
    assert set((await step_states(photo_id)).values()) == {"queued"}

    second = start_embedded_redis(tmp_path / "redis-2")          # a new, empty Redis
    try:
        queue = await connect(make_settings(settings.data_dir, {"database": settings.database_url,
                                                                "redis": second.url}))
        await worker(PHOTONIX_REDIS_URL=second.url).main()       # re-queues from the record: still paused
        assert set((await step_states(photo_id)).values()) == {"queued"}
        assert [p.scope for p in await job_pauses.active_pauses()] == [PauseScope.GLOBAL]
        assert (await resume(queue, EVERYTHING)).requeued == 1
        await worker(PHOTONIX_REDIS_URL=second.url).main()
        assert set((await step_states(photo_id)).values()) <= {"done", "skipped"}
        await queue.aclose()
    finally:
        second.stop()
