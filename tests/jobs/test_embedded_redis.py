"""The embedded server: a current Valkey, loopback only, password-protected, no scripts or admin commands."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as redis_sync

from photonix.config import Settings
from photonix.db.tables import StepRun
from photonix.jobs.embedded_redis import (
    EmbeddedRedis,
    running_embedded_url,
    start_embedded_redis,
    url_file,
    write_url_file,
)
from photonix.jobs.importer import import_paths
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.queue import connect
from photonix.jobs.worker import build_worker
from tests import corpus
from tests.conftest import make_settings
from tests.library_files import placed

OLDEST_ACCEPTED = (9, 1, 2)          # Valkey 9.1.2 (31 Aug 2026): the last release with security fixes


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    server = start_embedded_redis(tmp_path / "data")
    yield server
    server.stop()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_embedded_server_is_a_current_valkey(embedded: EmbeddedRedis) -> None:
    info = redis_sync.Redis.from_url(embedded.url).info("server")
    assert info["server_name"] == "valkey"
    version = tuple(int(part) for part in str(info["valkey_version"]).split("."))
    assert version >= OLDEST_ACCEPTED


def test_connection_without_the_password_is_refused(embedded: EmbeddedRedis) -> None:
    port = redis_sync.Redis.from_url(embedded.url).connection_pool.connection_kwargs["port"]
    anonymous = redis_sync.Redis(host="127.0.0.1", port=port)
    with pytest.raises(redis_sync.AuthenticationError):
        anonymous.set("session:forged", "1")
    wrong = redis_sync.Redis(host="127.0.0.1", port=port, username="photonix", password="guess")
    with pytest.raises(redis_sync.AuthenticationError):
        wrong.ping()


@pytest.mark.parametrize("command", [
    ("EVAL", "return 1", "0"),
    ("FUNCTION", "LOAD", "#!lua name=x\nredis.register_function('f', function() return 1 end)"),
    ("SCRIPT", "LOAD", "return 1"),
    ("CONFIG", "SET", "dir", "/tmp"),
    ("MODULE", "LOAD", "/tmp/x.so"),
    ("RESTORE", "k", "0", "payload"),
], ids=lambda c: " ".join(c[:2]))
def test_app_user_may_not_run_scripts_or_admin_commands(embedded: EmbeddedRedis,
                                                        command: tuple[str, ...]) -> None:
    with pytest.raises(redis_sync.ResponseError, match="no permissions|not allowed"):
        redis_sync.Redis.from_url(embedded.url).execute_command(*command)


def test_secrets_in_the_data_dir_are_readable_by_the_owner_only(embedded: EmbeddedRedis,
                                                                tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    write_url_file(data_dir, embedded.url)
    assert _mode(url_file(data_dir)) == 0o600
    assert _mode(data_dir / "redis" / "server.conf") == 0o600
    assert _mode(data_dir / "redis") == 0o700
    assert running_embedded_url(data_dir) == embedded.url      # what `photonix import`/`status` read


async def test_arq_runs_the_whole_pipeline_on_the_locked_down_server(
    embedded: EmbeddedRedis, settings: Settings, pool, library, tmp_path: Path
) -> None:
    locked = make_settings(settings.data_dir, {"database": settings.database_url, "redis": embedded.url})
    redis = await connect(locked)
    try:
        row = corpus.rows(expected="ok", folder="orientation")[0]
        report = await import_paths(redis, PIPELINE, library.id, placed(library.folders[0], [row.file]))
        await build_worker(locked, burst=True, pool=pool).main()
    finally:
        await redis.aclose()
    rows = await StepRun.select(StepRun.state).where(StepRun.photo == report.new_photo_ids[0])
    states = {row["state"] for row in rows}
    assert states <= {"done", "skipped"} and "done" in states
