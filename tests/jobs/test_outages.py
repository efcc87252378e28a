"""A worker rides out a Redis outage (Redis back empty) and a database outage mid-import, resuming by
itself: nobody restarts anything, and every photo ends done or failed with a reason."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
import redis as redis_sync
from arq import ArqRedis

from photonix.config import Settings
from photonix.db import accounts, engine
from photonix.db.service_outages import record_outage
from photonix.db.tables import Photo, PhotoTag, ServiceOutage, StepRun
from photonix.jobs.embedded_redis import server_binary
from photonix.jobs.heartbeat import WorkerBeat, publish_beat
from photonix.jobs.importer import import_paths
from photonix.jobs.outages import DATABASE, DATABASE_OUTAGE_KEY, OUTAGE_STALE_SECONDS, REDIS, current_outages
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.queue import connect
from photonix.jobs.stuck_work import sweep_stuck_work
from photonix.jobs.worker_notices import worker_notices
from tests import corpus
from tests.conftest import make_settings
from tests.jobs.private_postgres import PrivatePostgres
from tests.jobs.worker_processes import completions, start_worker, wait_until, worker_logged
from tests.library_files import placed
from tests.running import free_port

FINAL = ["done", "skipped", "failed"]
# How long the server stays stopped in the longer outage: the fault's shape (several of the worker's
# backed-off pings fail), not a wait for work to happen.
STOPPED_SECONDS = 4.0
ROWS = [row for row in corpus.rows(expected="ok") if row.path.endswith(".jpg")][:14] + corpus.rows(
    expected="fail")[:3]


class PrivateRedis:
    """A redis-server of this test's own, without persistence: killed, it comes back empty."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(server_binary()), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)], stdout=subprocess.DEVNULL)
        client = redis_sync.Redis(port=self.port)
        deadline = time.monotonic() + 30
        while True:
            try:
                if client.ping():
                    return
            except redis_sync.ConnectionError:
                assert time.monotonic() < deadline, "the private redis-server did not start"
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.kill()


async def all_finished() -> bool:
    return await StepRun.count().where(StepRun.state.not_in(FINAL)) == 0


async def assert_every_photo_as_the_manifest_expects() -> None:
    hashes = {row["id"]: row["content_hash"] for row in await Photo.select(Photo.id, Photo.content_hash)}
    assert set(hashes.values()) == {row.sha256 for row in ROWS}
    runs = await StepRun.select(StepRun.photo, StepRun.step, StepRun.state, StepRun.error)
    states: dict[str, dict[str, tuple[str, str]]] = {}
    for run in runs:
        states.setdefault(hashes[run["photo"]], {})[run["step"]] = (run["state"], run["error"])
    for row in ROWS:
        steps = states[row.sha256]
        assert set(steps) == set(PIPELINE.step_names()), row.path
        if row.expected == "ok":
            assert {state for state, _ in steps.values()} <= {"done", "skipped"}, (row.path, steps)
        else:
            failed = [error for state, error in steps.values() if state == "failed"]
            assert failed and all(failed), row.path
            assert not any(error.startswith("internal error") for error in failed), row.path
    tags = [(t["photo"], t["tag"], t["source"]) for t in await PhotoTag.select(PhotoTag.photo, PhotoTag.tag,
                                                                                  PhotoTag.source)]
    assert tags and len(tags) == len(set(tags))


async def import_rows(queue: ArqRedis, library) -> None:
    await import_paths(queue, PIPELINE, library.id, placed(library.folders[0], [row.file for row in ROWS]))


async def mid_import() -> bool:
    return await StepRun.count().where(StepRun.state.is_in(FINAL)) >= 10


