"""The per-try record and what the failure and history lists read.

- step_try: one row per try of a step run (try number, worker, state, error, traceback, times); it goes
  with its run (ON DELETE CASCADE), so clearing old runs clears their tries.
- step_run.worker: the worker of the run's latest try.
- step_run.reason: the error without the file it names (media.failures.failure_reason), the key failures
  are grouped by; filled here for the runs recorded before.
- step_run.library: the photo's library, copied when the run is queued, so per-library and per-user
  filters (the header's counts, the lists' library filter) need no join; filled here.
(The failure lists' index needs step_run.is_latest: migration 2026-12-01T03:05 makes it.)
The DDL differs only in the id column (SQLite INTEGER PRIMARY KEY, PostgreSQL SERIAL)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from photonix.db.migration_sql import is_postgres, run_sql
from photonix.media.failures import failure_reason

ID = "2026-12-01T02:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "step_try table; step_run worker, reason and library"

STEP_RUN_COLUMNS = (
    ("worker", "VARCHAR(200) NOT NULL DEFAULT ''"),
    ("reason", "TEXT NOT NULL DEFAULT ''"),
    ("library", 'INTEGER NULL DEFAULT NULL REFERENCES "library" ("id") ON DELETE CASCADE'),
)
STEP_TRY_COLUMNS = (
    '"step_run" INTEGER NOT NULL REFERENCES "step_run" ("id") ON DELETE CASCADE ON UPDATE CASCADE',
    '"photo" INTEGER NOT NULL REFERENCES "photo" ("id") ON DELETE CASCADE ON UPDATE CASCADE',
    '"step" VARCHAR(60) NOT NULL DEFAULT \'\'',
    '"version" INTEGER NOT NULL DEFAULT 0',
    '"try_number" INTEGER NOT NULL DEFAULT 1',
    '"worker" VARCHAR(200) NOT NULL DEFAULT \'\'',
    '"state" VARCHAR(20) NOT NULL DEFAULT \'\'',
    '"error" TEXT NOT NULL DEFAULT \'\'',
    '"error_kind" VARCHAR(60) NOT NULL DEFAULT \'\'',
    '"traceback" TEXT NOT NULL DEFAULT \'\'',
    '"started_at" TIMESTAMPTZ NOT NULL',
    '"finished_at" TIMESTAMPTZ NULL DEFAULT NULL',
    '"duration_ms" INTEGER NULL DEFAULT NULL',
)
INDEXES = (
    ("step_try_step_run", "step_try", '"step_run"', ""),
    ("step_try_photo", "step_try", '"photo"', ""),
)
BATCH = 500


async def fill_libraries() -> None:
    """Runs recorded before: the library of their photo."""
    await run_sql('UPDATE "step_run" SET "library" = (SELECT p."library" FROM "photo" p '
                  'WHERE p."id" = "step_run"."photo")')


async def fill_reasons() -> None:
    """Give the runs recorded before this migration their reason, a batch of rows per statement."""
    rows = await run_sql('SELECT "id", "error" FROM "step_run" WHERE "error" <> \'\' AND "reason" = \'\'')
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        cases = " ".join("WHEN {} THEN {}" for _ in batch)
        args = [value for row in batch for value in (row["id"], failure_reason(row["error"]))]
        ids = ", ".join(str(int(row["id"])) for row in batch)
        await run_sql(f'UPDATE "step_run" SET "reason" = CASE "id" {cases} END WHERE "id" IN ({ids})', *args)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="photonix", description=DESCRIPTION)

    async def create() -> None:
        for name, definition in STEP_RUN_COLUMNS:
            await run_sql(f'ALTER TABLE "step_run" ADD COLUMN "{name}" {definition}')
        key = '"id" SERIAL PRIMARY KEY' if is_postgres() else '"id" INTEGER PRIMARY KEY NOT NULL'
        await run_sql(f'CREATE TABLE "step_try" ({", ".join((key, *STEP_TRY_COLUMNS))})')

    async def create_indexes() -> None:       # after the columns are filled: one sort, not 600k inserts
        for name, table, columns, where in INDEXES:
            await run_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns}) {where}'.strip())

    async def drop() -> None:
        for name, *_ in INDEXES:
            await run_sql(f'DROP INDEX IF EXISTS "{name}"')
        await run_sql('DROP TABLE IF EXISTS "step_try"')
        for name, _ in reversed(STEP_RUN_COLUMNS):
            await run_sql(f'ALTER TABLE "step_run" DROP COLUMN "{name}"')

    manager.add_raw(create)
    manager.add_raw(fill_libraries)
    manager.add_raw(fill_reasons)
    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop)
    return manager
