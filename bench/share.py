"""A public share link under load: its page and its thumbnails against a static file served by the same app
(a benchmark, not a test).

Seeds a fresh SQLite file (and a fresh PostgreSQL database unless --no-postgres) with N photos in one
library, each with a medium and a large thumbnail (files under the data dir's derivatives, where the file
route allows them), and one selection link to all of them (no password, never expiring). Then it serves
the real app (`python -m photonix web` on loopback) and measures with wrk (an httpx loop when wrk is
missing), for a fixed duration per URL set and each connection count:
  static     /static/css/app.css: the floor, the app's own overhead
  page       /s/<token>: the share page (N tiles); no cookie, so every request is a new visit, counted
  thumbnail  /s/<token>/photos/<id>/thumbnail/medium, rotating over every shared photo
  visit      the page, then its thumbnails, round robin: what a visitor's browser asks for
and prints req/s, p50/p95/p99, and each row's p99 and req/s as a ratio to the static file's in the same
run. Targets (issue #12): >= 500 req/s and p99 <= 100 ms on the thumbnails and the visit mix.

Usage: .venv/bin/python bench/share.py [--photos 200] [--seconds 8] [--connections 4,16]
           [--redis-url redis://127.0.0.1:6379/5] [--postgres-url ... | --no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.seeding import (
    FILE_COLUMNS,
    PHOTO_COLUMNS,
    USERNAME,
    insert_rows,
    migrate,
    photo_rows,
    prepare_in_child,
    seed_user,
)
from bench.serving import (
    WRK_SCRIPT,
    Figures,
    add_arguments,
    free_port,
    load_tool,
    on_each_database,
    redis_for,
    served,
    server_env,
    wrk_figures,
    wrk_script,
)
from photonix.config import Settings
from photonix.logs import configure_logging

TARGET_RPS = 500.0
TARGET_P99_MS = 100.0
ROTATE = """
paths = {%s}
counter = 0
request = function()
  counter = counter %% #paths + 1
  return wrk.format("GET", paths[counter])
end
"""


def thumbnail_rows(count: int, files: dict[str, Path]) -> Iterator[tuple[Any, ...]]:
    """A medium and a large thumbnail row per photo (one file each, shared by all)."""
    row_id = 0
    for index in range(count):
        landscape = index % 10 < 7
        for size, path in files.items():
            row_id += 1
            long_edge = 720 if size == "medium" else 1920
            short_edge = long_edge * 2 // 3
            yield (row_id, index + 1, "thumbnail", size, str(path), long_edge if landscape else short_edge,
                   short_edge if landscape else long_edge)


async def prepare(settings: Settings, count: int) -> tuple[str, list[int]]:
    """Migrate and seed; the link's token and its photo ids."""
    from photonix.db import share_links
    from photonix.db.tables import User

    await migrate(settings)
    library_id = await seed_user(admin=False)
    files = {}
    settings.derivatives_dir.mkdir(parents=True, exist_ok=True)
    for size, shape in (("medium", (720, 480)), ("large", (1920, 1280))):
        files[size] = settings.derivatives_dir / f"bench-{size}.webp"
        Image.new("RGB", shape, (90, 120, 150)).save(files[size], "WEBP", quality=80)
    await insert_rows(settings, [("photo", PHOTO_COLUMNS, photo_rows(count, library_id)),
                                 ("photo_file", FILE_COLUMNS, thumbnail_rows(count, files))])
    user = await User.select(User.id).where(User.username == USERNAME).first()
    assert user is not None
    made = await share_links.create_for_photos(int(user["id"]), range(1, count + 1),
                                               share_links.ShareOptions(expiry="never"))
    return made.link.token, list(range(1, count + 1))


def rotating_script(work: Path, name: str, paths: list[str]) -> Path:
    script = work / f"{name}.lua"
    script.write_text(ROTATE % ", ".join(f'"{p}"' for p in paths) + WRK_SCRIPT)
    return script


