"""Fixtures on real services: SQLite or PostgreSQL, a real Redis, real burst-mode ARQ workers."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
import redis as redis_sync
from arq import ArqRedis, Worker

from photonix.config import Settings
from photonix.db import accounts, engine
from photonix.db.tables import TABLES
from photonix.jobs.embedded_redis import EmbeddedRedis, start_embedded_redis
from photonix.jobs.flow import Chain
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.pool import WorkerPool
from photonix.jobs.queue import connect
from photonix.jobs.worker import build_worker

LOCAL_REDIS = "redis://127.0.0.1:6379/7"


def _redis_url(tmp: Path) -> tuple[str, EmbeddedRedis | None]:
    """PHOTONIX_TEST_REDIS_URL, else the machine's Redis on 6379, else our embedded one."""
    wanted = os.environ.get("PHOTONIX_TEST_REDIS_URL")
    if wanted:
        return wanted, None
    try:
        if redis_sync.Redis.from_url(LOCAL_REDIS, socket_connect_timeout=1).ping():
            return LOCAL_REDIS, None
    except redis_sync.RedisError:
        pass
    embedded = start_embedded_redis(tmp)
    return embedded.url, embedded


@pytest.fixture(scope="session")
def service_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A fresh database (SQLite file, or a new PostgreSQL database) and a Redis for this test run."""
    tmp = tmp_path_factory.mktemp("services")
    redis_url, embedded = _redis_url(tmp)
    base = os.environ.get("PHOTONIX_TEST_DATABASE_URL")
    created = None
    if base:
        created = f"photonix_test_{uuid.uuid4().hex[:10]}"
        asyncio.run(_pg_admin(base, f'CREATE DATABASE "{created}"'))
        database_url = base.rsplit("/", 1)[0] + "/" + created
    else:
        database_url = f"sqlite:///{tmp / 'photonix.sqlite'}"
    yield {"database": database_url, "redis": redis_url}
    if created and base:
        asyncio.run(_pg_admin(base, f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)'))
    if embedded:
        embedded.stop()


async def _pg_admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def make_settings(data_dir: Path, urls: dict[str, str], **overrides: str) -> Settings:
    env = {
        "PHOTONIX_DATA_DIR": str(data_dir),
        "PHOTONIX_DATABASE_URL": urls["database"],
        "PHOTONIX_REDIS_URL": urls["redis"],
        "PHOTONIX_POOL_PROCESSES": "2",
        "PHOTONIX_MAX_TRIES": "3",
        "PHOTONIX_RETRY_BASE_SECONDS": "0.05",
        "PHOTONIX_RETRY_CAP_SECONDS": "0.2",
        "PHOTONIX_RESCAN_SECONDS": "0",
        "PHOTONIX_LOG_LEVEL": "warning",
        "PHOTONIX_SECURE_COOKIES": "false",      # the in-process test client speaks plain HTTP
        **overrides,
    }
    return Settings.from_env(env)


@pytest.fixture(scope="session")
def settings(service_urls: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("data"), service_urls)


@pytest.fixture(scope="session")
async def database(settings: Settings) -> AsyncIterator[None]:
    # No PostgreSQL connection pool: the web app under test runs in the test client's own event loop,
    # and a pool belongs to the loop that made it. Each query opens its own connection instead.
    engine.bind(settings)
    await engine.migrate(settings)
    yield


@pytest.fixture(scope="session")
def pool() -> Iterator[WorkerPool]:
    shared = WorkerPool(2)
    yield shared
    shared.shutdown()


@pytest.fixture(scope="session")
async def redis(settings: Settings) -> AsyncIterator[ArqRedis]:
    connection = await connect(settings)
    yield connection
    await connection.aclose()


@pytest.fixture
async def clean(database: None, redis: ArqRedis) -> None:
    """Every test starts with empty tables and an empty queue."""
    for table in reversed(TABLES):
        await table.delete(force=True)
    await redis.flushdb()


@pytest.fixture
def worker(settings: Settings, pool: WorkerPool, clean: None) -> Callable[..., Worker]:
    """A burst-mode worker built from our real WorkerSettings: `await worker().main()` drains the queue."""
    made: list[Worker] = []

    def build(pipeline: Chain = PIPELINE, **overrides: str) -> Worker:
        chosen = make_settings(settings.data_dir, {"database": settings.database_url,
                                                   "redis": settings.redis_url or ""}, **overrides)
        w = build_worker(chosen, pipeline=pipeline, burst=True, pool=pool)
        made.append(w)
        return w

    return build


@pytest.fixture
async def library(clean: None, tmp_path: Path) -> accounts.LibraryInfo:
    """A library owned by a user 'alice', with an empty folder of its own."""
    folder = tmp_path / "photos"
    folder.mkdir()
    owner = await accounts.create_user("alice", "correct horse battery")
    library_id = await accounts.create_library("Alice's photos", [folder], owner)
    return accounts.LibraryInfo(library_id, "Alice's photos", (folder,))


@pytest.fixture
def run(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`photonix …` in a subprocess with its own data dir and SQLite (test_cli_access.py has its own)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("PHOTONIX_")}
    base.update({"PHOTONIX_DATA_DIR": str(tmp_path / "data"), "PHOTONIX_POOL_PROCESSES": "1",
                "PHOTONIX_LOG_LEVEL": "warning"})

    def photonix(*args: str, stdin: str = "",
                 env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "photonix", *args], env={**base, **(env or {})},
                              input=stdin,
                              capture_output=True, text=True, timeout=300)

    return photonix
