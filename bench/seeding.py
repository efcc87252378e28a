"""Seeding for the benchmarks: the user who signs in, synthetic photos and their thumbnail rows, and bulk
inserts into a fresh database (executemany on SQLite, COPY on PostgreSQL), every step_run row through
the real triggers that keep the dashboard's tallies. Each benchmark brings only its own step runs."""

from __future__ import annotations

import asyncio
import contextlib
import io
import multiprocessing
import random
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from photonix.config import Settings
from photonix.db import accounts, engine
from photonix.logs import configure_logging

USERNAME, PASSWORD = "bench", "bench-password"
YEARS = 4
CAMERAS = (("Canon", "EOS R6"), ("FUJIFILM", "X-T4"), ("Apple", "iPhone 13"), ("SONY", "ILCE-7M3"),
           (None, None))
PHOTO_COLUMNS = ("id", "library", "content_hash", "original_path", "file_size", "imported_at", "sort_at",
                 "version", "format", "width", "height", "orientation", "taken_at", "camera_make",
                 "camera_model", "exposure_time", "f_number", "iso", "focal_length", "flash", "rating")
FILE_COLUMNS = ("id", "photo", "kind", "size_name", "path", "width", "height")

Rows = tuple[str, tuple[str, ...], Iterable[tuple[Any, ...]]]     # table, columns, rows
T = TypeVar("T")


def photo_rows(count: int, library_id: int) -> Iterator[tuple[Any, ...]]:
    """Photos spread over YEARS years (oldest first, so ids grow with time as imports do); ids 1..count."""
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


def file_rows(count: int, thumbnail: Path, size_name: str = "medium") -> Iterator[tuple[Any, ...]]:
    """One thumbnail row per photo, all pointing at one small JPEG."""
    for index in range(count):
        landscape = index % 10 < 7
        yield (index + 1, index + 1, "thumbnail", size_name, str(thumbnail), 720 if landscape else 480,
               480 if landscape else 720)


async def seed_user(*, admin: bool) -> int:
    """The user the benchmark signs in as, and the library it seeds: an admin's own, or one the user is a
    member of. The library's id."""
    user_id = await accounts.create_user(USERNAME, PASSWORD, is_admin=admin)
    if admin:
        return await accounts.create_library("Bench", [], user_id)
    library_id = await accounts.create_library("Bench", [])
    await accounts.add_member(library_id, user_id)
    return library_id


async def migrate(settings: Settings) -> None:
    """Bind the database and bring its schema up to date (triggers included), quietly."""
    engine.bind(settings)
    with contextlib.redirect_stdout(io.StringIO()):      # Piccolo's migration chatter
        await engine.migrate(settings)


def insert_sqlite(path: Path, tables: Iterable[Rows], *, analyze: bool = False) -> None:
    """executemany in one transaction (importing Piccolo registered its datetime adapters on sqlite3).

    No ANALYZE unless asked: Photonix never runs it, so a real install plans without statistics."""
    with sqlite3.connect(path) as conn:
        for table, columns, rows in tables:
            names = ", ".join(f'"{c}"' for c in columns)
            conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})',
                             rows)
        if analyze:
            conn.execute("ANALYZE")


async def copy_postgres(dsn: str, tables: Iterable[Rows]) -> None:
    """COPY, one statement per table (a statement trigger counts all of a table's rows at once); then the
    id sequences move past explicit ids, and VACUUM ANALYZE, as autovacuum soon would (index-only scans
    need the visibility map)."""
    conn = await asyncpg.connect(dsn)
    try:
        for table, columns, rows in tables:
            await conn.copy_records_to_table(table, records=list(rows), columns=list(columns))
            if "id" in columns:
                await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT MAX(id) FROM {table}))")
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


async def insert_rows(settings: Settings, tables: Iterable[Rows], *, analyze_sqlite: bool = False) -> None:
    """The rows into the settings' database, the bulk way for its engine."""
    if settings.is_sqlite:
        await asyncio.to_thread(insert_sqlite, settings.sqlite_path, tables, analyze=analyze_sqlite)
    else:
        await copy_postgres(settings.database_url, tables)


def _run_in_child(env: dict[str, str], prepare: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    configure_logging("warning")
    return asyncio.run(prepare(Settings.from_env(env), *args))


def prepare_in_child(env: dict[str, str], prepare: Callable[..., Any], *args: Any) -> Any:
    """`await prepare(settings, *args)` in a fresh process (spawned, so `prepare` must be a module-level
    function): the raw-SQL migrations bind their table handle to the first engine of a process, so each
    database gets a process of its own."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as child:
        return child.submit(_run_in_child, env, prepare, args).result()
