"""photo.original_name: the name a file was uploaded under (uploads are stored as `<random>_<safe name>`,
which the photo page must not show); NULL for scanned files, whose own name is the one to show.

Same DDL on SQLite and PostgreSQL (`ALTER TABLE ... ADD COLUMN`, nullable)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from photonix.db.migration_sql import run_sql

ID = "2026-12-01T15:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "photo.original_name"


async def add_original_name() -> None:
    await run_sql('ALTER TABLE "photo" ADD COLUMN "original_name" TEXT NULL')


async def drop_original_name() -> None:
    await run_sql('ALTER TABLE "photo" DROP COLUMN "original_name"')


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="photonix", description=DESCRIPTION)
    manager.add_raw(add_original_name)
    manager.add_raw_backwards(drop_original_name)
    return manager
