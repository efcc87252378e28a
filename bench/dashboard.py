"""Job dashboard latency at 100k photos against a static file served by the same app (a benchmark, not a
test).

Seeds a fresh SQLite file and a fresh PostgreSQL database (photonix_bench_<random>, dropped at the end)
with N photos and six step runs each (600k at 100k photos) through the real triggers that keep the
dashboard's tallies: 5 % of the runs failed, in 40 distinct messages; the newest N/6 photos have all
six steps queued, and their N jobs wait in ARQ's queue in Redis (an embedded redis-server unless
--redis-url). Then it serves the real app (`python -m photonix web`), signs in as an admin and
measures p50/p95 per URL (wrk, else an httpx loop) for a fixed time, one connection:
  static    /static/css/app.css: the floor, the app's own overhead
  overview  /jobs/ with HX-Request: the dashboard's polled fragment (Steps, Workers, notices)
  header    /status/header: the header's polled status, on every page
  metrics   /metrics: the same status for Prometheus
  failures  /jobs/failures (the failure groups) and history /jobs/history (the newest runs)
and prints p95(url) / p95(static). Target (issue #11): p95 <= 30 ms for the overview fragment.

It also times the status read itself in-process (jobs_status, what a poll costs when the shared status
is stale), p50/p95 of 50 reads.

Usage: .venv/bin/python bench/dashboard.py [--photos 100000] [--seconds 8] [--rounds 1]
           [--redis-url redis://127.0.0.1:6379/10]   (a db it may flush; default: an embedded redis)
           [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres | --no-postgres]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from arq.constants import default_queue_name, job_key_prefix
from arq.jobs import serialize_job

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.seeding import PHOTO_COLUMNS, insert_rows, migrate, photo_rows, prepare_in_child, seed_user
from bench.serving import (
    Figures,
    add_arguments,
    free_port,
    load_tool,
    measure,
    on_each_database,
    redis_for,
    report,
    served,
    server_env,
    sign_in,
    wrk_script,
)
from photonix.config import Settings
from photonix.db import engine
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.queue import connect
from photonix.jobs.queue import serialize_job as msgpack_job
from photonix.jobs.status import jobs_status
from photonix.jobs.step_metrics import observe_step
from photonix.logs import configure_logging
from photonix.media.failures import failure_reason

TARGET_P95_MS = 30.0
FAILED_SHARE = 0.05
MESSAGES = 40
STEP_COLUMNS = ("photo", "library", "step", "version", "state", "tries", "job_id", "error", "reason",
                "error_kind", "traceback", "queued_at", "started_at", "finished_at", "duration_ms")
ERROR_KINDS = ("UndecodableImage", "DecompressionBomb", "CorruptRaw", "StorageUnavailable")


def queued_photos(count: int) -> int:
    """How many of the newest photos have all their steps queued: as many runs as `count` jobs."""
    return count // len(PIPELINE.step_names())


def step_rows(count: int, library_id: int) -> Iterator[tuple[Any, ...]]:
    """Six runs per photo: the newest photos queued, 5 % of the others' runs failed in 40 messages, the
    rest done, finished over the last day (the last 15 minutes busiest, as during an import)."""
    rng = random.Random(11)
    steps = PIPELINE.step_names()
    now = datetime.now(UTC)
    first_queued = count - queued_photos(count) + 1
    failure_chance = FAILED_SHARE * count * len(steps) / ((first_queued - 1) * len(steps))
    for photo_id in range(1, count + 1):
        for step in steps:
            job_id = f"{step}:{photo_id}:1"
            if photo_id >= first_queued:
                yield (photo_id, library_id, step, 1, "queued", 0, job_id, "", "", "", "", now, None, None,
                       None)
                continue
            finished = now - timedelta(seconds=rng.random() * (900 if rng.random() < 0.3 else 86_400))
            duration = int(rng.lognormvariate(5, 0.8))
            if rng.random() < failure_chance:
                message = rng.randrange(MESSAGES)
                error = f"IMG_{photo_id:06d}.jpg: synthetic failure number {message}"
                yield (photo_id, library_id, step, 1, "failed", 1, job_id, error, failure_reason(error),
                       ERROR_KINDS[message % len(ERROR_KINDS)], "", finished, finished, finished, duration)
            else:
                yield (photo_id, library_id, step, 1, "done", 1, job_id, "", "", "", "", finished, finished,
                       finished, duration)


async def seed_queue(settings: Settings, count: int) -> None:
    """The queued runs' jobs in ARQ's queue, as enqueue_job writes them (pipelined), and the figures
    workers would have counted while finishing the other runs (durations, finishes per minute)."""
    redis = await connect(settings)
    try:
        await redis.flushdb()
        rng = random.Random(12)
        now = datetime.now(UTC)
        for step in PIPELINE.step_names():
            for seconds_ago in range(0, 900, 3):
                state = "failed" if rng.random() < FAILED_SHARE else "done"
                await observe_step(redis, step, state, int(rng.lognormvariate(5, 0.8)),
                                   now - timedelta(seconds=seconds_ago))
        now_ms = int(time.time() * 1000)
        first_queued = count - queued_photos(count) + 1
        jobs = [(f"{step}:{photo_id}:1", step, photo_id) for photo_id in range(first_queued, count + 1)
                for step in PIPELINE.step_names()]
        for start in range(0, len(jobs), 5000):
            async with redis.pipeline(transaction=False) as pipe:
                for job_id, step, photo_id in jobs[start:start + 5000]:
                    payload = serialize_job(step, (photo_id, 1, True), {}, None, now_ms,
                                            serializer=msgpack_job)
                    pipe.psetex(job_key_prefix + job_id, 86_400_000, payload)
                    pipe.zadd(default_queue_name, {job_id: now_ms})
                await pipe.execute()
    finally:
        await redis.aclose()


async def status_read_ms(settings: Settings) -> list[float]:
    """What one status read costs in-process (no HTTP, no sharing): 50 reads after a warm-up."""
    bound = engine.bind(settings)
    await engine.open_pool(bound)
    redis = await connect(settings)
    try:
        await jobs_status(redis)
        spent = []
        for _ in range(50):
            started = time.perf_counter()
            await jobs_status(redis)
            spent.append((time.perf_counter() - started) * 1000)
        return sorted(spent)
    finally:
        await redis.aclose()
        await engine.close_pool(bound)


async def prepare(settings: Settings, count: int) -> list[float]:
    """Migrate, seed the record and the queue; the in-process status read times."""
    await migrate(settings)
    library_id = await seed_user(admin=True)
    started = time.perf_counter()
    await insert_rows(settings, [("photo", PHOTO_COLUMNS, photo_rows(count, library_id)),
                                 ("step_run", STEP_COLUMNS, step_rows(count, library_id))])
    seeded = time.perf_counter() - started
    await seed_queue(settings, count)
    steps = len(PIPELINE.step_names())
    print(f"  seeded {count:,} photos and {count * steps:,} step runs (tallies kept by the triggers) in "
          f"{seeded:.1f} s; {queued_photos(count) * steps:,} jobs queued")
    return await status_read_ms(settings)


def measure_dashboard(base: str, seconds: int, script: Path | None) -> dict[str, Figures]:
    cookie = sign_in(base)
    urls = {
        "static": ("/static/css/app.css", {}),
        "overview": ("/jobs/", {**cookie, "HX-Request": "true"}),
        "header": ("/status/header", cookie),
        "metrics": ("/metrics", {}),
        "failures": ("/jobs/failures", cookie),
        "history": ("/jobs/history", cookie),
    }
    return measure(base, urls, seconds, 1, script)


def verdict(label: str, results: dict[str, Figures], status_ms: list[float]) -> None:
    overview = results["overview"].p95_ms
    word = "meets" if overview <= TARGET_P95_MS else "MISSES"
    print(f"  {label}: overview fragment p95 {overview:.2f} ms {word} the {TARGET_P95_MS:.0f} ms target")
    print(f"  {label}: one status read in-process (a stale shared status): p50 "
          f"{statistics.median(status_ms):.2f} ms, p95 {status_ms[int(0.95 * len(status_ms)) - 1]:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser, seconds=8)
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure every URL this many times against the same data (a loaded machine)")
    args = parser.parse_args()
    configure_logging("warning")
    work = Path(tempfile.mkdtemp(prefix="photonix-bench-dashboard-"))
    try:
        script = wrk_script(work)
        print(f"{args.photos:,} photos; {load_tool(script)}; {args.seconds} s per URL; "
              f"{os.cpu_count()} cores")
        with redis_for(args, work) as redis_url:
            def run(label: str, database_url: str) -> None:
                print(f"{label}:")
                env = server_env(work, label, database_url, redis_url, free_port())
                status_ms = prepare_in_child(env, prepare, args.photos)
                with served(env) as base:
                    rounds = [measure_dashboard(base, args.seconds, script) for _ in range(args.rounds)]
                for number, results in enumerate(rounds, start=1):
                    print(f"  round {number} of {args.rounds}:")
                    report(results, args.seconds)
                    verdict(label, results, status_ms)

            on_each_database(args, work, run)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
