"""How long the job actions take at scale (a benchmark, not a test).

Seeds a fresh SQLite file and a fresh PostgreSQL database (photonix_bench_<random>, dropped at the end)
with N photos in one library, each with one done run of every pipeline step (F % of them failed at
extract_metadata in 40 distinct messages, the steps after it skipped), then times, in this process:
  pause_check     the query every job makes before it claims its record (median of 2,000)
  retry_plan      a dry run of "retry all" (every failure; permanent kinds left out) and of one group
  rerun_plan      a dry run of "re-run classify_color, missing only" after a version bump (every photo)
  request         what the page's request does for a retry of that step's failures and a re-run of
                  classify_color over every photo: count, then hand the work to a worker (no worker
                  runs here; the job stays queued)
  retry           retrying one step's failures for real, in batches, as the worker (or the CLI) does
                  it: record updates and Redis enqueues
  reprocess       re-running classify_color for 10,000 photos for real
  cancel          cancelling that queued work (records and Redis jobs)
  clear_plan      counting the clearable history
Redis: --redis-url (a database of its own; flushed before and after), else an embedded one.

Usage: .venv/bin/python bench/job_actions.py [--photos 100000] [--failed-percent 5]
           [--redis-url redis://127.0.0.1:6379/12]      (default: PHOTONIX_REDIS_URL, else embedded)
           [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres | --no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.seeding import PHOTO_COLUMNS, insert_rows, migrate, photo_rows, seed_user
from bench.serving import on_each_database, redis_for
from photonix.config import Settings
from photonix.db import engine, job_actions, job_pauses
from photonix.jobs.actions import rerun_action, retry_action
from photonix.jobs.housekeeping import cancel_library
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.queue import connect
from photonix.jobs.reprocess import reprocess
from photonix.jobs.rerun import Rerun, RerunMode
from photonix.jobs.retry import RetryScope, RetrySelection, plan_retry, retry
from photonix.logs import configure_logging
from photonix.media.failures import failure_reason

MESSAGES = 40
RERUN_PHOTOS = 10_000
BULK_OVER = 1_000                 # PHOTONIX_BULK_ACTION_PHOTOS's default
STEP_COLUMNS = ("photo", "step", "version", "state", "tries", "job_id", "error", "error_kind", "queued_at",
                "started_at", "finished_at", "duration_ms", "library", "reason")


def step_rows(photos: int, failed_percent: float, library: int) -> Iterator[tuple[Any, ...]]:
    """One run of every step per photo (ids 1..photos); every 100/F-th photo failed at its first step
    (alternately a PhotonixError kind and an internal error, in MESSAGES messages), its later steps
    skipped."""
    now = datetime.now(UTC)
    steps = PIPELINE.step_names()
    every = max(1, round(100 / failed_percent)) if failed_percent else 0
    for index in range(photos):
        photo = index + 1
        failed = bool(every) and index % every == 0
        for position, step in enumerate(steps):
            if failed and position == 0:
                state, kind = "failed", "UndecodableImage" if (index // every) % 2 else "RuntimeError"
                error = f"x.jpg: cannot identify image file (kind {index % MESSAGES})"
            elif failed:
                state, error, kind = "skipped", f"not run: {steps[0]} failed", "Upstream"
            else:
                state, error, kind = "done", "", ""
            yield (photo, step, 1, state, 1, f"{step}:{photo}:1", error, kind, now, now, now, 10, library,
                   failure_reason(error))


async def seed(settings: Settings, photos: int, failed_percent: float) -> int:
    """The photos and their runs, in bulk through the tallies' triggers (bench/seeding.py)."""
    library = await seed_user(admin=True)
    await insert_rows(settings, [("photo", PHOTO_COLUMNS, photo_rows(photos, library)),
                                 ("step_run", STEP_COLUMNS, step_rows(photos, failed_percent, library))])
    return library


async def timed(label: str, work: Callable[[], Awaitable[Any]]) -> Any:
    started = time.perf_counter()
    result = await work()
    print(f"  {label:<44} {1000 * (time.perf_counter() - started):>9.1f} ms")
    return result


