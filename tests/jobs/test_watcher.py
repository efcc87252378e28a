"""New files in a library folder are imported: live by the worker's watcher, or by the periodic rescan."""

from __future__ import annotations

import asyncio
import shutil
import signal
import time

from photonix.db import accounts
from photonix.db.tables import Photo, StepRun
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.watcher import rescan_all
from photonix.jobs.worker import build_worker, run_until_stopped
from tests import corpus

DEADLINE_S = 60


async def test_file_dropped_into_a_watched_folder_is_imported_and_processed(library, settings, pool) -> None:
    running = build_worker(settings, pool=pool, watch=True)
    task = asyncio.create_task(run_until_stopped(running))
    try:
        await asyncio.sleep(1)                  # the watcher starts with the worker
        row = corpus.rows(expected="ok", folder="orientation")[0]
        shutil.copy(row.file, library.folders[0] / "new.jpg")
        deadline = time.monotonic() + DEADLINE_S
        finished = StepRun.state.is_in(["done", "skipped"])
        while await StepRun.count().where(finished) < len(PIPELINE.step_names()):
            assert time.monotonic() < deadline, "the watcher did not import the new file"
            await asyncio.sleep(0.1)
        assert await Photo.count() == 1
    finally:
        running.handle_sig(signal.SIGTERM)          # what `photonix worker` gets from a stop
        await task


async def test_rescan_imports_what_the_watcher_missed(library, redis) -> None:
    for row in corpus.rows(expected="ok", folder="orientation")[:3]:
        shutil.copy(row.file, library.folders[0] / row.file.name)
    assert await rescan_all(redis, PIPELINE) == 3
    assert await rescan_all(redis, PIPELINE) == 0


async def wait_for(predicate, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not await predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def test_library_added_while_the_worker_runs_is_watched(settings, pool, clean, tmp_path) -> None:
    running = build_worker(settings, pool=pool, watch=True)
    task = asyncio.create_task(run_until_stopped(running))
    try:
        async def worker_started() -> bool:
            return "watcher" in running.ctx
        await wait_for(worker_started, "the worker to start")
        folder = tmp_path / "added-later"
        folder.mkdir()
        # What the welcome page and the settings form do (they also queue a scan: the watcher must
        # not need it).
        owner = await accounts.create_user("newcomer", "correct horse battery")
        await accounts.create_library("Added later", [folder], owner)
        rows = corpus.rows(expected="ok", folder="orientation")
        shutil.copy(rows[0].file, folder / "first.jpg")

        async def photos(n: int) -> bool:
            return await Photo.count() >= n
        await wait_for(lambda: photos(1), "the first file in the new library")
        shutil.copy(rows[1].file, folder / "second.jpg")
        await wait_for(lambda: photos(2), "a file dropped into the watched new library")
    finally:
        running.handle_sig(signal.SIGTERM)          # what `photonix worker` gets from a stop
        await task
