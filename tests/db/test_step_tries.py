"""The per-try record: every claim opens a numbered try, every outcome closes it, and it goes with its run."""

from __future__ import annotations

import importlib
from pathlib import Path

from photonix.db import accounts, photos, stepruns
from photonix.db.tables import StepRun, StepTry

MIGRATION = importlib.import_module("piccolo_migrations.photonix_2026_12_01t02_40_00_000000")


async def _queued_photo(tmp_path: Path, step: str = "extract_metadata") -> int:
    owner = await accounts.create_user("alice", "correct horse battery")
    library_id = await accounts.create_library("tries", [tmp_path], owner)
    photo_id, _ = await photos.register(library_id, "0" * 64, tmp_path / "IMG_0001.JPG", 10)
    await stepruns.mark_queued(photo_id, 1, [step], {})
    return photo_id


async def _tries(photo_id: int) -> list[dict[str, object]]:
    return await StepTry.select().where(StepTry.photo == photo_id).order_by(StepTry.id)


async def test_each_claim_opens_a_numbered_try_and_its_outcome_closes_it(clean: None, tmp_path: Path) -> None:
    photo_id = await _queued_photo(tmp_path)
    assert await stepruns.claim(photo_id, "extract_metadata", 1, "job", 1, worker="host:1:a")
    await stepruns.finish(photo_id, "extract_metadata", 1, "retrying",
                          error="IMG_0001.JPG: storage unavailable", error_kind="StorageUnavailable",
                          duration_ms=5)
    assert await stepruns.claim(photo_id, "extract_metadata", 1, "job", 2, worker="host:2:b")
    await stepruns.finish(photo_id, "extract_metadata", 1, "done", duration_ms=7)
    tries = await _tries(photo_id)
    assert [(t["try_number"], t["worker"], t["state"], t["duration_ms"]) for t in tries] == [
        (1, "host:1:a", "retrying", 5), (2, "host:2:b", "done", 7)]
    assert tries[0]["error"] == "IMG_0001.JPG: storage unavailable" and tries[1]["error"] == ""
    assert all(t["finished_at"] is not None for t in tries)
    run = await StepRun.select().where(StepRun.photo == photo_id).first()
    assert run is not None and run["worker"] == "host:2:b" and run["state"] == "done"


async def test_a_try_whose_worker_died_is_closed_as_lost_by_the_next(clean: None, tmp_path: Path) -> None:
    photo_id = await _queued_photo(tmp_path)
    assert await stepruns.claim(photo_id, "extract_metadata", 1, "job", 1, worker="dead:1:a")
    assert await stepruns.claim(photo_id, "extract_metadata", 1, "job", 2, worker="alive:2:b")
    await stepruns.finish(photo_id, "extract_metadata", 1, "done", duration_ms=3)
    tries = await _tries(photo_id)
    assert [(t["try_number"], t["state"]) for t in tries] == [(1, "lost"), (2, "done")]
    assert tries[0]["error"] == stepruns.LOST_TRY


async def test_a_failed_run_records_its_reason_without_the_file_name(clean: None, tmp_path: Path) -> None:
    photo_id = await _queued_photo(tmp_path)
    assert await stepruns.claim(photo_id, "extract_metadata", 1, "job", 1)
    await stepruns.finish(photo_id, "extract_metadata", 1, "failed", error_kind="UndecodableImage",
                          error="IMG_0001.JPG: not an image format we can read")
    run = await StepRun.select(StepRun.error, StepRun.reason).where(StepRun.photo == photo_id).first()
    assert run == {"error": "IMG_0001.JPG: not an image format we can read",
                   "reason": "not an image format we can read"}


async def test_deleting_runs_deletes_their_tries(clean: None, tmp_path: Path) -> None:
    photo_id = await _queued_photo(tmp_path)
    assert await stepruns.claim(photo_id, "extract_metadata", 1, "job", 1)
    await stepruns.finish(photo_id, "extract_metadata", 1, "done")
    run_ids = [row["id"] for row in await StepRun.select(StepRun.id).where(StepRun.photo == photo_id)]
    assert await stepruns.delete_runs(run_ids) == 1
    assert await _tries(photo_id) == []


async def test_runs_recorded_before_the_migration_get_their_reason(clean: None, tmp_path: Path) -> None:
    photo_id = await _queued_photo(tmp_path)
    await StepRun.update(
        {StepRun.state: "failed", StepRun.error: "a.png: the file is empty (0 bytes)"}
    ).where(StepRun.photo == photo_id)
    await MIGRATION.fill_reasons()
    run = await StepRun.select(StepRun.reason).where(StepRun.photo == photo_id).first()
    assert run == {"reason": "the file is empty (0 bytes)"}


async def test_queuing_a_new_version_supersedes_that_steps_older_runs(clean: None, tmp_path: Path) -> None:
    photo_id = await _queued_photo(tmp_path)
    await stepruns.mark_queued(photo_id, 1, ["make_thumbnails"], {})
    await stepruns.mark_queued(photo_id, 2, ["extract_metadata"], {})
    rows = await StepRun.select(StepRun.step, StepRun.version, StepRun.is_latest).where(
        StepRun.photo == photo_id).order_by(StepRun.id)
    assert [(r["step"], r["version"], bool(r["is_latest"])) for r in rows] == [
        ("extract_metadata", 1, False), ("make_thumbnails", 1, True), ("extract_metadata", 2, True)]


async def test_a_queued_run_carries_its_photos_library(clean: None, tmp_path: Path) -> None:
    photo_id = await _queued_photo(tmp_path)
    run = await StepRun.select(StepRun.library, StepRun.photo.library.as_alias("photo_library")).where(
        StepRun.photo == photo_id).first()
    assert run is not None and run["library"] == run["photo_library"] is not None


async def test_runs_recorded_before_the_migration_get_their_library(clean: None,
                                                                                      tmp_path: Path) -> None:
    photo_id = await _queued_photo(tmp_path)
    await stepruns.mark_queued(photo_id, 2, ["extract_metadata"], {})
    await StepRun.update({StepRun.library: None}).where(StepRun.photo == photo_id)
    await MIGRATION.fill_libraries()
    rows = await StepRun.select(StepRun.version, StepRun.library).where(
        StepRun.photo == photo_id).order_by(StepRun.version)
    assert all(r["library"] is not None for r in rows)
