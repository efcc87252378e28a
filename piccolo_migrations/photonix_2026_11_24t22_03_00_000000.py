"""Two indexes for the grid at 100k photos (bench/web.py); the same DDL works on SQLite and PostgreSQL.

- step_run_unfinished, a partial index over unfinished runs: the processing pill on every page counts
  them. With statistics (ANALYZE) SQLite sees three states sharing 600k rows and scans the table for
  `state IN ('queued', 'running', 'retrying')`; this index tells it how few there are. The query spells
  the predicate the same way (stepruns.unfinished_count).
- photo_sort_at_library: the grid's month counts read (sort_at, library) from the index alone, not
  one table row per photo of the month."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from photonix.db.migration_sql import run_sql

ID = "2026-11-24T22:03:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "grid indexes: unfinished step runs, photo (sort_at, library)"

INDEXES = (
    ("step_run_unfinished", "step_run", '"photo"', "WHERE \"state\" IN ('queued', 'running', 'retrying')"),
    ("photo_sort_at_library", "photo", '"sort_at", "library"', ""),
)



async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="photonix", description=DESCRIPTION)

    async def create_indexes() -> None:
        for name, table, columns, where in INDEXES:
            await run_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns}) {where}'.strip())

    async def drop_indexes() -> None:
        for name, *_ in INDEXES:
            await run_sql(f'DROP INDEX IF EXISTS "{name}"')

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
