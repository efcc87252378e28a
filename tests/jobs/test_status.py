"""JobsStatus from the record and Redis: what it says when Redis stops answering."""

from __future__ import annotations

from pathlib import Path

from arq import ArqRedis

from photonix.config import Settings
from photonix.db import accounts
from photonix.db.step_states import StepState
from photonix.jobs.embedded_redis import start_embedded_redis
from photonix.jobs.queue import connect
from photonix.jobs.status import jobs_status
from tests import corpus
from tests.conftest import make_settings
from tests.library_files import import_into


async def test_the_status_keeps_the_records_counts_when_redis_stops_answering(
        library: accounts.LibraryInfo, redis: ArqRedis, settings: Settings, tmp_path: Path) -> None:
    await import_into(redis, library.id, [row.file for row in corpus.rows(expected="ok")[:2]])
    own = start_embedded_redis(tmp_path / "redis")          # ours to stop; the shared one stays up
    try:
        doomed = await connect(make_settings(settings.data_dir, {"database": settings.database_url,
                                                                 "redis": own.url}))
        answering = await jobs_status(doomed)
        assert answering.queue is not None and not answering.redis_unreachable
    finally:
        own.stop()
    silent = await jobs_status(doomed)
    assert silent.redis_unreachable and silent.queue is None and silent.workers == ()
    assert silent.steps["extract_metadata"][StepState.QUEUED] == 2
    assert silent.totals.photos_processing == 2
    await doomed.aclose()