async def test_worker_survives_redis_coming_back_empty_and_finishes_the_import(
    settings, library, private_redis, tmp_path
) -> None:
    queue_settings = make_settings(settings.data_dir, {"database": settings.database_url,
                                                       "redis": private_redis.url})
    queue = await connect(queue_settings)
    worker = start_worker(queue_settings, tmp_path / "worker.log", PHOTONIX_HEARTBEAT_SECONDS="1")
    try:
        await import_rows(queue, library)
        await wait_until(mid_import, "the import to be under way")
        private_redis.kill()
        killed_at = datetime.now(UTC)
        assert not await all_finished(), "the import ended before Redis went away; the test proves nothing"
        await wait_until(worker_logged(worker, "redis_unreachable"), "the worker to notice")

        # While it lasts the dashboard shows it, from the worker's record in the database.
        async def recorded() -> bool:
            return await ServiceOutage.count().where(ServiceOutage.service == REDIS) == 1
        await wait_until(recorded, "the worker to record the outage")
        outages = await current_outages(queue)
        assert [outage.service for outage in outages] == [REDIS]
        assert killed_at - timedelta(seconds=1) <= outages[0].since <= datetime.now(UTC)

        private_redis.start()                              # the same port, and empty
        await wait_until(all_finished, "every photo to finish after Redis came back")
        assert worker.process.poll() is None
        assert worker.log_events("redis_reachable_again")
    finally:
        worker.stop()
        await queue.aclose()
    await assert_every_photo_as_the_manifest_expects()
    assert await ServiceOutage.count() == 0
    queue = await connect(queue_settings)
    try:
        assert await current_outages(queue) == []
    finally:
        await queue.aclose()


async def _admin(sql: str, url: str | None = None) -> None:
    conn = await asyncpg.connect(url or os.environ["PHOTONIX_TEST_DATABASE_URL"])
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def test_worker_survives_a_database_outage_and_finishes_the_import(
    settings, library, redis, tmp_path
) -> None:
    if settings.is_sqlite:
        pytest.skip("a database outage is a PostgreSQL server's: SQLite is a file")
    name = settings.database_url.rsplit("/", 1)[1]
    worker = start_worker(settings, tmp_path / "worker.log", PHOTONIX_HEARTBEAT_SECONDS="1")
    try:
        await import_rows(redis, library)
        await wait_until(mid_import, "the import to be under way")
        await _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            await _admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
            await wait_until(worker_logged(worker, "database_unreachable"), "the worker to notice")

            async def recorded() -> bool:                # in Redis, where the web can read it meanwhile
                return bool(await redis.exists(DATABASE_OUTAGE_KEY))
            await wait_until(recorded, "the worker to record the outage")
            outages = await current_outages(redis)
            assert [outage.service for outage in outages] == [DATABASE]
        finally:
            await _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await wait_until(all_finished, "every photo to finish after the database came back")
        assert worker.process.poll() is None
        assert worker.log_events("database_reachable_again")
    finally:
        worker.stop()
    await assert_every_photo_as_the_manifest_expects()
    assert await current_outages(redis) == []


@pytest.fixture
async def own_database(private_postgres: PrivatePostgres, settings: Settings, clean: None, tmp_path: Path
                       ) -> AsyncIterator[tuple[Settings, accounts.LibraryInfo]]:
    """Settings for a database in the test's own cluster (this process's tables bound to it meanwhile),
    and a library in it."""
    await _admin('CREATE DATABASE "photonix"', private_postgres.url())
    own = make_settings(settings.data_dir, {"database": private_postgres.url("photonix"),
                                            "redis": settings.redis_url or ""})
    engine.bind(own)
    try:
        await engine.migrate(own)
        folder = tmp_path / "photos"
        folder.mkdir()
        owner = await accounts.create_user("alice", "correct horse battery")
        library_id = await accounts.create_library("Alice's photos", [folder], owner)
        yield own, accounts.LibraryInfo(library_id, "Alice's photos", (folder,))
    finally:
        engine.bind(settings)


