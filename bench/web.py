"""Web latency at 100k photos against a static file served by the same app (a benchmark, not a test).

Seeds a fresh SQLite file and a fresh PostgreSQL database (photonix_bench_<random>, dropped at the end)
with N synthetic photos over a few years in one library with one member user: each photo has a medium
thumbnail row (all pointing at one small JPEG) and six done step runs (a few recent photos are still
processing, a few have a failed step, as in a live install). Then it serves the real app
(`python -m photonix web`), signs in once and measures, with wrk (an httpx loop when wrk is missing),
p50/p95/p99 for a fixed duration per URL, at 1 connection (one user) and at 4 (light load on the one
uvicorn process, so queueing counts):
  static   /static/css/app.css: the floor, the app's own overhead
  grid     /photos/ (the full page: shell badges, first 120 tiles, month counts)
  scroll   /photos/?before=<cursor of the 5,000th newest photo> with HX-Request: the infinite-scroll partial
  detail   /photos/<id> of a photo in the middle of the timeline
and prints p95(page) / p95(static). Target (issue #4): p95 <= 50 ms on SQLite at 100k photos.

Usage: .venv/bin/python bench/web.py [--photos 100000] [--seconds 8] [--connections 1,4]
           [--redis-url redis://127.0.0.1:6379/12]      (default: PHOTONIX_REDIS_URL, else embedded)
           [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres | --no-postgres] [--sqlite-analyze]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import multiprocessing
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import asyncpg
import httpx
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from photonix.config import Settings
from photonix.db import accounts, engine
from photonix.db.grid import Cursor
from photonix.db.tables import Photo
from photonix.jobs.pipeline import PIPELINE
from photonix.logs import configure_logging

USERNAME, PASSWORD = "bench", "bench-password"
YEARS = 4
SCROLL_DEPTH = 5_000                  # the scroll partial starts after the 5,000th newest photo
TARGET_P95_MS = 50.0
CAMERAS = (("Canon", "EOS R6"), ("FUJIFILM", "X-T4"), ("Apple", "iPhone 13"), ("SONY", "ILCE-7M3"),
           (None, None))
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d\\n", summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass(frozen=True, slots=True)
class Figures:
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float


# --- seeding -----------------------------------------------------------------------------------------

PHOTO_COLUMNS = ("id", "library", "content_hash", "original_path", "file_size", "imported_at", "sort_at",
                 "version", "format", "width", "height", "orientation", "taken_at", "camera_make",
                 "camera_model", "exposure_time", "f_number", "iso", "focal_length", "flash", "rating")
FILE_COLUMNS = ("id", "photo", "kind", "size_name", "path", "width", "height")
STEP_COLUMNS = ("id", "photo", "step", "version", "state", "tries", "job_id", "error", "error_kind",
                "traceback", "queued_at", "started_at", "finished_at", "duration_ms", "library")


def photo_rows(count: int, library_id: int) -> Iterator[tuple[Any, ...]]:
    """Photos spread over YEARS years (oldest first, so ids grow with time as imports do)."""
    rng = random.Random(4)
    start = datetime(2021, 1, 1)
    step = YEARS * 365 * 86400 / count
    imported = datetime(2025, 1, 1, tzinfo=UTC)
    for index in range(count):
        taken = start + timedelta(seconds=int(index * step + rng.random() * step))
        make, model = rng.choice(CAMERAS)
        width, height = (6000, 4000) if rng.random() < 0.7 else (4000, 6000)
        yield (index + 1, library_id, f"{index:064x}", f"/photos/{taken:%Y/%m}/IMG_{index:06d}.jpg",
               8_000_000 + rng.randrange(4_000_000), imported + timedelta(seconds=index), taken, 1,
               "RAW" if rng.random() < 0.05 else "JPEG", width, height, 1, taken, make, model,
               rng.choice((1 / 60, 1 / 125, 1 / 500)), rng.choice((1.8, 2.8, 5.6, 8.0)),
               rng.choice((100, 400, 1600)),
               rng.choice((23.0, 35.0, 50.0, 85.0)), False, rng.choice((0, 0, 0, 0, 3, 4, 5)))


def file_rows(count: int, thumbnail: Path) -> Iterator[tuple[Any, ...]]:
    for index in range(count):
        landscape = index % 10 < 7
        yield (index + 1, index + 1, "thumbnail", "medium", str(thumbnail), 720 if landscape else 480,
               480 if landscape else 720)


def step_rows(count: int, library_id: int) -> Iterator[tuple[Any, ...]]:
    """Six runs per photo, all done, except: the newest 40 photos still processing, every 500th failed."""
    steps = PIPELINE.step_names()
    queued = datetime(2025, 1, 1, tzinfo=UTC)
    row_id = 0
    for index in range(count):
        photo_id = index + 1
        for position, step in enumerate(steps):
            row_id += 1
            state, error = "done", ""
            if photo_id > count - 40 and position >= 3:
                state = "queued"
            elif photo_id % 500 == 0 and position == len(steps) - 1:
                state, error = "failed", "bench: synthetic failure"
            finished = None if state == "queued" else queued + timedelta(seconds=1)
            yield (row_id, photo_id, step, 1, state, 0 if state == "queued" else 1, f"{step}:{photo_id}:1",
                   error,
                   "Permanent" if error else "", "", queued, None if state == "queued" else queued, finished,
                   None if state == "queued" else 120, library_id)


async def seed_user() -> int:
    user_id = await accounts.create_user(USERNAME, PASSWORD)
    library_id = await accounts.create_library("Bench", [])
    await accounts.add_member(library_id, user_id)
    return library_id


def seed_sqlite(path: Path, count: int, library_id: int, thumbnail: Path, analyze: bool) -> None:
    """executemany in one transaction (importing Piccolo registered its datetime adapters on sqlite3).

    No ANALYZE unless asked: Photonix never runs it, so a real install plans without statistics."""
    with sqlite3.connect(path) as conn:
        for table, columns, rows in (("photo", PHOTO_COLUMNS, photo_rows(count, library_id)),
                                     ("photo_file", FILE_COLUMNS, file_rows(count, thumbnail)),
                                     ("step_run", STEP_COLUMNS, step_rows(count, library_id))):
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" * len(columns))
            conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
        if analyze:
            conn.execute("ANALYZE")


async def seed_postgres(dsn: str, count: int, library_id: int, thumbnail: Path) -> None:
    """COPY, the bulk path; then the id sequences move past the explicit ids, and ANALYZE (as autovacuum
    soon would)."""
    conn = await asyncpg.connect(dsn)
    try:
        for table, columns, rows in (("photo", PHOTO_COLUMNS, photo_rows(count, library_id)),
                                     ("photo_file", FILE_COLUMNS, file_rows(count, thumbnail)),
                                     ("step_run", STEP_COLUMNS, step_rows(count, library_id))):
            await conn.copy_records_to_table(table, records=list(rows), columns=list(columns))
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT MAX(id) FROM {table}))")
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def prepare(settings: Settings, count: int, thumbnail: Path, analyze: bool) -> tuple[str, int]:
    """Migrate and seed; the scroll cursor and the middle photo's id."""
    engine.bind(settings)
    with contextlib.redirect_stdout(io.StringIO()):      # Piccolo's migration chatter
        await engine.migrate(settings)
    library_id = await seed_user()
    started = time.perf_counter()
    if settings.is_sqlite:
        await asyncio.to_thread(seed_sqlite, settings.sqlite_path, count, library_id, thumbnail, analyze)
    else:
        await seed_postgres(settings.database_url, count, library_id, thumbnail)
    print(f"  seeded {count:,} photos, {count:,} thumbnails, {count * len(PIPELINE.step_names()):,} step "
          f"runs in {time.perf_counter() - started:.1f} s")
    rows = await Photo.raw(
        f"SELECT id, sort_at FROM photo ORDER BY sort_at DESC, id DESC LIMIT 1 OFFSET {SCROLL_DEPTH - 1}")
    sort_at = rows[0]["sort_at"]
    if isinstance(sort_at, str):
        sort_at = datetime.fromisoformat(sort_at)
    return Cursor(sort_at, rows[0]["id"]).encode(), count // 2


