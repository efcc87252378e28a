"""Emptying the trash: after PHOTONIX_TRASH_DAYS a worker purges a photo's derivatives, uploaded original
and row; a watched library file stays on disk (unless an admin allows deleting it), and no rescan brings
it back."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from arq import ArqRedis, Worker

from photonix.config import Settings
from photonix.db import accounts, photo_lifecycle, photos, step_tally, trash
from photonix.db.accounts import LibraryInfo
from photonix.db.tables import ForgottenFile, Photo, PhotoFile
from photonix.jobs.importer import import_folder, import_paths, ingest_upload
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.trash_purge import enqueue_empty_trash, purged_total
from tests import corpus

# Enough of the pipeline to make every kind of derivative: a RAW render and thumbnails.
THUMBS = PIPELINE.restricted_to({"extract_metadata", "convert_raw", "make_thumbnails"})
JPEGS = [row.file for row in corpus.rows(expected="ok", folder="orientation")[:3]]
RAW = next(row.file for row in corpus.rows(expected="ok") if row.format.startswith("RAW"))
CRON = "cron:purge_expired_trash"


async def _owner(library: LibraryInfo) -> int:
    user = await accounts.user_by_name("alice")
    assert user is not None
    return user.id


async def _trashed_days_ago(photo_ids: list[int], days: float) -> None:
    await Photo.update({Photo.trashed_at: datetime.now(UTC) - timedelta(days=days)}).where(
        Photo.id.is_in(photo_ids))


async def _files(photo_id: int) -> dict[str, Path]:
    rows = await PhotoFile.select(PhotoFile.kind, PhotoFile.size_name, PhotoFile.path).where(
        PhotoFile.photo == photo_id)
    return {f"{row['kind']}:{row['size_name']}": Path(row["path"]) for row in rows}


async def _purge_on_a_worker(redis: ArqRedis, worker: Callable[..., Worker], **settings: str) -> None:
    """The nightly cron job, run now by a real burst worker."""
    await redis.enqueue_job(CRON)
    await worker(THUMBS, **settings).main()


@pytest.fixture
async def imported(settings: Settings, redis: ArqRedis, library: LibraryInfo,
                   worker: Callable[..., Worker]) -> dict[str, int]:
    """A JPEG and a RAW file in the library's watched folder and an uploaded JPEG, all processed."""
    folder = library.folders[0]
    for source in (JPEGS[0], RAW):
        shutil.copyfile(source, folder / source.name)
    report = await import_folder(redis, THUMBS, library.id, folder)
    by_name = {(await photos.source_for(i)).original_path.name: i for i in report.new_photo_ids}
    uploaded, _ = await ingest_upload(settings, redis, THUMBS, library.id, "upload.jpg",
                                      io.BytesIO(JPEGS[1].read_bytes()))
    await worker(THUMBS).main()
    return {"jpeg": by_name[JPEGS[0].name], "raw": by_name[RAW.name], "upload": uploaded}


async def test_purge_deletes_derivatives_and_uploads_but_leaves_library_files_forgotten(
        settings, redis, library, imported, worker) -> None:
    ids = list(imported.values())
    files = {name: await _files(photo_id) for name, photo_id in imported.items()}
    assert files["raw"]["raw_render:"].is_file() and files["jpeg"]["thumbnail:medium"].is_file()
    await photo_lifecycle.trash_photos(await _owner(library), ids)
    await _trashed_days_ago(ids, 31)

    await _purge_on_a_worker(redis, worker)

    assert await Photo.count() == 0 and await PhotoFile.count() == 0
    derivatives = [path for kinds in files.values() for kind, path in kinds.items() if kind != "original:"]
    assert derivatives and not any(path.exists() for path in derivatives)
    assert not files["upload"]["original:"].exists()
    library_files = [files["jpeg"]["original:"], files["raw"]["original:"]]
    assert all(path.is_file() for path in library_files)
    forgotten = await trash.forgotten_files(library.id)
    assert set(forgotten) == {str(path) for path in library_files}
    assert await purged_total(redis) == 3
    assert await step_tally.photo_totals() == (0, 0)          # the dashboard's tallies followed

    rescan = await import_folder(redis, THUMBS, library.id, library.folders[0])
    assert rescan.new_photo_ids == [] and rescan.forgotten == 2
    assert await Photo.count() == 0


