"""A worker process killed mid-import loses nothing: a restarted worker finishes every photo, once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

from photonix.db.tables import PhotoTag, StepRun
from tests import corpus

DEADLINE_S = 120


async def wait_until(predicate, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def test_killed_worker_restarted_finishes_everything_without_duplicate_tags(
    settings, import_files, worker
) -> None:
    rows = corpus.rows(expected="ok")[:12]
    report = await import_files([row.file for row in rows])
    env = {
        **os.environ,
        "PHOTONIX_DATA_DIR": str(settings.data_dir),
        "PHOTONIX_DATABASE_URL": settings.database_url,
        "PHOTONIX_REDIS_URL": settings.redis_url or "",
        "PHOTONIX_JOB_TIMEOUT_SECONDS": "5",
        "PHOTONIX_POOL_PROCESSES": "1",
        "PHOTONIX_RESCAN_SECONDS": "0",
    }
    process = subprocess.Popen([sys.executable, "-m", "photonix", "worker"], env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        async def some_done() -> bool:
            return await StepRun.count().where(StepRun.state == "done") >= 3
        await wait_until(some_done, "the worker to finish a few steps")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    unfinished = await StepRun.count().where(StepRun.state.not_in(["done", "skipped", "failed"]))
    assert unfinished > 0, "the worker finished everything before it was killed; the test proves nothing"

    # A roomy step limit for the restarted worker: it must finish the work, not race a loaded machine.
    await worker(PHOTONIX_JOB_TIMEOUT_SECONDS="120").main()

    states = await StepRun.select(StepRun.photo, StepRun.step, StepRun.state)
    assert {row["state"] for row in states} <= {"done", "skipped"}
    assert {row["photo"] for row in states} == set(report.new_photo_ids)
    tag_rows = await PhotoTag.select(PhotoTag.photo, PhotoTag.tag, PhotoTag.source)
    keys = [(r["photo"], r["tag"], r["source"]) for r in tag_rows]
    assert len(keys) == len(set(keys))
    colored = {r["photo"] for r in tag_rows if str(r["source"]).startswith("color@")}
    assert colored == set(report.new_photo_ids)