def prepare_in_child(env: dict[str, str], count: int, thumbnail: Path, analyze: bool) -> tuple[str, int]:
    """A fresh process per database: the raw-SQL migrations bind their table handle to the first engine."""
    configure_logging("warning")
    return asyncio.run(prepare(Settings.from_env(env), count, thumbnail, analyze))


# --- serving and measuring ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], base: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "photonix", "web"], env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the web app exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            if httpx.get(f"{base}/static/css/app.css").status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("the web app did not answer within 30 s")


def sign_in(client: httpx.Client) -> str:
    client.get("/login")
    answer = client.post("/login", data={"username": USERNAME, "password": PASSWORD,
                                         "_csrf_token": client.cookies["csrftoken"]})
    if answer.status_code != 303 or "photonix_session" not in answer.cookies:
        raise SystemExit(f"sign-in failed: {answer.status_code}")
    return str(answer.cookies["photonix_session"])


def wrk_figures(url: str, headers: dict[str, str], seconds: int, connections: int, script: Path) -> Figures:
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency",
               "-s", str(script), url]
    for name, value in headers.items():
        command[1:1] = ["-H", f"{name}: {value}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+)$", output, re.MULTILINE)
    if match is None:
        raise SystemExit(f"unexpected wrk output:\n{output}")
    requests, errors, p50, p95, p99 = (int(g) for g in match.groups())
    return Figures(requests, errors, p50 / 1000, p95 / 1000, p99 / 1000)


