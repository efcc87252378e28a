"""Binds every table to the configured database engine, and runs the migrations."""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
from typing import Any
from urllib.parse import urlparse

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from photonix.config import Settings
from photonix.db import piccolo_conf
from photonix.db.sqlite_engine import SharedConnectionSQLiteEngine
from photonix.db.tables import TABLES
from photonix.errors import ConfigError

SQLITE_BUSY_TIMEOUT_SECONDS = 30.0


def engine_for(settings: Settings) -> Engine[Any]:
    """SQLite with a busy timeout (web and workers share the file), or PostgreSQL from its URL."""
    if settings.is_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        return SharedConnectionSQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    url = urlparse(settings.database_url)
    if not url.path.strip("/"):
        raise ConfigError("PHOTONIX_DATABASE_URL must name a database, e.g. postgresql://localhost/photonix")
    return PostgresEngine(config={"dsn": settings.database_url.replace("postgres://", "postgresql://", 1)})


def bind(settings: Settings) -> Engine[Any]:
    """Point Piccolo (tables, migrations) at the configured database. Call once at start, before queries."""
    engine = engine_for(settings)
    # Piccolo's migration runner finds its engine through the PICCOLO_CONF module, not through tables.
    os.environ["PICCOLO_CONF"] = "photonix.db.piccolo_conf"
    piccolo_conf.DB = engine
    tables: tuple[type[Table], ...] = (*TABLES, Migration)
    for table in tables:
        table._meta.db = engine
    return engine


async def migrate(settings: Settings) -> None:
    """Bring the schema up to date; on SQLite also switch the file to WAL once (it persists)."""
    if settings.is_sqlite:
        settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(settings.sqlite_path) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
    # Piccolo narrates every run on stdout ("15 migrations already complete", "15 migrations not yet
    # run"...), which read as contradictions at every start; its words are kept for a failure only.
    narration = io.StringIO()
    with contextlib.redirect_stdout(narration):
        result = await run_forwards(app_name="photonix")
    if not result.success:
        raise ConfigError(f"database migration failed: {result.message}\n{narration.getvalue()[-2000:]}")


async def open_pool(engine: Engine[Any]) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=10)


async def close_pool(engine: Engine[Any]) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, SharedConnectionSQLiteEngine):
        await engine.close_shared()
