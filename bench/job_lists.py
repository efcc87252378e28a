"""The job lists at 100k photos against a static file served by the same app (a benchmark, not a test).

Seeds a fresh SQLite file and a fresh PostgreSQL database (photonix_bench_<random>, dropped at the end)
with N photos in one library whose member is an admin, and six step runs per photo (600k for 100k
photos): 5 % failed, spread over 40 distinct causes (step, error kind, reason; each error names its own
file, as real ones do), the rest done, over 30 days. Then it times the queries in-process (the failure
groups, a group's first page, a history page; median of 20), serves the real app (`python -m photonix
web`), signs in, and measures with wrk (an httpx loop when wrk is missing) p50/p95 per URL:
  static     /static/css/app.css: the floor, the app's own overhead
  failures   /jobs/failures (the full page: groups with their sample thumbnails)
  group      /jobs/failures/group?... of the largest group (its first 50 photos)
  history    /jobs/history (the full page, newest 50 runs)
  older      /jobs/history?before=<run id 300k> with HX-Request: the keyset partial, half way down
  failed     /jobs/history?state=failed (a filtered page)
and prints each p95 as a ratio to the static file's. Target (issue 11, this helper's brief): the failure
groups query well under 100 ms on SQLite at 600k runs / 30k failures.

Usage: .venv/bin/python bench/job_lists.py [--photos 100000] [--seconds 6] [--connections 1]
           [--redis-url redis://127.0.0.1:6379/11]      (default: PHOTONIX_REDIS_URL, else embedded)
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
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import asyncpg
import httpx
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.web import (
    FILE_COLUMNS,
    PHOTO_COLUMNS,
    WRK_SCRIPT,
    Figures,
    file_rows,
    free_port,
    httpx_figures,
    photo_rows,
    run_ddl,
    start_server,
    with_database,
    wrk_figures,
)
from photonix.config import Settings
from photonix.db import accounts, engine, job_history
from photonix.db.tables import StepRun
from photonix.jobs.pipeline import PIPELINE
from photonix.logs import configure_logging
from photonix.media.failures import failure_reason

USERNAME, PASSWORD = "bench-admin", "bench-password"
FAILED_SHARE = 0.05
CAUSES = 40
DAYS = 30
QUERY_TARGET_MS = 100.0
STEP_COLUMNS = ("id", "photo", "step", "version", "state", "tries", "job_id", "error", "error_kind", "reason",
                "traceback", "queued_at", "started_at", "finished_at", "duration_ms", "worker", "library")
KINDS = ("UndecodableImage", "CorruptRaw", "DecompressionBomb", "MissingFile", "StorageUnavailable",
         "ValueError")


def causes() -> list[tuple[str, str, str]]:
    """CAUSES distinct (step, error kind, error template); {name} is the file's name."""
    steps = PIPELINE.step_names()
    made = []
    for index in range(CAUSES):
        kind = KINDS[index % len(KINDS)]
        if kind == "ValueError":
            template = f"internal error: ValueError('bad value {index}')"
        else:
            template = "{name}: " + f"synthetic cause {index}: the decoder gave up at byte {index * 97}"
        made.append((steps[index % len(steps)], kind, template))
    return made


def step_rows(count: int, library_id: int) -> Iterator[tuple[Any, ...]]:
    """len(steps) runs per photo over DAYS days; FAILED_SHARE of them failed, evenly over CAUSES causes."""
    rng = random.Random(11)
    steps = PIPELINE.step_names()
    known = causes()
    by_step: dict[str, list[tuple[str, str, str]]] = {}
    for cause in known:
        by_step.setdefault(cause[0], []).append(cause)
    start = datetime.now(UTC) - timedelta(days=DAYS)
    spacing = DAYS * 86400 / count
    row_id = 0
    for index in range(count):
        photo_id = index + 1
        queued = start + timedelta(seconds=index * spacing)
        name = f"IMG_{index:06d}.JPG"
        for position, step in enumerate(steps):
            row_id += 1
            state, error, kind, traceback = "done", "", "", ""
            if step in by_step and rng.random() < FAILED_SHARE * len(steps) / len(by_step):
                _, kind, template = rng.choice(by_step[step])
                state, error = "failed", template.format(name=name)
                if kind == "ValueError":
                    traceback = "Traceback (most recent call last):\n  ...\nValueError: bad value"
            started = queued + timedelta(seconds=position)
            yield (row_id, photo_id, step, 1, state, 1, f"{step}:{photo_id}:1", error, kind,
                   failure_reason(error), traceback, queued, started, started + timedelta(milliseconds=120),
                   120, "bench-host:1:abcd", library_id)