async def httpx_figures(url: str, headers: dict[str, str], seconds: int, connections: int) -> Figures:
    """The fallback load loop: `connections` clients back to back for `seconds`."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def loop(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            answer = await client.get(url, headers=headers)
            latencies.append(time.perf_counter() - started)
            errors += answer.status_code >= 400

    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=connections)) as client:
        await asyncio.gather(*(loop(client) for _ in range(connections)))
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return Figures(len(latencies), errors, cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000)


def measure(env: dict[str, str], base: str, cursor: str, middle_id: int, seconds: int,
            connections: list[int], script: Path | None) -> dict[int, dict[str, Figures]]:
    """connections -> url name -> figures, all against one server."""
    server = start_server(env, base)
    try:
        with httpx.Client(base_url=base) as client:
            cookie = f"photonix_session={sign_in(client)}"
            urls = {
                "static": ("/static/css/app.css", {}),
                "grid": ("/photos/", {"Cookie": cookie}),
                "scroll": (f"/photos/?before={cursor}", {"Cookie": cookie, "HX-Request": "true"}),
                "detail": (f"/photos/{middle_id}", {"Cookie": cookie}),
            }
            for path, headers in urls.values():         # warm up, and refuse to time an error page
                for _ in range(3):
                    answer = httpx.get(base + path, headers=headers)
                    if answer.status_code != 200:
                        raise SystemExit(f"GET {path} answered {answer.status_code}")
            results: dict[int, dict[str, Figures]] = {}
            for count in connections:
                results[count] = {}
                for name, (path, headers) in urls.items():
                    if script is not None:
                        figures = wrk_figures(base + path, headers, seconds, count, script)
                    else:
                        figures = asyncio.run(httpx_figures(base + path, headers, seconds, count))
                    if figures.errors:
                        raise SystemExit(f"{name}: {figures.errors} failed requests")
                    results[count][name] = figures
            client.post("/logout", data={"_csrf_token": client.cookies["csrftoken"]})
        return results
    finally:
        server.terminate()
        server.wait()


def report(label: str, results: dict[int, dict[str, Figures]], seconds: int) -> None:
    print(f"  {'conns':>5} {'url':<8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'p95/static':>11}")
    for count, by_url in results.items():
        floor = by_url["static"].p95_ms
        for name, figures in by_url.items():
            print(f"  {count:>5} {name:<8} {figures.requests / seconds:7.0f} {figures.p50_ms:8.2f} "
                  f"{figures.p95_ms:8.2f} {figures.p99_ms:8.2f} {figures.p95_ms / floor:11.1f}")
        worst = max(by_url[name].p95_ms for name in ("grid", "scroll", "detail"))
        verdict = "meets" if worst <= TARGET_P95_MS else "MISSES"
        print(f"  {label}, {count} connection(s): worst page p95 {worst:.2f} ms {verdict} "
              f"the {TARGET_P95_MS:.0f} ms target")


# --- databases ---------------------------------------------------------------------------------------

def with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


async def run_ddl(admin_url: str, statement: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def bench_one(label: str, database_url: str, args: argparse.Namespace, work: Path, redis_url: str,
              thumbnail: Path, script: Path | None) -> None:
    print(f"{label}:")
    data_dir = work / f"data-{label.lower()}"
    port = free_port()
    env = {**os.environ, "PHOTONIX_DATA_DIR": str(data_dir), "PHOTONIX_DATABASE_URL": database_url,
           "PHOTONIX_REDIS_URL": redis_url, "PHOTONIX_PORT": str(port), "PHOTONIX_HOST": "127.0.0.1",
           "PHOTONIX_LOG_LEVEL": "warning"}
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as child:
        cursor, middle_id = child.submit(prepare_in_child, env, args.photos, thumbnail,
                                         args.sqlite_analyze).result()
    connections = [int(count) for count in args.connections.split(",")]
    results = measure(env, f"http://127.0.0.1:{port}", cursor, middle_id, args.seconds, connections, script)
    report(label, results, args.seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=8, help="load duration per URL and concurrency")
    parser.add_argument("--connections", default="1,4",
                        help="concurrent connections: a comma-separated list, one run each")
    parser.add_argument("--redis-url", default=os.environ.get("PHOTONIX_REDIS_URL"),
                        help="default: PHOTONIX_REDIS_URL, else an embedded redis-server")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "PHOTONIX_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
                        help="a server where we may create and drop a database")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--sqlite-analyze", action="store_true",
                        help="give SQLite planner statistics (a real install has none)")
    args = parser.parse_args()
    configure_logging("warning")
    work = Path(tempfile.mkdtemp(prefix="photonix-bench-web-"))
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
            tool = "wrk"
        else:
            tool = "httpx loop (wrk not found: install it for steadier figures)"
        print(f"{args.photos:,} photos; {tool}; {args.connections} connections x {args.seconds} s per URL; "
              f"{os.cpu_count()} cores")
        bench_one("SQLite", f"sqlite:///{work / 'photonix.sqlite'}", args, work, redis_url, thumbnail, script)
        if not args.no_postgres:
            name = f"photonix_bench_{uuid.uuid4().hex[:12]}"
            asyncio.run(run_ddl(args.postgres_url, f'CREATE DATABASE "{name}"'))
            try:
                bench_one("PostgreSQL", with_database(args.postgres_url, name), args, work, redis_url,
                          thumbnail,
                          script)
            finally:
                asyncio.run(run_ddl(args.postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        if embedded is not None:
            embedded.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
