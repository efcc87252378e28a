"""Backfill the grid order: capture time where known, else import time."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from photonix.db.migration_sql import is_postgres, run_sql

ID = "2026-11-24T21:52:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "backfill photo.sort_at"



async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="photonix", description=DESCRIPTION)

    async def backfill() -> None:
        # imported_at is timestamptz and sort_at naive: cast on PostgreSQL, normalise the text on SQLite.
        imported = "imported_at::timestamp" if is_postgres() else "datetime(imported_at)"
        await run_sql(f"UPDATE photo SET sort_at = COALESCE(taken_at, {imported})")

    manager.add_raw(backfill)
    return manager
