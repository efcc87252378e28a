"""Favourites per user: photo_favourite (a user's heart on a photo) replaces the photo.favourite flag that
every member of a library shared.

Each photo flagged before keeps its heart for every member of its library (the flag was theirs alike),
so nobody loses a favourite; then the column goes. `ALTER TABLE ... DROP COLUMN` needs SQLite >= 3.35.

Same DDL on SQLite and PostgreSQL but for the id column's type."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from photonix.db.migration_sql import is_postgres, run_sql

ID = "2026-12-01T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "favourites per user"


async def create_table() -> None:
    serial = "SERIAL" if is_postgres() else "INTEGER"
    await run_sql(
        f'CREATE TABLE "photo_favourite" ("id" {serial} PRIMARY KEY NOT NULL, '
        '"user" INTEGER NOT NULL REFERENCES "photonix_user" ("id") ON DELETE CASCADE ON UPDATE CASCADE, '
        '"photo" INTEGER NOT NULL REFERENCES "photo" ("id") ON DELETE CASCADE ON UPDATE CASCADE, '
        '"created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)')
    await run_sql('CREATE UNIQUE INDEX "photo_favourite_user_photo" ON "photo_favourite" ("user", "photo")')
    await run_sql('CREATE INDEX "photo_favourite_photo" ON "photo_favourite" ("photo")')


async def carry_over() -> None:
    """A heart for every member of the library of each photo flagged before."""
    await run_sql(
        'INSERT INTO "photo_favourite" ("user", "photo") '
        'SELECT m."user", p.id FROM photo p JOIN membership m ON m.library = p.library '
        'WHERE p.favourite = {}', True)


async def apply() -> None:
    await create_table()
    await carry_over()
    await run_sql('ALTER TABLE "photo" DROP COLUMN "favourite"')


async def undo() -> None:
    """Back to one flag per photo: a photo any member loved is flagged for all of them."""
    await run_sql('ALTER TABLE "photo" ADD COLUMN "favourite" BOOLEAN NOT NULL DEFAULT false')
    await run_sql('UPDATE "photo" SET "favourite" = {} WHERE EXISTS '
                  '(SELECT 1 FROM "photo_favourite" pf WHERE pf.photo = "photo"."id")', True)
    await run_sql('DROP TABLE IF EXISTS "photo_favourite"')


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="photonix", description=DESCRIPTION)
    manager.add_raw(apply)
    manager.add_raw_backwards(undo)
    return manager
