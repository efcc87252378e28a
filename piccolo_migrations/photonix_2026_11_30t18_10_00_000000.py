"""A user can be disabled: their sign-in, sessions and API tokens stop working at once, their data stays.

Same DDL on SQLite and PostgreSQL (`ALTER TABLE ... ADD COLUMN` with a constant default)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from photonix.db.migration_sql import run_sql

ID = "2026-11-30T18:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "photonix_user.disabled"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="photonix", description=DESCRIPTION)

    async def add_disabled() -> None:
        await run_sql('ALTER TABLE "photonix_user" ADD COLUMN "disabled" BOOLEAN NOT NULL DEFAULT false')

    async def drop_disabled() -> None:
        await run_sql('ALTER TABLE "photonix_user" DROP COLUMN "disabled"')

    manager.add_raw(add_disabled)
    manager.add_raw_backwards(drop_disabled)
    return manager
