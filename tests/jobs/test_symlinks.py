"""Links in library folders: import (scan, rescan, watcher, `photonix import`) never follows one out."""

from __future__ import annotations

import asyncio
import io
import shutil
import time
from pathlib import Path

from rich.console import Console

from photonix.db.tables import Photo, StepRun
from photonix.jobs import importer
from photonix.jobs.import_command import run_import
from photonix.jobs.importer import import_folder, import_paths, outside_summary
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.watcher import rescan_all
from photonix.jobs.worker import build_worker
from photonix.media.hashing import content_hash
from tests import corpus

PHOTOS = corpus.rows(expected="ok", folder="orientation")
DEADLINE_S = 60


def outside(tmp_path: Path) -> Path:
    """A folder beside the library holding what a link must not reach: a secret and a photo."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret_key").write_text("do not serve me")
    shutil.copy(PHOTOS[1].file, elsewhere / "private.jpg")
    return elsewhere


async def stored_paths() -> set[str]:
    return {row["original_path"] for row in await Photo.select(Photo.original_path)}


async def test_file_links_leading_out_are_skipped_and_counted(library, redis, tmp_path) -> None:
    folder, elsewhere = library.folders[0], outside(tmp_path)
    shutil.copy(PHOTOS[0].file, folder / "real.jpg")
    (folder / "holiday.jpg").symlink_to(elsewhere / "secret_key")
    (folder / "other.jpg").symlink_to(elsewhere / "private.jpg")
    report = await import_folder(redis, PIPELINE, library.id, folder)
    assert len(report.new_photo_ids) == 1
    assert sorted(Path(p).name for p in report.outside_library) == ["holiday.jpg", "other.jpg"]
    assert outside_summary(len(report.outside_library)) == "skipped 2 links outside the library"
    assert await stored_paths() == {str((folder / "real.jpg").resolve())}


async def test_a_link_swapped_in_after_the_imports_check_is_never_hashed(library, redis, tmp_path,
                                                                          monkeypatch) -> None:
    folder, elsewhere = library.folders[0], outside(tmp_path)
    photo = folder / "real.jpg"
    shutil.copy(PHOTOS[0].file, photo)
    real = photo.resolve()
    checked = importer._inside

    def swapped_after_the_check(path: Path, roots: tuple[Path, ...]) -> Path | None:
        found = checked(path, roots)              # the import's own check passes on the real file...
        path.unlink()
        path.symlink_to(elsewhere / "private.jpg")    # ...then a link out takes its place
        return found

    monkeypatch.setattr(importer, "_inside", swapped_after_the_check)
    report = await import_paths(redis, PIPELINE, library.id, [photo])
    assert report.new_photo_ids == [] and list(report.unreadable) == [str(real)]
    assert "original missing or moved" in report.unreadable[str(real)]
    assert content_hash(elsewhere / "private.jpg") not in {row["content_hash"] for row in
                                                           await Photo.select(Photo.content_hash)}


async def test_a_folder_link_leading_out_is_not_walked(library, redis, tmp_path) -> None:
    folder, elsewhere = library.folders[0], outside(tmp_path)
    (folder / "old").symlink_to(elsewhere, target_is_directory=True)
    report = await import_folder(redis, PIPELINE, library.id, folder)
    assert report.new_photo_ids == [] and report.found == 0
    assert [Path(p).name for p in report.outside_library] == ["old"]
    assert await Photo.count() == 0


async def test_links_inside_the_folder_neither_loop_nor_import_twice(library, redis) -> None:
    folder = library.folders[0]
    (folder / "2020").mkdir()
    shutil.copy(PHOTOS[0].file, folder / "2020" / "a.jpg")
    (folder / "favourite.jpg").symlink_to(folder / "2020" / "a.jpg")
    (folder / "2020" / "up").symlink_to(folder, target_is_directory=True)      # a loop
    (folder / "again").symlink_to(folder / "2020", target_is_directory=True)
    report = await import_folder(redis, PIPELINE, library.id, folder)
    assert len(report.new_photo_ids) == 1 and report.found == 1 and not report.outside_library
    assert await stored_paths() == {str((folder / "2020" / "a.jpg").resolve())}


async def test_rescan_skips_a_link_leading_out(library, redis, tmp_path) -> None:
    (library.folders[0] / "holiday.jpg").symlink_to(outside(tmp_path) / "private.jpg")
    assert await rescan_all(redis, PIPELINE) == 0
    assert await Photo.count() == 0


async def test_photonix_import_reports_the_links_it_did_not_follow(library, settings, tmp_path) -> None:
    folder, elsewhere = library.folders[0], outside(tmp_path)
    shutil.copy(PHOTOS[0].file, folder / "real.jpg")
    (folder / "holiday.jpg").symlink_to(elsewhere / "secret_key")
    (folder / "old").symlink_to(elsewhere, target_is_directory=True)
    printed = io.StringIO()
    summary = await run_import(settings, folder, library.name, wait=False,
                               console=Console(file=printed, width=200))
    assert summary["new"] == 1 and len(summary["outside_library"]) == 2
    assert "skipped 2 links outside the library" in printed.getvalue()
    assert await stored_paths() == {str((folder / "real.jpg").resolve())}


async def test_the_watcher_ignores_a_new_link_leading_out(library, settings, pool, tmp_path) -> None:
    folder, elsewhere = library.folders[0], outside(tmp_path)
    running = build_worker(settings, pool=pool, watch=True)
    task = asyncio.create_task(running.async_run())
    try:
        await asyncio.sleep(1)                  # the watcher starts with the worker
        (folder / "holiday.jpg").symlink_to(elsewhere / "private.jpg")
        shutil.copy(PHOTOS[0].file, folder / "real.jpg")    # imported only after the link was seen
        deadline = time.monotonic() + DEADLINE_S
        finished = StepRun.state.is_in(["done", "skipped"])
        while await StepRun.count().where(finished) < len(PIPELINE.step_names()):
            assert time.monotonic() < deadline, "the watcher did not import the real file"
            await asyncio.sleep(0.1)
        assert await stored_paths() == {str((folder / "real.jpg").resolve())}
    finally:
        await running.close()
        task.cancel()
