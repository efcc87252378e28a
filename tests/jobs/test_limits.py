"""Per-step concurrency limits per worker: never more at once than the limit, waiting costs no try, and
a limit set while the worker runs reaches it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from photonix.db import job_settings
from photonix.jobs import admission
from photonix.jobs.admission import StepLimiter, refresh_limits
from photonix.jobs.flow import chain
from photonix.jobs.steprun import pipeline_step
from photonix.jobs.tasks import extract_metadata
from tests.jobs.conftest import step_runs
from tests.jobs.test_pipeline import GPS_PHOTO


class Overlap:
    now = 0
    peak = 0


@pipeline_step
async def heavy_step(ctx: dict[str, Any], photo_id: int) -> None:
    """Holds its slot long enough for the others to want one (a RAW develop, say)."""
    Overlap.now += 1
    Overlap.peak = max(Overlap.peak, Overlap.now)
    try:
        await asyncio.sleep(0.2)
    finally:
        Overlap.now -= 1


PIPELINE = chain(extract_metadata, heavy_step)


@pytest.fixture
def overlap() -> type[Overlap]:
    Overlap.now = Overlap.peak = 0
    return Overlap


async def _four_photos(import_files, tmp_path) -> list[int]:
    files = [tmp_path / f"copy-{n}.jpg" for n in range(4)]
    for n, file in enumerate(files):
        file.write_bytes(GPS_PHOTO.file.read_bytes() + bytes(n + 1))
    return (await import_files(files, PIPELINE)).new_photo_ids


async def test_a_step_never_runs_more_often_at_once_than_its_limit(import_files, worker, overlap,
                                                                   tmp_path) -> None:
    ids = await _four_photos(import_files, tmp_path)
    await job_settings.set_step_limit("heavy_step", 1)
    await worker(PIPELINE).main()
    assert overlap.peak == 1
    for photo_id in ids:
        [heavy] = [run for run in await step_runs(photo_id) if run["step"] == "heavy_step"]
        assert (heavy["state"], heavy["tries"]) == ("done", 1)


async def test_jobs_handed_back_at_the_limit_spend_no_tries(import_files, worker, overlap, tmp_path,
                                                            monkeypatch) -> None:
    # Hardly any waiting in the worker: jobs go back to the queue, again and again, while the slot is
    # taken. With a single try allowed, one counted deferral would fail the job.
    monkeypatch.setattr(admission, "LIMIT_WAIT_SECONDS", 0.01)
    monkeypatch.setattr(admission, "LIMIT_DEFER_SECONDS", (0.05, 0.1))
    ids = await _four_photos(import_files, tmp_path)
    await job_settings.set_step_limit("heavy_step", 1)
    await worker(PIPELINE, PHOTONIX_MAX_TRIES="1").main()
    assert overlap.peak == 1
    for photo_id in ids:
        [heavy] = [run for run in await step_runs(photo_id) if run["step"] == "heavy_step"]
        assert (heavy["state"], heavy["tries"]) == ("done", 1)


async def test_a_step_without_a_limit_runs_side_by_side(import_files, worker, overlap, tmp_path) -> None:
    await _four_photos(import_files, tmp_path)
    await worker(PIPELINE).main()
    assert overlap.peak > 1


async def test_a_limit_set_while_the_worker_runs_reaches_it(clean) -> None:
    limiter = StepLimiter()
    refreshing = asyncio.create_task(refresh_limits(limiter, every=0.02))
    try:
        await job_settings.set_step_limit("convert_raw", 1)
        async with asyncio.timeout(30):
            while limiter.limits != {"convert_raw": 1}:
                await asyncio.sleep(0.02)
        await job_settings.set_step_limit("convert_raw", None)
        async with asyncio.timeout(30):
            while limiter.limits:
                await asyncio.sleep(0.02)
    finally:
        refreshing.cancel()


async def test_a_waiting_job_takes_the_slot_a_raised_limit_opens(clean) -> None:
    limiter = StepLimiter()
    await limiter.set_limits({"convert_raw": 1})
    assert await limiter.acquire("convert_raw", wait=0.01)
    waiting = asyncio.create_task(limiter.acquire("convert_raw", wait=30))
    await asyncio.sleep(0)
    await limiter.set_limits({"convert_raw": 2})
    assert await waiting
    assert limiter.running["convert_raw"] == 2