async def seed_admin() -> int:
    user_id = await accounts.create_user(USERNAME, PASSWORD, is_admin=True)
    return await accounts.create_library("Bench", [], user_id)


def seed_sqlite(path: Path, count: int, library_id: int, thumbnail: Path) -> None:
    """executemany in one transaction (importing Piccolo registered its datetime adapters on sqlite3)."""
    with sqlite3.connect(path) as conn:
        for table, columns, rows in (("photo", PHOTO_COLUMNS, photo_rows(count, library_id)),
                                     ("photo_file", FILE_COLUMNS, file_rows(count, thumbnail)),
                                     ("step_run", STEP_COLUMNS, step_rows(count, library_id))):
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" * len(columns))
            conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)


async def seed_postgres(dsn: str, count: int, library_id: int, thumbnail: Path) -> None:
    """COPY, then the id sequences move past the explicit ids, and VACUUM ANALYZE."""
    conn = await asyncpg.connect(dsn)
    try:
        for table, columns, rows in (("photo", PHOTO_COLUMNS, photo_rows(count, library_id)),
                                     ("photo_file", FILE_COLUMNS, file_rows(count, thumbnail)),
                                     ("step_run", STEP_COLUMNS, step_rows(count, library_id))):
            await conn.copy_records_to_table(table, records=list(rows), columns=list(columns))
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT MAX(id) FROM {table}))")
        await conn.execute("VACUUM ANALYZE")       # as autovacuum soon would: index-only scans need it
    finally:
        await conn.close()


async def median_ms(work: Callable[[], Awaitable[Any]], times: int = 20) -> float:
    await work()
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        await work()
        spent.append((time.perf_counter() - started) * 1000)
    return statistics.median(spent)


