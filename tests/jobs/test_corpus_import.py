"""Import the whole corpus once through the real pipeline, then check every MANIFEST.csv row's outcome."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from arq import Worker
from PIL import Image

from photonix.db import accounts, photos
from photonix.db.tables import Photo, StepRun
from photonix.jobs.importer import import_paths
from photonix.jobs.pipeline import PIPELINE
from tests import corpus

pytestmark = pytest.mark.corpus


@dataclass(frozen=True)
class Outcome:
    photo: dict[str, object]
    states: dict[str, str]
    errors: dict[str, str]
    thumbnails: dict[str, Path]


@pytest.fixture(scope="module")
async def outcomes(database, redis, pool, settings, worker_factory_module) -> dict[str, Outcome]:
    """Import every manifest file into one library, drain the queue, and read back each photo's record."""
    owner = await accounts.create_user("corpus", "correct horse battery")
    library_id = await accounts.create_library("corpus", [corpus.CORPUS], owner)
    report = await import_paths(redis, PIPELINE, library_id, [row.file for row in corpus.all_rows()])
    assert not report.unreadable
    await worker_factory_module().main()
    by_hash = {row["content_hash"]: row for row in await Photo.select().where(Photo.library == library_id)}
    result = {}
    for row in corpus.all_rows():
        photo = by_hash[row.sha256]
        runs = await StepRun.select().where(StepRun.photo == photo["id"])
        files = await photos.files_of(photo["id"])
        result[row.path] = Outcome(
            photo, {r["step"]: r["state"] for r in runs}, {r["step"]: r["error"] for r in runs},
            {f.size_name: f.path for f in files if f.kind == "thumbnail"},
        )
    return result


@pytest.fixture(scope="module")
async def worker_factory_module(settings, pool, database, redis) -> Callable[[], Worker]:
    from photonix.db.tables import TABLES
    from photonix.jobs.worker import build_worker

    for table in reversed(TABLES):
        await table.delete(force=True)
    await redis.flushdb()
    return lambda: build_worker(settings, burst=True, pool=pool)


@pytest.mark.parametrize("row", corpus.rows(expected="ok"), ids=lambda r: r.path)
def test_ok_file_ends_with_every_step_done_or_skipped(outcomes, row: corpus.Row) -> None:
    outcome = outcomes[row.path]
    assert set(outcome.states) == set(PIPELINE.step_names())
    assert set(outcome.states.values()) <= {"done", "skipped"}, outcome.errors
    assert outcome.states["make_thumbnails"] == "done"
    assert {"square", "medium", "large"} == set(outcome.thumbnails)
    assert all(path.is_file() for path in outcome.thumbnails.values())


@pytest.mark.parametrize("row", corpus.rows(expected="ok"), ids=lambda r: r.path)
def test_ok_file_metadata_matches_manifest(outcomes, row: corpus.Row) -> None:
    photo = outcomes[row.path].photo
    assert (photo["camera_make"], photo["camera_model"]) == corpus.expected_camera(row)
    if row.has_plausible_date:
        # To the second: the manifest omits SubSecTimeOriginal. Without DateTimeOriginal we fall back to
        # other EXIF and XMP dates, the file name and the file time, which the manifest omits.
        taken_at = photo["taken_at"]
        assert isinstance(taken_at, datetime) and taken_at.replace(microsecond=0) == row.expected_taken_at
        assert photo["date_source"] == "exif_original"
    elif row.expected_taken_at is not None:     # 2099 or before photography: not used for sorting
        assert photo["taken_at"] != row.expected_taken_at and photo["date_uncertain"]
    if row.gps_lat and not corpus.is_null_island(row):
        assert (f"{photo['gps_lat']:.6f}", f"{photo['gps_lon']:.6f}") == (row.gps_lat, row.gps_lon)
    elif row.path not in corpus.GPS_THE_MANIFEST_MISSED:
        assert photo["gps_lat"] is None and photo["gps_lon"] is None
    assert photo["orientation"] == int(row.orientation or 1)


@pytest.mark.parametrize("row", corpus.rows(expected="ok", folder="orientation"), ids=lambda r: r.path)
def test_oriented_thumbnail_has_the_photos_shape(outcomes, row: corpus.Row) -> None:
    with Image.open(outcomes[row.path].thumbnails["medium"]) as thumb:
        width, height = thumb.size
    if Path(row.path).name.startswith("landscape"):
        assert width > height
    else:
        assert height > width


@pytest.mark.parametrize("row", corpus.rows(expected="fail"), ids=lambda r: r.path)
def test_bad_file_ends_with_a_failed_step_and_a_clear_message(outcomes, row: corpus.Row) -> None:
    outcome = outcomes[row.path]
    failed = [step for step, state in outcome.states.items() if state == "failed"]
    assert failed, outcome.states
    assert all(len(outcome.errors[step]) > 10 for step in failed)
    assert not any("internal error" in outcome.errors[step] for step in failed)


@pytest.mark.parametrize("row", corpus.rows(expected="either"), ids=lambda r: r.path)
def test_either_file_ends_done_or_failed_with_a_message(outcomes, row: corpus.Row) -> None:
    outcome = outcomes[row.path]
    assert set(outcome.states.values()) <= {"done", "skipped", "failed"}
    assert all(outcome.errors[step] for step, state in outcome.states.items() if state == "failed")


def test_nothing_is_left_unfinished_and_no_step_crashed(outcomes) -> None:
    for path, outcome in outcomes.items():
        assert set(outcome.states.values()) <= {"done", "skipped", "failed"}, path
        assert not any(error.startswith("internal error") for error in outcome.errors.values()), path


async def test_worker_still_processes_after_the_corpus(outcomes, redis, worker_factory_module) -> None:
    """The hostile files did not break the worker or its process pool: a new photo still goes through."""
    good = corpus.rows(expected="ok")[0]
    library = await accounts.library_by_name("corpus")
    assert library is not None
    fresh = Path(str(good.file))  # already imported: reprocess it instead
    photo_id = outcomes[good.path].photo["id"]
    version = await photos.bump_version(photo_id)
    from photonix.jobs import flow

    await flow.start(redis, PIPELINE, photo_id, version)
    await worker_factory_module().main()
    states = await StepRun.select(StepRun.state).where((StepRun.photo == photo_id)
                                                       & (StepRun.version == version))
    assert fresh.exists() and {r["state"] for r in states} <= {"done", "skipped"}
