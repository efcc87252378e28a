"""The pipeline on a real Redis, real burst-mode ARQ workers and a real database."""

from __future__ import annotations

import pickle
from typing import Any

from arq.constants import default_queue_name, job_key_prefix, result_key_prefix
from arq.jobs import Job

from photonix.classifiers import CLASSIFIERS
from photonix.classifiers.base import ClassifierInput, ScoredTag
from photonix.db import photos, tags
from photonix.db.tables import Photo, PhotoTag, StepRun
from photonix.errors import TransientError
from photonix.jobs import flow
from photonix.jobs.flow import chain, group
from photonix.jobs.pipeline import PIPELINE, metadata_steps
from photonix.jobs.queue import deserialize_job, serialize_job
from photonix.jobs.steprun import pipeline_step
from photonix.jobs.tasks import classifier_step, convert_raw, extract_metadata, make_thumbnails
from tests import corpus
from tests.jobs.conftest import step_runs, step_states

GPS_PHOTO = next(row for row in corpus.rows(expected="ok") if row.gps_lat and row.datetime_original)


async def test_photo_runs_every_step_to_done_or_skipped(import_files, worker) -> None:
    report = await import_files([GPS_PHOTO.file])
    await worker().main()
    states = await step_states(report.new_photo_ids[0])
    assert set(states) == set(PIPELINE.step_names())
    assert states["convert_raw"] == "skipped"          # a JPEG is not RAW
    assert {state for step, state in states.items() if step != "convert_raw"} == {"done"}
    kinds = {t.kind for t in await tags.tags_of(report.new_photo_ids[0])}
    assert {"color", "location", "event"} <= kinds


def test_a_sidecar_change_runs_metadata_then_only_the_classifiers_without_pixels() -> None:
    rerun = metadata_steps(PIPELINE)
    without_pixels = [f"classify_{c.name}" for c in CLASSIFIERS if not c.needs_thumbnail]
    assert without_pixels, "no classifier reads metadata alone"
    assert rerun.link_steps(0) == ["extract_metadata"]
    assert rerun.step_names() == ["extract_metadata", *without_pixels]
    assert len(rerun.links) == 2                    # the classifiers still run side by side


async def test_enqueuing_twice_runs_once(import_files, worker, redis) -> None:
    report = await import_files([GPS_PHOTO.file])
    photo_id = report.new_photo_ids[0]
    await flow.start(redis, PIPELINE, photo_id, 1)
    await worker().main()
    runs = await step_runs(photo_id)
    assert len(runs) == len(PIPELINE.step_names())
    assert all(run["tries"] == 1 for run in runs)


async def test_reimport_is_a_noop(import_files, worker) -> None:
    first = await import_files([GPS_PHOTO.file])
    await worker().main()
    again = await import_files([GPS_PHOTO.file])
    assert first.new_photo_ids and not again.new_photo_ids
    assert again.unchanged == 1
    assert await StepRun.count() == len(PIPELINE.step_names())


async def test_same_content_at_two_paths_is_one_photo(import_files, tmp_path) -> None:
    copy = tmp_path / "copy.jpg"
    copy.write_bytes(GPS_PHOTO.file.read_bytes())
    report = await import_files([GPS_PHOTO.file, copy])
    assert len(report.new_photo_ids) == 1 and report.duplicates == 1


async def test_corrupt_image_fails_only_its_own_steps(import_files, worker) -> None:
    bad = corpus.rows(expected="fail")[0]
    report = await import_files([GPS_PHOTO.file, bad.file])
    good_id, bad_id = report.new_photo_ids
    await worker().main()
    assert set((await step_states(good_id)).values()) <= {"done", "skipped"}
    failed = await step_runs(bad_id, state="failed")
    assert failed and all(run["error"] for run in failed)


class ExplodingClassifier:
    """A classifier with a bug: it raises on every photo."""

    name = "exploding"
    version = 1
    needs_thumbnail = False

    def unavailable_reason(self) -> str | None:
        return None

    def prepare(self) -> None:
        """Nothing to load."""

    def skip_reason(self, given: ClassifierInput) -> str | None:
        return None

    def classify(self, given: ClassifierInput) -> list[ScoredTag]:
        raise RuntimeError("classifier bug")


async def test_classifier_that_raises_fails_only_itself(import_files, worker) -> None:
    pipeline = chain(extract_metadata, convert_raw, make_thumbnails,
                     group(*(classifier_step(c) for c in (*CLASSIFIERS, ExplodingClassifier()))))
    report = await import_files([GPS_PHOTO.file], pipeline)
    await worker(pipeline).main()
    states = await step_states(report.new_photo_ids[0])
    assert states.pop("classify_exploding") == "failed"
    assert set(states.values()) <= {"done", "skipped"}
    failed = await step_runs(report.new_photo_ids[0], state="failed")
    assert "classifier bug" in str(failed[0]["error"])


@pipeline_step
async def flaky_step(ctx: dict[str, Any], photo_id: int) -> None:
    """Fails with a transient error on its first two tries, then succeeds."""
    if ctx["job_try"] < 3:
        raise TransientError(f"network hiccup on try {ctx['job_try']}")


async def test_transient_error_retries_and_ends_done_after_three_tries(import_files, worker) -> None:
    pipeline = chain(extract_metadata, flaky_step)
    report = await import_files([GPS_PHOTO.file], pipeline)
    await worker(pipeline).main()
    [run] = [r for r in await step_runs(report.new_photo_ids[0]) if r["step"] == "flaky_step"]
    assert run["state"] == "done" and run["tries"] == 3