async def measure(settings: Settings, photos: int, failed_percent: float) -> None:
    bound = engine.bind(settings)
    await engine.open_pool(bound)
    redis = await connect(settings)
    await redis.flushdb()
    try:
        await migrate(settings)
        started = time.perf_counter()
        library = await seed(settings, photos, failed_percent)
        print(f"  seeded {photos:,} photos in {time.perf_counter() - started:.0f} s")
        checks = []
        for n in range(2_000):
            t = time.perf_counter()
            await job_pauses.is_paused("classify_color", 1 + n % photos)
            checks.append(time.perf_counter() - t)
        print(f"  {'pause_check (median of 2,000)':<44} {1000 * statistics.median(checks):>9.3f} ms")
        plan = await timed("retry_plan: all (permanent left out)",
                           lambda: plan_retry(RetrySelection(RetryScope.ALL)))
        print(f"    -> {plan.photos:,} photos, {plan.permanent_left_out:,} permanent left out")
        group = await timed("retry_plan: one group", lambda: plan_retry(RetrySelection(
            RetryScope.GROUP, step="extract_metadata", error_kind="RuntimeError",
            reason=failure_reason("x.jpg: cannot identify image file (kind 0)"))))
        print(f"    -> {group.photos:,} photos")
        bumped = Rerun("classify_color", RerunMode.MISSING, library)
        missing = await timed("rerun_plan: classify_color missing", lambda: job_actions.photos_to_rerun(
            "classify_color", 2, library, missing_only=True))
        print(f"    -> {len(missing):,} photos")
        step_wide = RetrySelection(RetryScope.STEP, step="extract_metadata")
        asked = await timed("request: retry them as the page asks (bulk)", lambda: retry_action(
            redis, step_wide, dry_run=False, bulk_over=BULK_OVER))
        print(f"    -> {asked.message}")
        asked = await timed("request: re-run classify_color, all (bulk)", lambda: rerun_action(
            redis, Rerun("classify_color", RerunMode.ALL, library), dry_run=False, bulk_over=BULK_OVER))
        print(f"    -> {asked.message}")
        done = await timed("retry: extract_metadata failures (apply)", lambda: retry(
            redis, RetrySelection(RetryScope.STEP, step="extract_metadata")))
        print(f"    -> {done.photos:,} photos, {len(done.runs):,} runs")
        await timed(f"reprocess: classify_color of {RERUN_PHOTOS:,} photos",
                    lambda: reprocess(redis, missing[:RERUN_PHOTOS], [bumped.step]))
        cancelled = await timed("cancel: the library's queued work",
                                lambda: cancel_library(redis, library, "bench"))
        print(f"    -> {cancelled.photos:,} photos, {cancelled.runs:,} runs")
        await timed("clear_plan: clearable history", lambda: job_actions.clearable_history(
            datetime.now(UTC) + timedelta(days=1)))
    finally:
        await redis.flushdb()
        await redis.aclose()
        await engine.close_pool(bound)


def settings_for(database_url: str, redis_url: str, data_dir: Path) -> Settings:
    return Settings.from_env({"PHOTONIX_DATA_DIR": str(data_dir), "PHOTONIX_DATABASE_URL": database_url,
                              "PHOTONIX_REDIS_URL": redis_url, "PHOTONIX_LOG_LEVEL": "warning"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--failed-percent", type=float, default=5.0)
    parser.add_argument("--redis-url", default=os.environ.get("PHOTONIX_REDIS_URL"),
                        help="a Redis database it may flush (default: PHOTONIX_REDIS_URL, else embedded)")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    configure_logging("warning")
    with tempfile.TemporaryDirectory() as tmp, redis_for(args, Path(tmp)) as redis_url:
        def run(label: str, database_url: str) -> None:
            print(f"{label}, {args.photos:,} photos")
            asyncio.run(measure(settings_for(database_url, redis_url, Path(tmp)), args.photos,
                                args.failed_percent))

        on_each_database(args, Path(tmp), run)


if __name__ == "__main__":
    main()
