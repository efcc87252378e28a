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
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.seeding import (
    FILE_COLUMNS,
    PHOTO_COLUMNS,
    file_rows,
    insert_rows,
    migrate,
    photo_rows,
    prepare_in_child,
    seed_user,
)
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
from photonix.db import engine, job_history
from photonix.db.tables import StepRun
from photonix.jobs.pipeline import PIPELINE
from photonix.logs import configure_logging
from photonix.media.failures import failure_reason

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
    await migrate(settings)
    bound = engine.bind(settings)
    await engine.open_pool(bound)                        # as the web app does: no connection per query
    library_id = await seed_user(admin=True)
    started = time.perf_counter()
    await insert_rows(settings, [("photo", PHOTO_COLUMNS, photo_rows(count, library_id)),
                                 ("photo_file", FILE_COLUMNS, file_rows(count, thumbnail)),
                                 ("step_run", STEP_COLUMNS, step_rows(count, library_id))])
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


def measure_lists(base: str, found: dict[str, Any], seconds: int, connections: int,
                  script: Path | None) -> dict[str, Figures]:
    cookie = sign_in(base)
    group = urlencode({k: found[k] for k in ("step", "error_kind", "reason")})
    urls = {
        "static": ("/static/css/app.css", {}),
        "failures": ("/jobs/failures", cookie),
        "group": (f"/jobs/failures/group?{group}", cookie),
        "history": ("/jobs/history", cookie),
        "older": (f"/jobs/history?before={found['before']}", {**cookie, "HX-Request": "true"}),
        "failed": ("/jobs/history?state=failed", cookie),
    }
    return measure(base, urls, seconds, connections, script)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser, seconds=6)
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--queries-only", action="store_true", help="time the queries, serve nothing")
    args = parser.parse_args()
    configure_logging("warning")
    work = Path(tempfile.mkdtemp(prefix="photonix-bench-lists-"))
    try:
        thumbnail = work / "thumbnail.jpg"
        Image.new("RGB", (720, 480), (90, 120, 150)).save(thumbnail, "JPEG", quality=80)
        script = wrk_script(work)
        print(f"{args.photos:,} photos; {load_tool(script)}; {args.connections} connection(s) "
              f"x {args.seconds} s per URL; {os.cpu_count()} cores")
        with redis_for(args, work) as redis_url:
            def run(label: str, database_url: str) -> None:
                print(f"{label}:")
                env = server_env(work, label, database_url, redis_url, free_port())
                found = prepare_in_child(env, prepare, args.photos, thumbnail)
                if args.queries_only:
                    return
                with served(env) as base:
                    results = measure_lists(base, found, args.seconds, args.connections, script)
                report(results, args.seconds)

            on_each_database(args, work, run)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
