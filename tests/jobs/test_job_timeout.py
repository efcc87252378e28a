"""A step past PHOTONIX_JOB_TIMEOUT_SECONDS is recorded, retried, then failed; its stuck pool process dies."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from photonix.config import Settings
from photonix.jobs.flow import chain
from photonix.jobs.pool import WorkerPool, in_pool
from photonix.jobs.steprun import pipeline_step
from photonix.jobs.worker import build_worker
from tests import corpus
from tests.conftest import make_settings
from tests.jobs.conftest import step_runs
from tests.jobs.hanging import hang_forever, own_pid

DEADLINE_S = 60
PHOTO = corpus.rows(expected="ok", folder="orientation")[0].file


@pipeline_step
async def hanging_step(ctx: dict[str, object], photo_id: int) -> None:
    settings: Settings = ctx["settings"]  # type: ignore[assignment]  # ctx values are untyped
    await in_pool(ctx, hang_forever, str(settings.data_dir / f"hung-{photo_id}.pids"))


@pipeline_step
async def quick_step(ctx: dict[str, object], photo_id: int) -> None:
    await in_pool(ctx, own_pid)


def is_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in {"Z", "X"}


async def wait_until_dead(pids: list[int]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while alive := [pid for pid in pids if is_alive(pid)]:
        assert time.monotonic() < deadline, f"stuck pool processes still running: {alive}"
        await asyncio.sleep(0.1)


async def test_step_that_hangs_times_out_retries_then_fails_and_its_process_is_killed(
    import_files, settings, clean
) -> None:
    pool = WorkerPool(1)
    first_process = await pool.run(own_pid)                    # the only slot, started and idle
    pipeline = chain(hanging_step)
    urls = {"database": settings.database_url, "redis": settings.redis_url or ""}
    try:
        report = await import_files([PHOTO], pipeline)
        photo_id = report.new_photo_ids[0]
        await build_worker(make_settings(settings.data_dir, urls, PHOTONIX_JOB_TIMEOUT_SECONDS="1",
                                         PHOTONIX_MAX_TRIES="2", PHOTONIX_POOL_PROCESSES="1"),
                           pipeline=pipeline, burst=True, pool=pool).main()

        [run] = await step_runs(photo_id)
        assert run["state"] == "failed" and run["tries"] == 2
        assert "timed out after 1 s" in str(run["error"])
        recorded = [int(pid) for pid in (settings.data_dir / f"hung-{photo_id}.pids").read_text().split()]
        assert first_process in recorded
        await wait_until_dead(recorded)

        # The one slot is free again: the next photo's step runs there at its first try.
        other = corpus.rows(expected="ok", folder="orientation")[1].file
        second = await import_files([other], chain(quick_step))
        await build_worker(make_settings(settings.data_dir, urls, PHOTONIX_POOL_PROCESSES="1"),
                           pipeline=chain(quick_step), burst=True, pool=pool).main()
        [done] = await step_runs(second.new_photo_ids[0])
        assert done["state"] == "done" and done["tries"] == 1
    finally:
        pool.shutdown()
