"""Memory limits in the worker: the decode budget fails a step with its reason, and the pool's memory cap
turns a MemoryError into a permanent error with a sentence, never an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from photonix.config import Settings
from photonix.errors import ConfigError, TooLargeToDecode
from photonix.jobs.pool import WorkerPool, in_pool
from photonix.jobs.worker import build_worker
from tests.conftest import make_settings
from tests.jobs.conftest import step_runs, step_states

MIB = 1024 * 1024


def allocate(megabytes: int) -> int:
    """Runs in a pool process: hold megabytes of memory for a moment."""
    return len(bytearray(megabytes * MIB))


async def test_memory_error_in_a_capped_pool_process_is_a_permanent_error_with_a_sentence(
    settings: Settings,
) -> None:
    capped = make_settings(settings.data_dir, {"database": settings.database_url,
                                               "redis": settings.redis_url or ""},
                           PHOTONIX_WORKER_MEMORY_MB="1024", PHOTONIX_DECODE_BUDGET_MB="256")
    ctx = {"pool": WorkerPool(1, capped.worker_memory_mb, capped.decode_budget_mb), "settings": capped}
    try:
        with pytest.raises(TooLargeToDecode,
                           match=r"^ran out of memory .* 1024 MB, PHOTONIX_WORKER_MEMORY_MB"):
            await in_pool(ctx, allocate, 2048)
        assert await in_pool(ctx, allocate, 16) == 16 * MIB    # the same process carries on
    finally:
        ctx["pool"].shutdown()


async def test_photo_over_the_decode_budget_fails_its_thumbnails_with_the_reason(
    settings: Settings, import_files, tmp_path: Path
) -> None:
    path = tmp_path / "wide.png"
    Image.new("RGB", (1000, 1000), (10, 20, 30)).save(path)      # 3.8 MB decoded
    report = await import_files([path])
    tight = make_settings(settings.data_dir, {"database": settings.database_url,
                                              "redis": settings.redis_url or ""},
                          PHOTONIX_DECODE_BUDGET_MB="1", PHOTONIX_POOL_PROCESSES="1")
    worker = build_worker(tight, burst=True)                      # its own pool, made from these settings
    try:
        await worker.main()
    finally:
        worker.ctx["pool"].shutdown()
    photo_id = report.new_photo_ids[0]
    states = await step_states(photo_id)
    assert states["extract_metadata"] == "done"
    assert states["make_thumbnails"] == "failed"
    [failed] = await step_runs(photo_id, state="failed")
    assert failed["error"] == "wide.png: needs 4 MB to decode (1000x1000 pixels), over the 1 MB limit"
    assert failed["error_kind"] == "TooLargeToDecode"


@pytest.mark.parametrize(
    ("memory", "budget", "complaint"),
    [("512", "256", "WORKER_MEMORY_MB must be 0 .* or at least 1024"),
     ("2048", "2048", "DECODE_BUDGET_MB \\(2048\\) must be below PHOTONIX_WORKER_MEMORY_MB \\(2048\\)")],
)
def test_memory_settings_that_cannot_work_are_refused_at_start(memory: str, budget: str,
                                                               complaint: str) -> None:
    with pytest.raises(ConfigError, match=complaint):
        Settings.from_env({"PHOTONIX_WORKER_MEMORY_MB": memory, "PHOTONIX_DECODE_BUDGET_MB": budget})


def test_memory_cap_is_on_by_default_and_zero_turns_it_off() -> None:
    assert Settings.from_env({}).worker_memory_mb > Settings.from_env({}).decode_budget_mb > 0
    assert Settings.from_env({"PHOTONIX_WORKER_MEMORY_MB": "0"}).worker_memory_mb == 0
