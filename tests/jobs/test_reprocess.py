"""The one reprocess: a new version of each photo, the named steps and the steps after them, each run
recorded with its step's code version."""

from __future__ import annotations

import pytest

from photonix.classifiers import CLASSIFIERS
from photonix.db.tables import StepRun
from photonix.errors import InvalidAction
from photonix.jobs.flow import chain, step
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.reprocess import reprocess, steps_to_run
from photonix.jobs.tasks import extract_metadata, make_thumbnails
from tests.jobs.conftest import step_runs
from tests.jobs.test_pipeline import GPS_PHOTO

CLASSIFIER_STEPS = [f"classify_{c.name}" for c in CLASSIFIERS]


async def _runs_at(photo_id: int, version: int) -> dict[str, str]:
    return {str(run["step"]): str(run["state"]) for run in await step_runs(photo_id)
            if run["version"] == version}


def test_naming_a_step_runs_it_and_the_steps_after_it_in_pipeline_order() -> None:
    assert steps_to_run(["make_thumbnails"]) == ["make_thumbnails", *CLASSIFIER_STEPS]
    assert steps_to_run(["classify_color"]) == ["classify_color"]      # its siblings do not depend on it
    assert steps_to_run(None) == PIPELINE.step_names()
    with pytest.raises(InvalidAction, match="nope"):
        steps_to_run(["nope"])


async def test_reprocessing_thumbnails_runs_the_classifiers_again_but_not_the_steps_before(
        import_files, worker, redis) -> None:
    [photo_id] = (await import_files([GPS_PHOTO.file])).new_photo_ids
    await worker().main()
    started = await reprocess(redis, [photo_id], ["make_thumbnails"])
    assert started.versions == {photo_id: 2}
    await worker().main()
    assert await _runs_at(photo_id, 2) == dict.fromkeys(["make_thumbnails", *CLASSIFIER_STEPS], "done")


async def test_reprocessing_one_classifier_runs_only_it(import_files, worker, redis) -> None:
    [photo_id] = (await import_files([GPS_PHOTO.file])).new_photo_ids
    await worker().main()
    await reprocess(redis, [photo_id], ["classify_color"])
    await worker().main()
    assert await _runs_at(photo_id, 2) == {"classify_color": "done"}


async def test_a_full_reprocess_of_many_photos_runs_every_step_of_each(import_files, worker, redis,
                                                                       tmp_path) -> None:
    copy = tmp_path / "other.jpg"
    copy.write_bytes(GPS_PHOTO.file.read_bytes() + b"\0")          # different content: another photo
    ids = (await import_files([GPS_PHOTO.file, copy])).new_photo_ids
    await worker().main()
    started = await reprocess(redis, ids)
    await worker().main()
    for photo_id in ids:
        assert started.versions[photo_id] == 2
        runs = await _runs_at(photo_id, 2)
        assert set(runs) == set(PIPELINE.step_names()) and set(runs.values()) <= {"done", "skipped"}


async def test_each_run_records_its_steps_code_version(import_files, worker, redis) -> None:
    versioned = chain(extract_metadata, step(make_thumbnails, version=4))
    [photo_id] = (await import_files([GPS_PHOTO.file], versioned)).new_photo_ids
    await worker(versioned).main()
    await reprocess(redis, [photo_id], ["make_thumbnails"], versioned)
    rows = await StepRun.select(StepRun.step, StepRun.version, StepRun.step_version).where(
        StepRun.photo == photo_id).order_by(StepRun.id)
    assert [(r["step"], r["version"], r["step_version"]) for r in rows] == [
        ("extract_metadata", 1, 1), ("make_thumbnails", 1, 4), ("make_thumbnails", 2, 4)]


async def test_classifier_steps_carry_their_classifiers_version() -> None:
    versions = PIPELINE.step_versions()
    assert all(versions[f"classify_{c.name}"] == c.version for c in CLASSIFIERS)
