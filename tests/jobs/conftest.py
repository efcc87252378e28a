"""Helpers for pipeline tests: import files into a library and read back what the record says."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from arq import ArqRedis

from photonix.db.accounts import LibraryInfo
from photonix.db.tables import StepRun
from photonix.jobs.flow import Chain
from photonix.jobs.importer import ImportReport, import_paths
from photonix.jobs.pipeline import PIPELINE
from tests.jobs.private_postgres import NO_SERVER, PrivatePostgres, server_bin
from tests.library_files import placed

ImportFiles = Callable[..., Awaitable[ImportReport]]


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A running PostgreSQL cluster of the test's own, which it may restart or stop."""
    bin_dir = server_bin()
    if bin_dir is None:
        pytest.skip(NO_SERVER)
    cluster = PrivatePostgres(bin_dir)
    try:
        cluster.create()
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def import_files(redis: ArqRedis, library: LibraryInfo) -> ImportFiles:
    async def run(paths: list[Path], pipeline: Chain = PIPELINE) -> ImportReport:
        return await import_paths(redis, pipeline, library.id, placed(library.folders[0], paths))

    return run


async def step_states(photo_id: int) -> dict[str, str]:
    rows = await StepRun.select(StepRun.step, StepRun.state, StepRun.version).where(StepRun.photo == photo_id)
    latest = max(row["version"] for row in rows)
    return {row["step"]: row["state"] for row in rows if row["version"] == latest}


async def step_runs(photo_id: int, state: str | None = None) -> list[dict[str, object]]:
    where = StepRun.photo == photo_id
    if state:
        where &= StepRun.state == state
    return await StepRun.select().where(where)