async def test_transient_error_gives_up_after_max_tries(import_files, worker) -> None:
    pipeline = chain(extract_metadata, flaky_step)
    report = await import_files([GPS_PHOTO.file], pipeline)
    await worker(pipeline, PHOTONIX_MAX_TRIES="2").main()
    [run] = [r for r in await step_runs(report.new_photo_ids[0]) if r["step"] == "flaky_step"]
    assert run["state"] == "failed" and run["tries"] == 2
    assert "gave up after 2 tries" in str(run["error"])


async def test_reprocess_runs_again_at_a_new_version_without_duplicate_tags(import_files, worker,
                                                                            redis) -> None:
    report = await import_files([GPS_PHOTO.file])
    photo_id = report.new_photo_ids[0]
    await worker().main()
    before = sorted((t.name, t.source) for t in await tags.tags_of(photo_id))
    version = await photos.bump_version(photo_id)
    await flow.start(redis, PIPELINE, photo_id, version)
    await worker().main()
    after = sorted((t.name, t.source) for t in await tags.tags_of(photo_id))
    assert version == 2 and before == after
    assert await StepRun.count().where(StepRun.version == 2) == len(PIPELINE.step_names())


async def test_user_tags_survive_reprocessing(import_files, worker, redis) -> None:
    report = await import_files([GPS_PHOTO.file])
    photo_id = report.new_photo_ids[0]
    await worker().main()
    await tags.add_user_tag(photo_id, "holiday album")
    await flow.start(redis, PIPELINE, photo_id, await photos.bump_version(photo_id))
    await worker().main()
    assert await PhotoTag.count().where((PhotoTag.photo == photo_id) & (PhotoTag.source == "user")) == 1


async def test_missing_original_fails_with_reason(import_files, worker, library) -> None:
    doomed = library.folders[0] / "gone.jpg"
    doomed.write_bytes(GPS_PHOTO.file.read_bytes())
    report = await import_files([doomed])
    doomed.unlink()
    await worker().main()
    failed = await step_runs(report.new_photo_ids[0], state="failed")
    assert [run["step"] for run in failed] == ["extract_metadata"]
    skipped = await step_runs(report.new_photo_ids[0], state="skipped")
    assert all("extract_metadata failed" in str(run["error"]) for run in skipped)


async def test_a_rating_given_here_survives_reprocessing(import_files, worker, redis) -> None:
    report = await import_files([GPS_PHOTO.file])
    photo_id = report.new_photo_ids[0]
    await worker().main()
    await Photo.update({Photo.rating: 5}).where(Photo.id == photo_id)
    await flow.start(redis, PIPELINE, photo_id, await photos.bump_version(photo_id))
    await worker().main()
    assert (await Photo.select(Photo.rating).where(Photo.id == photo_id).first())["rating"] == 5


async def test_a_step_is_recorded_under_its_function_name(import_files, worker) -> None:
    pipeline = chain(extract_metadata, flaky_step)
    assert pipeline.step_names() == ["extract_metadata", "flaky_step"]
    assert [s.function.__name__ for s in PIPELINE.steps()] == PIPELINE.step_names()
    report = await import_files([GPS_PHOTO.file], pipeline)
    await worker(pipeline).main()
    assert set(await step_states(report.new_photo_ids[0])) == {"extract_metadata", "flaky_step"}


async def test_job_without_a_record_fails_instead_of_passing_as_finished(import_files, worker, redis) -> None:
    report = await import_files([GPS_PHOTO.file])
    photo_id = report.new_photo_ids[0]
    await worker().main()
    version = await photos.bump_version(photo_id)          # a new version: no StepRun rows for it yet
    job = flow.job_id("extract_metadata", photo_id, version)
    await redis.enqueue_job("extract_metadata", photo_id, version, False, _job_id=job)
    await worker().main()
    result = await Job(job, redis, _deserializer=deserialize_job).result_info()
    assert result is not None and result.success is False
    assert isinstance(result.result, str) and "StepRunMissing" in result.result
    assert await StepRun.count().where(StepRun.version == version) == 0


async def test_recovery_requeues_a_step_whose_job_arq_ended_without_recording_it(
    import_files, worker, redis
) -> None:
    report = await import_files([GPS_PHOTO.file])
    photo_id = report.new_photo_ids[0]
    job = flow.job_id("extract_metadata", photo_id, 1)
    # What ARQ leaves when it ends a job itself (its own timeout): no job, a kept failed result, and
    # a record that never heard of it.
    await redis.delete(job_key_prefix + job)
    await redis.zrem(default_queue_name, job)
    await redis.set(result_key_prefix + job, serialize_job({"s": False, "r": "TimeoutError()"}), ex=3600)
    await StepRun.update({StepRun.state: "retrying"}).where(
        (StepRun.photo == photo_id) & (StepRun.step == "extract_metadata"))
    await worker().main()                      # its start-up recovery re-queues the step
    assert set((await step_states(photo_id)).values()) <= {"done", "skipped"}


async def test_recovery_replaces_a_pickled_job_left_from_before_the_upgrade(import_files, worker,
                                                                            redis) -> None:
    report = await import_files([GPS_PHOTO.file])
    photo_id = report.new_photo_ids[0]
    job = flow.job_id("extract_metadata", photo_id, 1)
    legacy = {"t": 1, "f": "extract_metadata", "a": (photo_id, 1, True), "k": {}, "et": 0}
    await redis.set(job_key_prefix + job, pickle.dumps(legacy))
    await worker().main()                      # its start-up recovery writes the job again, as msgpack
    assert set((await step_states(photo_id)).values()) <= {"done", "skipped"}
