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
  failures  /jobs/failures and history /jobs/history, when those routes exist on this branch
and prints p95(url) / p95(static). Target (issue #11): p95 <= 30 ms for the overview fragment.

Usage: .venv/bin/python bench/dashboard.py [--photos 100000] [--seconds 8]
           [--redis-url redis://127.0.0.1:6379/10]   (a db it may flush; default: an embedded redis)
           [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres | --no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import multiprocessing
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from arq.constants import default_queue_name, job_key_prefix
from arq.jobs import serialize_job

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.web import (
    PASSWORD,
    USERNAME,
    WRK_SCRIPT,
    Figures,
    free_port,
    httpx_figures,
    run_ddl,
    sign_in,
    start_server,
    with_database,
    wrk_figures,
)
from photonix.config import Settings
from photonix.db import accounts, engine
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.queue import connect
from photonix.jobs.queue import serialize_job as msgpack_job
from photonix.jobs.step_metrics import observe_step
from photonix.logs import configure_logging

TARGET_P95_MS = 30.0
FAILED_SHARE = 0.05
MESSAGES = 40
STEP_COLUMNS = ("photo", "step", "version", "state", "tries", "job_id", "error", "error_kind", "traceback",
                "queued_at", "started_at", "finished_at", "duration_ms")
PHOTO_COLUMNS = ("id", "library", "content_hash", "original_path", "file_size", "imported_at", "sort_at",
                 "version")
ERROR_KINDS = ("UndecodableImage", "DecompressionBomb", "CorruptRaw", "StorageUnavailable")


def queued_photos(count: int) -> int:
    """How many of the newest photos have all their steps queued: as many runs as `count` jobs."""
    return count // len(PIPELINE.step_names())


def photo_rows(count: int, library_id: int) -> Iterator[tuple[Any, ...]]:
    imported = datetime(2025, 1, 1, tzinfo=UTC)
    for index in range(count):
        moment = imported + timedelta(seconds=index)
        yield (index + 1, library_id, f"{index:064x}", f"/photos/IMG_{index:06d}.jpg", 8_000_000, moment,
               moment.replace(tzinfo=None), 1)


def step_rows(count: int) -> Iterator[tuple[Any, ...]]:
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
                yield (photo_id, step, 1, "queued", 0, job_id, "", "", "", now, None, None, None)
                continue
            finished = now - timedelta(seconds=rng.random() * (900 if rng.random() < 0.3 else 86_400))
            duration = int(rng.lognormvariate(5, 0.8))
            if rng.random() < failure_chance:
                message = rng.randrange(MESSAGES)
                yield (photo_id, step, 1, "failed", 1, job_id,
                       f"IMG_{photo_id:06d}.jpg: synthetic failure number {message}",
                       ERROR_KINDS[message % len(ERROR_KINDS)], "", finished, finished, finished, duration)
            else:
                yield (photo_id, step, 1, "done", 1, job_id, "", "", "", finished, finished, finished,
                       duration)


async def seed_admin() -> int:
    user_id = await accounts.create_user(USERNAME, PASSWORD, is_admin=True)
    return await accounts.create_library("Bench", [], user_id)


def seed_sqlite(path: Path, count: int, library_id: int) -> None:
    """executemany in one transaction; every step_run row goes through the tally triggers."""
    with sqlite3.connect(path) as conn:
        for table, columns, rows in (("photo", PHOTO_COLUMNS, photo_rows(count, library_id)),
                                     ("step_run", STEP_COLUMNS, step_rows(count))):
            names = ", ".join(f'"{c}"' for c in columns)
            conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})',
                             rows)