async def test_a_copy_of_a_forgotten_file_stays_out_but_new_content_at_its_path_comes_in(
        redis, library, imported, worker) -> None:
    jpeg = (await photos.source_for(imported["jpeg"])).original_path
    await photo_lifecycle.trash_photos(await _owner(library), [imported["jpeg"]])
    await _trashed_days_ago([imported["jpeg"]], 40)
    await _purge_on_a_worker(redis, worker)
    copy = jpeg.with_name("copy-of-" + jpeg.name)
    shutil.copyfile(jpeg, copy)
    assert (await import_paths(redis, THUMBS, library.id, [copy])).forgotten == 1

    shutil.copyfile(JPEGS[2], jpeg)                           # other content under the forgotten name
    report = await import_paths(redis, THUMBS, library.id, [jpeg])
    assert len(report.new_photo_ids) == 1
    assert str(jpeg) not in await trash.forgotten_files(library.id)


async def test_with_the_admin_setting_on_the_purge_deletes_library_files(redis, library, imported,
                                                                         worker) -> None:
    jpeg = (await photos.source_for(imported["jpeg"])).original_path
    await trash.set_deletes_library_files(True)
    await photo_lifecycle.trash_photos(await _owner(library), [imported["jpeg"]])
    await _trashed_days_ago([imported["jpeg"]], 31)
    await _purge_on_a_worker(redis, worker)
    assert not jpeg.exists()
    assert await ForgottenFile.count() == 0
    assert await Photo.count() == 2


async def test_the_purge_waits_for_the_configured_days(redis, library, imported, worker) -> None:
    owner = await _owner(library)
    await photo_lifecycle.trash_photos(owner, [imported["jpeg"], imported["upload"]])
    await _trashed_days_ago([imported["jpeg"]], 29)
    await _trashed_days_ago([imported["upload"]], 31)
    await _purge_on_a_worker(redis, worker)                   # the default: 30 days
    remaining = {row["id"] for row in await Photo.select(Photo.id)}
    assert remaining == {imported["jpeg"], imported["raw"]}

    await _purge_on_a_worker(redis, worker, PHOTONIX_TRASH_DAYS="10")
    assert {row["id"] for row in await Photo.select(Photo.id)} == {imported["raw"]}


async def test_a_photo_restored_before_the_purge_keeps_everything(redis, library, imported, worker) -> None:
    owner = await _owner(library)
    before = await _files(imported["upload"])
    await photo_lifecycle.trash_photos(owner, [imported["upload"]])
    await _trashed_days_ago([imported["upload"]], 31)
    await photo_lifecycle.restore_photos(owner, [imported["upload"]])
    await _purge_on_a_worker(redis, worker)
    assert await _files(imported["upload"]) == before and all(path.is_file() for path in before.values())


async def test_a_derivative_the_same_picture_has_in_another_library_stays(
        redis, library, imported, worker, tmp_path) -> None:
    other_folder = tmp_path / "other"
    other_folder.mkdir()
    other = await accounts.create_library("Other", [other_folder], await _owner(library))
    shutil.copyfile(JPEGS[0], other_folder / JPEGS[0].name)
    [twin] = (await import_folder(redis, THUMBS, other, other_folder)).new_photo_ids
    await worker(THUMBS).main()
    shared = (await _files(twin))["thumbnail:medium"]
    assert shared == (await _files(imported["jpeg"]))["thumbnail:medium"]   # keyed by content hash

    await photo_lifecycle.trash_photos(await _owner(library), [imported["jpeg"]])
    await _trashed_days_ago([imported["jpeg"]], 31)
    await _purge_on_a_worker(redis, worker)
    assert shared.is_file()
    assert await trash.forgotten_files(other) == {}


async def test_empty_trash_now_purges_whatever_its_age(redis, library, imported, worker) -> None:
    await photo_lifecycle.trash_photos(await _owner(library), [imported["raw"]])
    assert await enqueue_empty_trash(redis)
    await worker(THUMBS).main()
    assert {row["id"] for row in await Photo.select(Photo.id)} == {imported["jpeg"], imported["upload"]}
    assert await enqueue_empty_trash(redis)                   # done: it may be asked again at once


async def test_a_trash_too_big_for_one_jobs_time_goes_on_in_follow_up_jobs(redis, library, imported,
                                                                           worker) -> None:
    ids = list(imported.values())
    await photo_lifecycle.trash_photos(await _owner(library), ids)
    await redis.enqueue_job("empty_trash", None, 0, 0)      # no time at all: one photo per job
    drained = worker(THUMBS)
    await drained.main()
    assert await Photo.count() == 0
    assert drained.jobs_complete == len(ids)
    assert await purged_total(redis) == len(ids)