async def prepare(settings: Settings, count: int, thumbnail: Path) -> dict[str, Any]:
    """Migrate, seed, time the queries; what the URLs need (the largest group, a run id half way)."""
    bound = engine.bind(settings)
    with contextlib.redirect_stdout(io.StringIO()):      # Piccolo's migration chatter
        await engine.migrate(settings)
    await engine.open_pool(bound)                        # as the web app does: no connection per query
    library_id = await seed_admin()
    started = time.perf_counter()
    if settings.is_sqlite:
        await asyncio.to_thread(seed_sqlite, settings.sqlite_path, count, library_id, thumbnail)
    else:
        await seed_postgres(settings.database_url, count, library_id, thumbnail)
    runs = count * len(PIPELINE.step_names())
    failed = await StepRun.count().where(StepRun.state == "failed")
    print(f"  seeded {count:,} photos, {runs:,} step runs ({failed:,} failed) in "
          f"{time.perf_counter() - started:.1f} s")
    groups = await job_history.failure_groups()
    largest = groups[0].key
    queries = {
        "failure groups": lambda: job_history.failure_groups(),
        "failure groups, one step": lambda: job_history.failure_groups(
            job_history.FailureFilter(step=largest.step)),
        "failure groups, library": lambda: job_history.failure_groups(
            job_history.FailureFilter(library_id=library_id)),
        "group page": lambda: job_history.group_page(largest),
        "history page": lambda: job_history.history_page(),
        "history page, older": lambda: job_history.history_page(before=runs // 2),
        "history page, failed": lambda: job_history.history_page(job_history.HistoryFilter(state="failed")),
        "history page, text": lambda: job_history.history_page(job_history.HistoryFilter(text="cause 7:")),
    }
    print(f"  {len(groups)} groups; in-process query medians (target for the groups: "
          f"< {QUERY_TARGET_MS:.0f} ms):")
    for name, work in queries.items():
        print(f"    {name:<28} {await median_ms(work):8.2f} ms")
    await engine.close_pool(bound)
    return {"step": largest.step, "error_kind": largest.error_kind, "reason": largest.reason,
            "before": runs // 2}


def prepare_in_child(env: dict[str, str], count: int, thumbnail: Path) -> dict[str, Any]:
    """A fresh process per database: the raw-SQL migrations bind their table handle to the first engine."""
    configure_logging("warning")
    return asyncio.run(prepare(Settings.from_env(env), count, thumbnail))


def sign_in(client: httpx.Client) -> str:
    client.get("/login")
    answer = client.post("/login", data={"username": USERNAME, "password": PASSWORD,
                                         "_csrf_token": client.cookies["csrftoken"]})
    if answer.status_code != 303 or "photonix_session" not in answer.cookies:
        raise SystemExit(f"sign-in failed: {answer.status_code}")
    return str(answer.cookies["photonix_session"])


def measure(env: dict[str, str], base: str, found: dict[str, Any], seconds: int, connections: int,
            script: Path | None) -> dict[str, Figures]:
    server = start_server(env, base)
    try:
        with httpx.Client(base_url=base) as client:
            cookie = {"Cookie": f"photonix_session={sign_in(client)}"}
            group = urlencode({k: found[k] for k in ("step", "error_kind", "reason")})
            urls = {
                "static": ("/static/css/app.css", {}),
                "failures": ("/jobs/failures", cookie),
                "group": (f"/jobs/failures/group?{group}", cookie),
                "history": ("/jobs/history", cookie),
                "older": (f"/jobs/history?before={found['before']}", {**cookie, "HX-Request": "true"}),
                "failed": ("/jobs/history?state=failed", cookie),
            }
            for path, headers in urls.values():         # warm up, and refuse to time an error page
                for _ in range(3):
                    answer = httpx.get(base + path, headers=headers)
                    if answer.status_code != 200:
                        raise SystemExit(f"GET {path} answered {answer.status_code}")
            results = {}
            for name, (path, headers) in urls.items():
                if script is not None:
                    figures = wrk_figures(base + path, headers, seconds, connections, script)
                else:
                    figures = asyncio.run(httpx_figures(base + path, headers, seconds, connections))
                if figures.errors:
                    raise SystemExit(f"{name}: {figures.errors} failed requests")
                results[name] = figures
        return results
    finally:
        server.terminate()
        server.wait()


def report(results: dict[str, Figures], seconds: int) -> None:
    print(f"  {'url':<9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p95/static':>11}")
    floor = results["static"].p95_ms
    for name, figures in results.items():
        print(f"  {name:<9} {figures.requests / seconds:7.0f} {figures.p50_ms:8.2f} {figures.p95_ms:8.2f} "
              f"{figures.p95_ms / floor:11.1f}")


def bench_one(label: str, database_url: str, args: argparse.Namespace, work: Path, redis_url: str,
              thumbnail: Path, script: Path | None) -> None:
    print(f"{label}:")
    port = free_port()
    env = {**os.environ, "PHOTONIX_DATA_DIR": str(work / f"data-{label.lower()}"),
           "PHOTONIX_DATABASE_URL": database_url, "PHOTONIX_REDIS_URL": redis_url, "PHOTONIX_PORT": str(port),
           "PHOTONIX_HOST": "127.0.0.1", "PHOTONIX_LOG_LEVEL": "warning",
           "PHOTONIX_SECURE_COOKIES": "false"}      # plain HTTP on loopback: Secure cookies never come back
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as child:
        found = child.submit(prepare_in_child, env, args.photos, thumbnail).result()
    if args.queries_only:
        return
    figures = measure(env, f"http://127.0.0.1:{port}", found, args.seconds, args.connections, script)
    report(figures, args.seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=6, help="load duration per URL")
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--redis-url", default=os.environ.get("PHOTONIX_REDIS_URL"),
                        help="default: PHOTONIX_REDIS_URL, else an embedded redis-server")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "PHOTONIX_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
                        help="a server where we may create and drop a database")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--queries-only", action="store_true", help="time the queries, serve nothing")
    args = parser.parse_args()
    configure_logging("warning")
    work = Path(tempfile.mkdtemp(prefix="photonix-bench-lists-"))
    embedded = None
    try:
        thumbnail = work / "thumbnail.jpg"
        Image.new("RGB", (720, 480), (90, 120, 150)).save(thumbnail, "JPEG", quality=80)
        redis_url = args.redis_url
        if not redis_url:
            from photonix.jobs.embedded_redis import start_embedded_redis

            embedded = start_embedded_redis(work / "redis")
            redis_url = embedded.url
        script = None
        if shutil.which("wrk"):
            script = work / "report.lua"
            script.write_text(WRK_SCRIPT)
        print(f"{args.photos:,} photos; {'wrk' if script else 'httpx loop'}; "
              f"{args.connections} connection(s) "
              f"x {args.seconds} s per URL; {os.cpu_count()} cores")
        bench_one("SQLite", f"sqlite:///{work / 'photonix.sqlite'}", args, work, redis_url, thumbnail, script)
        if not args.no_postgres:
            name = f"photonix_bench_{uuid.uuid4().hex[:12]}"
            asyncio.run(run_ddl(args.postgres_url, f'CREATE DATABASE "{name}"'))
            try:
                bench_one("PostgreSQL", with_database(args.postgres_url, name), args, work, redis_url,
                          thumbnail, script)
            finally:
                asyncio.run(run_ddl(args.postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        if embedded is not None:
            embedded.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
