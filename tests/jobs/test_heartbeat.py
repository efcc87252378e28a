"""Each long-lived worker beats into Redis with what it runs; a worker silent for three beats is lost."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from arq import ArqRedis

from photonix.config import Settings
from photonix.jobs.flow import chain
from photonix.jobs.heartbeat import WorkerBeat, publish_beat, worker_beats
from photonix.jobs.pool import in_pool
from photonix.jobs.resources_used import photonix_version
from photonix.jobs.steprun import pipeline_step
from photonix.jobs.takeover import TAKEOVER_KEY_PREFIX
from photonix.jobs.worker import build_worker, run_until_stopped
from tests import corpus
from tests.conftest import make_settings
from tests.jobs.hanging import wait_for_file
from tests.jobs.worker_processes import wait_until

DEADLINE_S = 60
PHOTO = corpus.rows(expected="ok", folder="orientation")[0].file


@pipeline_step
async def gated_step(ctx: dict[str, object], photo_id: int) -> None:
    settings: Settings = ctx["settings"]  # type: ignore[assignment]  # ctx values are untyped
    await in_pool(ctx, wait_for_file, str(settings.data_dir / f"gate-{photo_id}"))


async def beat_where(redis: ArqRedis, wanted: Callable[[WorkerBeat], bool], what: str) -> WorkerBeat:
    deadline = time.monotonic() + DEADLINE_S
    while True:
        found = [beat for beat in await worker_beats(redis) if wanted(beat)]
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"no beat {what}"
        await asyncio.sleep(0.05)


async def test_worker_beats_with_the_step_it_runs_and_counts_it_once_done(
    import_files, settings, pool, redis
) -> None:
    pipeline = chain(gated_step)
    report = await import_files([PHOTO], pipeline)
    photo_id = report.new_photo_ids[0]
    urls = {"database": settings.database_url, "redis": settings.redis_url or ""}
    beating = make_settings(settings.data_dir, urls, PHOTONIX_HEARTBEAT_SECONDS="0.2",
                            PHOTONIX_WORKER_CONCURRENCY="3")
    running = build_worker(beating, pipeline=pipeline, pool=pool)
    task = asyncio.create_task(run_until_stopped(running))
    try:
        busy = await beat_where(redis, lambda beat: bool(beat.running), "with a running step")
        assert busy.worker_id == running.ctx["worker_id"]
        assert (busy.host, busy.pid, busy.version) == (socket.gethostname(), os.getpid(), photonix_version())
        assert (busy.concurrency, busy.pool_size) == (3, beating.pool_processes)
        assert busy.rss_bytes > 10 * 1024 * 1024 and not busy.lost
        [job] = busy.running
        assert (job.photo_id, job.step, job.job_id) == (photo_id, "gated_step", f"gated_step:{photo_id}:1")

        # The step waits in a pool process; the worker keeps beating meanwhile.
        later = busy.last_beat + timedelta(seconds=1)
        await beat_where(redis, lambda beat: beat.last_beat > later and bool(beat.running), "a second later")

        (settings.data_dir / f"gate-{photo_id}").touch()
        done = await beat_where(redis, lambda beat: beat.jobs_done == 1, "counting the finished step")
        assert done.running == () and done.jobs_failed == 0
    finally:
        (settings.data_dir / f"gate-{photo_id}").touch()
        running.handle_sig(signal.SIGTERM)
        await task


async def test_worker_silent_for_three_beats_is_listed_as_lost(redis, clean) -> None:
    now = datetime.now(UTC)
    alive = WorkerBeat(worker_id="host-a:1:abc", host="host-a", pid=1, version="1", concurrency=8,
                       pool_size=2, rss_bytes=1, started_at=now - timedelta(hours=1),
                       last_beat=now - timedelta(seconds=4), beat_seconds=5, jobs_done=3, jobs_failed=1,
                       running=())
    silent = replace(alive, worker_id="host-b:2:def", host="host-b", pid=2,
                     last_beat=now - timedelta(seconds=16))
    await publish_beat(redis, alive)
    await publish_beat(redis, silent)
    beats = await worker_beats(redis, now)
    assert [(beat.worker_id, beat.lost) for beat in beats] == [("host-a:1:abc", False),
                                                               ("host-b:2:def", True)]


async def test_worker_that_beats_again_after_a_takeover_may_be_taken_over_again(settings, pool, redis,
                                                                                 clean) -> None:
    urls = {"database": settings.database_url, "redis": settings.redis_url or ""}
    running = build_worker(make_settings(settings.data_dir, urls, PHOTONIX_HEARTBEAT_SECONDS="0.2"),
                           pool=pool)
    claim = TAKEOVER_KEY_PREFIX + running.ctx["worker_id"]
    await redis.set(claim, "vm:2:other")          # what a survivor leaves when it took this worker over
    task = asyncio.create_task(run_until_stopped(running))
    try:
        await beat_where(redis, lambda beat: beat.worker_id == running.ctx["worker_id"], "of the worker")

        async def claim_cleared() -> bool:
            return not await redis.exists(claim)
        await wait_until(claim_cleared, "the worker's next beat to clear the takeover claim")
    finally:
        running.handle_sig(signal.SIGTERM)
        await task
