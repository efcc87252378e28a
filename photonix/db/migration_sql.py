"""Raw SQL for hand-written migrations, always run on the engine the migration runner is using now.

A Table class caches the first engine it finds; a migration's helper table must not, or migrating a
second database in the same process would run its SQL against the first one."""

from __future__ import annotations

from typing import Any

from piccolo.engine import engine_finder
from piccolo.engine.base import Engine
from piccolo.table import Table


class _RawSQL(Table):
    """Only a handle for raw SQL."""


def current_engine() -> Engine[Any]:
    engine = engine_finder()
    if engine is None:
        raise RuntimeError("Piccolo found no engine (photonix.db.engine.bind() was not called)")
    return engine


async def run_sql(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run one statement ({} placeholders for args); the rows it returns, if any."""
    _RawSQL._meta.db = current_engine()
    rows: list[dict[str, Any]] = await _RawSQL.raw(sql, *args)
    return rows or []


def is_postgres() -> bool:
    return current_engine().engine_type == "postgres"
