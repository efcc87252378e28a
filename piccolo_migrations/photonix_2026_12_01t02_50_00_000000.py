"""Job actions: the step's code version on each run, pauses that survive restarts, worker settings.

- step_run.step_version: the step's version when the run was queued (a classifier's `version`, 1 for
  other steps), so "re-run missing" finds photos without a successful run at the current version.
  Rows from before are version 1, which every step had until now.
- job_pause: one row per paused scope (everything, a step, a library); the unique index spans
  (scope, step, library) with NULL library read as 0, so one scope cannot be paused twice.
- job_setting: numbers that steer the workers by name (`limit:<step>`, `history_days`).
Same DDL on SQLite and PostgreSQL, but for the id column's type."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from photonix.db.migration_sql import is_postgres, run_sql

ID = "2026-12-01T02:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "step_run.step_version, job_pause, job_setting"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="photonix", description=DESCRIPTION)

    async def create() -> None:
        serial = "SERIAL" if is_postgres() else "INTEGER"
        await run_sql('ALTER TABLE "step_run" ADD COLUMN "step_version" INTEGER NOT NULL DEFAULT 1')
        await run_sql(
            f'CREATE TABLE "job_pause" ("id" {serial} PRIMARY KEY NOT NULL, '
            '"scope" VARCHAR(20) NOT NULL DEFAULT \'\', "step" VARCHAR(60) NOT NULL DEFAULT \'\', '
            '"library" INTEGER REFERENCES "library" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null, '
            '"created_by" VARCHAR(150) NOT NULL DEFAULT \'\', '
            '"created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)'
        )
        await run_sql('CREATE UNIQUE INDEX "job_pause_scope" ON "job_pause" '
                      '("scope", "step", COALESCE("library", 0))')
        await run_sql(
            f'CREATE TABLE "job_setting" ("id" {serial} PRIMARY KEY NOT NULL, '
            '"name" VARCHAR(100) UNIQUE NOT NULL DEFAULT \'\', "value" INTEGER NOT NULL DEFAULT 0)'
        )

    async def drop() -> None:
        await run_sql('DROP TABLE IF EXISTS "job_setting"')
        await run_sql('DROP TABLE IF EXISTS "job_pause"')
        await run_sql('ALTER TABLE "step_run" DROP COLUMN "step_version"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
