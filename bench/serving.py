"""Serving the real app for a benchmark and timing it: the web process, signing in, the load loop (wrk,
else httpx), and the databases and Redis the runs use (a fresh SQLite file and a fresh PostgreSQL
database per run, dropped at the end; an embedded Redis unless one is named)."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import asyncpg
import httpx

from bench.seeding import PASSWORD, USERNAME

MIN_SAMPLES = 20
STARTUP_SECONDS = 300          # a loaded machine starts the app slowly (70 s to import it at load 18)
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d\\n", summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""

Urls = dict[str, tuple[str, dict[str, str]]]          # name -> (path, headers)


@dataclass(frozen=True, slots=True)
class Figures:
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float


def add_arguments(parser: argparse.ArgumentParser, *, seconds: int) -> None:
    """The options every served benchmark shares."""
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=seconds, help="load duration per URL")
    parser.add_argument("--redis-url", default=os.environ.get("PHOTONIX_REDIS_URL"),
                        help="a Redis database it may flush (default: PHOTONIX_REDIS_URL, else embedded)")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "PHOTONIX_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
                        help="a server where we may create and drop a database")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(work: Path, label: str, database_url: str, redis_url: str, port: int) -> dict[str, str]:
    """The web process's environment: its own data dir and port on loopback, plain HTTP."""
    return {**os.environ, "PHOTONIX_DATA_DIR": str(work / f"data-{label.lower()}"),
            "PHOTONIX_DATABASE_URL": database_url, "PHOTONIX_REDIS_URL": redis_url,
            "PHOTONIX_PORT": str(port), "PHOTONIX_HOST": "127.0.0.1", "PHOTONIX_LOG_LEVEL": "warning",
            # Plain HTTP on loopback: Secure cookies would never come back, so signing in would fail.
            "PHOTONIX_SECURE_COOKIES": "false"}


@contextmanager
def served(env: dict[str, str]) -> Iterator[str]:
    """`python -m photonix web` with this environment, until the block ends; its base URL."""
    base = f"http://127.0.0.1:{env['PHOTONIX_PORT']}"
    proc = subprocess.Popen([sys.executable, "-m", "photonix", "web"], env=env, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the web app exited: {proc.stderr.read().decode() if proc.stderr else ''}")
            try:
                if httpx.get(f"{base}/static/css/app.css").status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"the web app did not answer within {STARTUP_SECONDS} s") from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait()


def sign_in(base: str) -> dict[str, str]:
    """Sign in as the seeded user; the Cookie header that carries the session."""
    with httpx.Client(base_url=base) as client:
        client.get("/login")
        answer = client.post("/login", data={"username": USERNAME, "password": PASSWORD,
                                             "_csrf_token": client.cookies["csrftoken"]})
        if answer.status_code != 303 or "photonix_session" not in answer.cookies:
            raise SystemExit(f"sign-in failed: {answer.status_code}")
        return {"Cookie": f"photonix_session={answer.cookies['photonix_session']}"}


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
    """The fallback load loop: `connections` clients back to back for `seconds` (and at least MIN_SAMPLES
    requests: a loaded machine can spend seconds on one)."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def loop(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < deadline or len(latencies) < MIN_SAMPLES:
            started = time.perf_counter()
            answer = await client.get(url, headers=headers)
            latencies.append(time.perf_counter() - started)
            errors += answer.status_code >= 400

    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=connections)) as client:
        await asyncio.gather(*(loop(client) for _ in range(connections)))
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return Figures(len(latencies), errors, cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000)


def wrk_script(work: Path) -> Path | None:
    """wrk's reporting script when wrk is installed; None: the httpx loop."""
    if not shutil.which("wrk"):
        return None
    script = work / "report.lua"
    script.write_text(WRK_SCRIPT)
    return script


def load_tool(script: Path | None) -> str:
    return "wrk" if script else "httpx loop (wrk not found: install it for steadier figures)"


def measure(base: str, urls: Urls, seconds: int, connections: int, script: Path | None) -> dict[str, Figures]:
    """name -> figures, one URL after another; each warmed up first, and an error page is refused."""
    results = {}
    for name, (path, headers) in urls.items():
        for _ in range(3):
            answer = httpx.get(base + path, headers=headers)
            if answer.status_code != 200:
                raise SystemExit(f"GET {path} answered {answer.status_code}")
        figures = (wrk_figures(base + path, headers, seconds, connections, script) if script is not None
                   else asyncio.run(httpx_figures(base + path, headers, seconds, connections)))
        if figures.errors:
            raise SystemExit(f"{name}: {figures.errors} failed requests")
        results[name] = figures
    return results


def report(results: dict[str, Figures], seconds: int) -> None:
    """A table of the figures, each p95 also as a ratio to the static file's (the "static" entry)."""
    floor = results["static"].p95_ms
    print(f"  {'url':<10} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'p95/static':>11}")
    for name, figures in results.items():
        print(f"  {name:<10} {figures.requests / seconds:7.0f} {figures.p50_ms:8.2f} {figures.p95_ms:8.2f} "
              f"{figures.p99_ms:8.2f} {figures.p95_ms / floor:11.1f}")


def with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


async def run_ddl(admin_url: str, statement: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@contextmanager
def redis_for(args: argparse.Namespace, work: Path) -> Iterator[str]:
    """--redis-url, else an embedded Redis of the run's own."""
    if args.redis_url:
        yield args.redis_url
        return
    from photonix.jobs.embedded_redis import start_embedded_redis

    embedded = start_embedded_redis(work / "redis")
    try:
        yield embedded.url
    finally:
        embedded.stop()


def on_each_database(args: argparse.Namespace, work: Path, run: Callable[[str, str], None]) -> None:
    """run(label, database_url) on a fresh SQLite file (unless --no-sqlite), then (unless --no-postgres) on
    a fresh PostgreSQL database that is dropped afterwards."""
    if not getattr(args, "no_sqlite", False):
        run("SQLite", f"sqlite:///{work / 'photonix.sqlite'}")
    if args.no_postgres:
        return
    name = f"photonix_bench_{uuid.uuid4().hex[:12]}"
    asyncio.run(run_ddl(args.postgres_url, f'CREATE DATABASE "{name}"'))
    try:
        run("PostgreSQL", with_database(args.postgres_url, name))
    finally:
        asyncio.run(run_ddl(args.postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