@pytest.mark.parametrize("outage", ["restart", "stop_then_start"])
async def test_worker_rides_out_a_postgresql_restart_and_finishes_the_import(
    outage, own_database, private_postgres, redis, tmp_path
) -> None:
    own, library = own_database
    worker = start_worker(own, tmp_path / "worker.log", PHOTONIX_HEARTBEAT_SECONDS="1")
    try:
        await import_rows(redis, library)
        await wait_until(mid_import, "the import to be under way")
        if outage == "restart":
            private_postgres.restart()
            assert not await all_finished(), "the import ended before the restart; the test proves nothing"
        else:
            private_postgres.stop()
            await wait_until(worker_logged(worker, "database_unreachable"), "the worker to notice")

            # While it lasts the dashboard shows it, from the worker's record in Redis.
            async def recorded() -> bool:
                return bool(await redis.exists(DATABASE_OUTAGE_KEY))
            await wait_until(recorded, "the worker to record the outage")
            assert DATABASE in [outage.service for outage in await current_outages(redis)]
            await asyncio.sleep(STOPPED_SECONDS)
            assert worker.process.poll() is None, worker.log_path.read_text()[-3000:]
            private_postgres.start()
            assert not await all_finished(), "the import ended before the outage; the test proves nothing"
        await wait_until(all_finished, "every photo to finish after the database came back")
        assert worker.process.poll() is None
        # The worker saw the outage, said so, and saw it end: nobody restarted it.
        assert worker.log_events("database_unreachable") and worker.log_events("database_reachable_again")
    finally:
        worker.stop()
    await assert_every_photo_as_the_manifest_expects()
    assert max(completions([worker]).values()) == 1, completions([worker]).most_common(3)
    assert await current_outages(redis) == []


async def test_an_outage_record_nobody_refreshes_is_no_longer_shown(redis, clean) -> None:
    """A worker that died mid-outage leaves its record behind; it stops counting once it goes stale."""
    now = datetime.now(UTC)
    await record_outage(REDIS, "vm:1:abc", "Connection refused", since=now - timedelta(minutes=5))
    shown = await current_outages(redis)
    assert [(outage.service, outage.since) for outage in shown] == [(REDIS, now - timedelta(minutes=5))]
    later = now + timedelta(seconds=OUTAGE_STALE_SECONDS + 1)
    assert await current_outages(redis, now=later) == []


async def test_notices_name_the_lost_workers_the_outages_and_the_last_repair(redis, settings, clean,
                                                                             import_files) -> None:
    assert (await worker_notices(redis)).is_empty
    now = datetime.now(UTC)
    lost = WorkerBeat(worker_id="vm:7:abc", host="vm", pid=7, version="1", concurrency=8, pool_size=2,
                      rss_bytes=1, started_at=now - timedelta(hours=1), last_beat=now - timedelta(minutes=1),
                      beat_seconds=5, jobs_done=3, jobs_failed=0, running=())
    report = await import_files([ROWS[0].file])
    await redis.flushdb()                            # Redis lost the photo's job: a sweep repairs it
    await publish_beat(redis, lost)
    await sweep_stuck_work(redis, PIPELINE, settings)
    await record_outage(DATABASE, "vm:7:abc", "connection refused")
    notices = await worker_notices(redis)
    assert [beat.worker_id for beat in notices.lost_workers] == ["vm:7:abc"]
    assert [outage.service for outage in notices.outages] == [DATABASE]
    assert notices.last_repair is not None
    assert notices.last_repair.missing_requeued == len(report.new_photo_ids)
    assert notices.last_repair.sentence.startswith("1 stuck step re-queued at")


async def test_worker_started_while_redis_is_away_waits_for_it(settings, clean, tmp_path) -> None:
    server = PrivateRedis(tmp_path)                  # not started yet
    urls = {"database": settings.database_url, "redis": server.url}
    worker = start_worker(make_settings(settings.data_dir, urls), tmp_path / "worker.log")
    try:
        await wait_until(worker_logged(worker, "redis_unreachable_at_start"), "the worker to find no Redis")
        server.start()
        await wait_until(worker_logged(worker, "worker_started"), "the worker to start once Redis is there")
    finally:
        worker.stop()
        server.kill()