async def httpx_rotating(base: str, paths: list[str], seconds: int, connections: int) -> Figures:
    """The fallback load loop over a rotation of paths (see bench/serving.httpx_figures)."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    turn = 0

    async def loop(client: httpx.AsyncClient) -> None:
        nonlocal errors, turn
        while time.perf_counter() < deadline or len(latencies) < 20:
            turn += 1
            started = time.perf_counter()
            answer = await client.get(base + paths[turn % len(paths)])
            latencies.append(time.perf_counter() - started)
            errors += answer.status_code >= 400

    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=connections)) as client:
        await asyncio.gather(*(loop(client) for _ in range(connections)))
    latencies.sort()

    def cut(share: float) -> float:
        return latencies[min(len(latencies) - 1, int(share * len(latencies)))] * 1000

    return Figures(len(latencies), errors, cut(0.50), cut(0.95), cut(0.99))


def measure(base: str, work: Path, sets: dict[str, list[str]], seconds: int, connections: int,
            use_wrk: bool) -> dict[str, Figures]:
    results = {}
    for name, paths in sets.items():
        for path in paths[:3]:
            answer = httpx.get(base + path)
            if answer.status_code != 200:
                raise SystemExit(f"GET {path} answered {answer.status_code}")
        if use_wrk:
            script = rotating_script(work, name, paths)
            figures = wrk_figures(base + paths[0], {}, seconds, connections, script)
        else:
            figures = asyncio.run(httpx_rotating(base, paths, seconds, connections))
        if figures.errors:
            raise SystemExit(f"{name}: {figures.errors} failed requests")
        results[name] = figures
    return results


def report(results: dict[str, Figures], seconds: int) -> None:
    static = results["static"]
    print(f"  {'url':<10} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'p99/static':>11} "
          f"{'req/s vs static':>16}")
    for name, figures in results.items():
        print(f"  {name:<10} {figures.requests / seconds:7.0f} {figures.p50_ms:8.2f} {figures.p95_ms:8.2f} "
              f"{figures.p99_ms:8.2f} {figures.p99_ms / max(static.p99_ms, 0.001):11.1f} "
              f"{figures.requests / static.requests:16.2f}")
    for name in ("thumbnail", "visit"):
        figures = results[name]
        rps = figures.requests / seconds
        word = "meets" if rps >= TARGET_RPS and figures.p99_ms <= TARGET_P99_MS else "MISSES"
        print(f"  {name}: {rps:.0f} req/s, p99 {figures.p99_ms:.1f} ms {word} the targets "
              f"(>= {TARGET_RPS:.0f} req/s, p99 <= {TARGET_P99_MS:.0f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser, seconds=8)
    parser.set_defaults(photos=200)
    parser.add_argument("--connections", default="4,16",
                        help="concurrent connections: a comma-separated list, one run each")
    args = parser.parse_args()
    configure_logging("warning")
    connections = [int(count) for count in args.connections.split(",")]
    work = Path(tempfile.mkdtemp(prefix="photonix-bench-share-"))
    try:
        use_wrk = wrk_script(work) is not None
        print(f"{args.photos:,} shared photos; {load_tool(work / 'report.lua' if use_wrk else None)}; "
              f"{args.connections} connections x {args.seconds} s per URL set; {os.cpu_count()} cores")
        with redis_for(args, work) as redis_url:
            def run(label: str, database_url: str) -> None:
                print(f"{label}:")
                env = server_env(work, label, database_url, redis_url, free_port())
                token, ids = prepare_in_child(env, prepare, args.photos)
                page = f"/s/{token}"
                thumbnails = [f"{page}/photos/{i}/thumbnail/medium" for i in ids]
                sets = {"static": ["/static/css/app.css"], "page": [page], "thumbnail": thumbnails,
                        "visit": [page, *thumbnails[:48]]}
                with served(env) as base:
                    for count in connections:
                        print(f"  {count} connection(s):")
                        report(measure(base, work, sets, args.seconds, count, use_wrk), args.seconds)

            on_each_database(args, work, run)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
