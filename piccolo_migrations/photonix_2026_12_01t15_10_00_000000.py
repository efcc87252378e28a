"""photo.original_name, and undated photos last.

- original_name: the name a file was uploaded under (uploads are stored as `<random>_<safe name>`, which
  pages must not show); NULL for scanned files, whose own name is the one to show.
- Photos whose metadata gave no trustworthy capture date (none, or only the file's time: when it was
  copied or uploaded) sorted by that moment, under their import month; they now sort at
  media.dates.UNDATED_SORT_AT, the grid's "Undated" section at the end. Only photos whose metadata step
  finished: the others still wait for their date.

Same DDL on SQLite and PostgreSQL (`ALTER TABLE ... ADD COLUMN`, nullable)."""

from datetime import datetime

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from photonix.db.migration_sql import run_sql

ID = "2026-12-01T15:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "photo.original_name, undated photos last"

UNDATED_SORT_AT = datetime(1800, 1, 1)      # media.dates.UNDATED_SORT_AT, frozen as this migration saw it


async def apply() -> None:
    await run_sql('ALTER TABLE "photo" ADD COLUMN "original_name" TEXT NULL')
    await run_sql(
        'UPDATE "photo" SET "sort_at" = {} WHERE ("taken_at" IS NULL OR "date_source" IS NULL '
        "OR \"date_source\" = 'file_time') AND EXISTS (SELECT 1 FROM step_run s WHERE s.photo = \"photo\".id "
        "AND s.step = 'extract_metadata' AND s.state = 'done')", UNDATED_SORT_AT)


async def undo() -> None:
    """Undated photos back to their file time, or their import time without one."""
    await run_sql('UPDATE "photo" SET "sort_at" = COALESCE("taken_at", "imported_at") WHERE "sort_at" = {}',
                  UNDATED_SORT_AT)
    await run_sql('ALTER TABLE "photo" DROP COLUMN "original_name"')


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="photonix", description=DESCRIPTION)
    manager.add_raw(apply)
    manager.add_raw_backwards(undo)
    return manager