async def seed_postgres(dsn: str, count: int, library_id: int) -> None:
    """COPY, one statement per table (the step_run statement trigger counts all 600k rows at once)."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table("photo", records=list(photo_rows(count, library_id)),
                                         columns=list(PHOTO_COLUMNS))
        await conn.execute("SELECT setval(pg_get_serial_sequence('photo', 'id'), "
                           "(SELECT MAX(id) FROM photo))")
        await conn.copy_records_to_table("step_run", records=list(step_rows(count)),
                                         columns=list(STEP_COLUMNS))
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


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


async def prepare(settings: Settings, count: int) -> None:
    engine.bind(settings)
    with contextlib.redirect_stdout(io.StringIO()):      # Piccolo's migration chatter
        await engine.migrate(settings)
    library_id = await seed_admin()
    started = time.perf_counter()
    if settings.is_sqlite:
        await asyncio.to_thread(seed_sqlite, settings.sqlite_path, count, library_id)
    else:
        await seed_postgres(settings.database_url, count, library_id)
    seeded = time.perf_counter() - started
    await seed_queue(settings, count)
    steps = len(PIPELINE.step_names())
    print(f"  seeded {count:,} photos and {count * steps:,} step runs (tallies kept by the triggers) in "
          f"{seeded:.1f} s; {queued_photos(count) * steps:,} jobs queued")


def prepare_in_child(env: dict[str, str], count: int) -> None:
    """A fresh process per database: the raw-SQL migrations bind their table handle to the first engine."""
    configure_logging("warning")
    asyncio.run(prepare(Settings.from_env(env), count))


def measure(env: dict[str, str], base: str, seconds: int, script: Path | None) -> dict[str, Figures]:
    server = start_server(env, base)
    try:
        with httpx.Client(base_url=base) as client:
            cookie = {"Cookie": f"photonix_session={sign_in(client)}"}
            urls = {
                "static": ("/static/css/app.css", {}),
                "overview": ("/jobs/", {**cookie, "HX-Request": "true"}),
                "header": ("/status/header", cookie),
                "metrics": ("/metrics", {}),
                "failures": ("/jobs/failures", cookie),
                "history": ("/jobs/history", cookie),
            }
            results: dict[str, Figures] = {}
            for name, (path, headers) in urls.items():
                answers = [httpx.get(base + path, headers=headers).status_code for _ in range(3)]   # warm up
                if name in ("failures", "history") and answers[-1] == 404:
                    print(f"  {name}: {path} is not on this branch; skipped")
                    continue
                if answers[-1] != 200:
                    raise SystemExit(f"GET {path} answered {answers[-1]}")
                figures = (wrk_figures(base + path, headers, seconds, 1, script) if script is not None
                           else asyncio.run(httpx_figures(base + path, headers, seconds, 1)))
                if figures.errors:
                    raise SystemExit(f"{name}: {figures.errors} failed requests")
                results[name] = figures
        return results
    finally:
        server.terminate()
        server.wait()


def report(label: str, results: dict[str, Figures], seconds: int) -> None:
    floor = results["static"].p95_ms
    print(f"  {'url':<9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'p95/static':>11}")
    for name, figures in results.items():
        print(f"  {name:<9} {figures.requests / seconds:7.0f} {figures.p50_ms:8.2f} {figures.p95_ms:8.2f} "
              f"{figures.p99_ms:8.2f} {figures.p95_ms / floor:11.1f}")
    overview = results["overview"].p95_ms
    verdict = "meets" if overview <= TARGET_P95_MS else "MISSES"
    print(f"  {label}: overview fragment p95 {overview:.2f} ms {verdict} the {TARGET_P95_MS:.0f} ms target")


def bench_one(label: str, database_url: str, args: argparse.Namespace, work: Path, redis_url: str,
              script: Path | None) -> None:
    print(f"{label}:")
    port = free_port()
    env = {**os.environ, "PHOTONIX_DATA_DIR": str(work / f"data-{label.lower()}"),
           "PHOTONIX_DATABASE_URL": database_url, "PHOTONIX_REDIS_URL": redis_url, "PHOTONIX_PORT": str(port),
           "PHOTONIX_HOST": "127.0.0.1", "PHOTONIX_LOG_LEVEL": "warning",
           "PHOTONIX_SECURE_COOKIES": "false"}          # plain HTTP on loopback: httpx sends no Secure cookie
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as child:
        child.submit(prepare_in_child, env, args.photos).result()
    report(label, measure(env, f"http://127.0.0.1:{port}", args.seconds, script), args.seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=8, help="load duration per URL")
    parser.add_argument("--redis-url", help="a Redis database the benchmark may flush (default: embedded)")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "PHOTONIX_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
                        help="a server where we may create and drop a database")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    configure_logging("warning")
    work = Path(tempfile.mkdtemp(prefix="photonix-bench-dashboard-"))
    embedded = None
    try:
        redis_url = args.redis_url
        if not redis_url:
            from photonix.jobs.embedded_redis import start_embedded_redis

            embedded = start_embedded_redis(work / "redis")
            redis_url = embedded.url
        script = None
        if shutil.which("wrk"):
            script = work / "report.lua"
            script.write_text(WRK_SCRIPT)
        tool = "wrk" if script else "httpx loop (wrk not found: install it for steadier figures)"
        print(f"{args.photos:,} photos; {tool}; {args.seconds} s per URL; {os.cpu_count()} cores")
        bench_one("SQLite", f"sqlite:///{work / 'photonix.sqlite'}", args, work, redis_url, script)
        if not args.no_postgres:
            name = f"photonix_bench_{uuid.uuid4().hex[:12]}"
            asyncio.run(run_ddl(args.postgres_url, f'CREATE DATABASE "{name}"'))
            try:
                bench_one("PostgreSQL", with_database(args.postgres_url, name), args, work, redis_url, script)
            finally:
                asyncio.run(run_ddl(args.postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        if embedded is not None:
            embedded.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
