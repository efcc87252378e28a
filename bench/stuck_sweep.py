"""How long recovery and the stuck-work sweep take at scale (a benchmark, not a test).

Seeds a fresh SQLite file and a fresh PostgreSQL database (photonix_bench_<random>, dropped at the end)
with N photos whose step runs are all done, Q photos mid-import (every step queued) and S photos with a
step "running" for an hour that no worker holds, on a Redis db that holds none of their jobs (Redis came
back empty). Then it times, each on its own:
  recovery      requeue_unfinished: the Q + S first steps found in the record and enqueued again
  steady sweep  a sweep once the queue is whole again: every waiting step checked, nothing to do
  stuck sweep   the S running steps released (record -> retrying, in-progress keys dropped) + (b)
The Redis db is flushed before and after: give it one of your own.

Usage: .venv/bin/python bench/stuck_sweep.py --redis-url redis://127.0.0.1:6379/9
           [--photos 100000] [--queued 20000] [--stuck 1000]
           [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres | --no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import io
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from photonix.config import Settings
from photonix.db import accounts, engine
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.queue import connect
from photonix.jobs.recovery import requeue_unfinished
from photonix.jobs.stuck_work import sweep_stuck_work
from photonix.logs import configure_logging

PHOTO_COLUMNS = ("id", "library", "content_hash", "original_path", "imported_at")
STEP_COLUMNS = ("id", "photo", "step", "version", "state", "tries", "job_id", "queued_at", "started_at",
                "finished_at", "duration_ms")


def photo_rows(count: int, library_id: int) -> Iterator[tuple[Any, ...]]:
    imported = datetime(2025, 1, 1, tzinfo=UTC)
    for index in range(count):
        yield index + 1, library_id, f"{index:064x}", f"/photos/IMG_{index:06d}.jpg", imported


def step_rows(done: int, queued: int, stuck: int) -> Iterator[tuple[Any, ...]]:
    """Done photos first, then the ones mid-import, then the stuck ones (their first step running)."""
    steps = PIPELINE.step_names()
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    row_id = 0
    for index in range(done + queued + stuck):
        photo_id = index + 1
        for position, step in enumerate(steps):
            row_id += 1
            state = "done" if index < done else "queued"
            if index >= done + queued and position == 0:
                state = "running"
            started = long_ago if state != "queued" else None
            yield (row_id, photo_id, step, 1, state, 0 if state == "queued" else 1, f"{step}:{photo_id}:1",
                   long_ago, started, long_ago if state == "done" else None, 100 if state == "done" else None)


def seed_sqlite(path: Path, library_id: int, done: int, queued: int, stuck: int) -> None:
    with sqlite3.connect(path) as conn:
        for table, columns, rows in (("photo", PHOTO_COLUMNS, photo_rows(done + queued + stuck, library_id)),
                                     ("step_run", STEP_COLUMNS, step_rows(done, queued, stuck))):
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" * len(columns))
            conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)


async def seed_postgres(dsn: str, library_id: int, done: int, queued: int, stuck: int) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for table, columns, rows in (("photo", PHOTO_COLUMNS, photo_rows(done + queued + stuck, library_id)),
                                     ("step_run", STEP_COLUMNS, step_rows(done, queued, stuck))):
            await conn.copy_records_to_table(table, records=list(rows), columns=list(columns))
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT MAX(id) FROM {table}))")
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def bench_one(label: str, settings: Settings, args: argparse.Namespace) -> None:
    engine.bind(settings)
    with contextlib.redirect_stdout(io.StringIO()):
        await engine.migrate(settings)
    bound = engine.bind(settings)
    await engine.open_pool(bound)
    redis = await connect(settings)
    try:
        await redis.flushdb()
        library_id = await accounts.create_library("Bench", [])
        done = args.photos - args.queued - args.stuck
        started = time.perf_counter()
        if settings.is_sqlite:
            await asyncio.to_thread(seed_sqlite, settings.sqlite_path, library_id, done, args.queued,
                                    args.stuck)
        else:
            await seed_postgres(settings.database_url, library_id, done, args.queued, args.stuck)
        runs = args.photos * len(PIPELINE.step_names())
        print(f"{label}: seeded {args.photos:,} photos, {runs:,} step runs ({args.queued:,} photos "
              f"queued, {args.stuck:,} stuck) in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        enqueued = await requeue_unfinished(redis, PIPELINE)
        print(f"  recovery      {time.perf_counter() - started:6.2f} s  enqueued {enqueued:,} jobs "
              "(Redis came back empty)")
        # A limit far off: the stuck steps are not stuck yet, so this sweep only checks.
        patient = dataclasses.replace(settings, job_timeout_seconds=10 * 24 * 3600)
        report = await sweep_stuck_work(redis, PIPELINE, patient)
        print(f"  steady sweep  {report.duration_ms / 1000:6.2f} s  checked {args.queued + args.stuck:,} "
              f"waiting steps, repaired {report.repaired}")
        report = await sweep_stuck_work(redis, PIPELINE, settings)
        print(f"  stuck sweep   {report.duration_ms / 1000:6.2f} s  re-queued {report.stuck_requeued:,} "
              f"stuck steps, failed {report.stuck_failed}, enqueued {report.missing_requeued}")
    finally:
        await redis.flushdb()
        await redis.aclose()
        await engine.close_pool(bound)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--queued", type=int, default=20_000)
    parser.add_argument("--stuck", type=int, default=1_000)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    configure_logging("error")
    with tempfile.TemporaryDirectory() as work:
        env = {"PHOTONIX_DATA_DIR": work, "PHOTONIX_REDIS_URL": args.redis_url,
               "PHOTONIX_LOG_LEVEL": "error", "PHOTONIX_JOB_TIMEOUT_SECONDS": "300"}
        sqlite_url = f"sqlite:///{Path(work) / 'bench.sqlite'}"
        sqlite = Settings.from_env({**env, "PHOTONIX_DATABASE_URL": sqlite_url})
        asyncio.run(bench_one("SQLite", sqlite, args))
        if args.no_postgres:
            return
        name = f"photonix_bench_{uuid.uuid4().hex[:8]}"
        admin = args.postgres_url
        asyncio.run(_admin(admin, f'CREATE DATABASE "{name}"'))
        try:
            url = admin.rsplit("/", 1)[0] + "/" + name
            postgres = Settings.from_env({**env, "PHOTONIX_DATABASE_URL": url})
            asyncio.run(bench_one("PostgreSQL", postgres, args))
        finally:
            asyncio.run(_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


if __name__ == "__main__":
    main()
