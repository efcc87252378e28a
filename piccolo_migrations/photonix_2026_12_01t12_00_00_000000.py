"""Albums, share links, favourites, archive and trash.

- photo: `favourite`, `archived_at` and `trashed_at` (NULL: not archived / not in the trash).
- forgotten_file: a library file whose photo was purged from the trash but left on disk (files in a
  watched folder are not deleted by default): a rescan skips that path while its content is unchanged.
- album (an owner's, with a cover photo and a sort order), album_photo (its photos, a manual position
  and who added them: a user, or a guest's name through a share link), album_member (users of this
  instance it is shared with, as viewer or contributor).
- share_link (a public link: its token or custom slug, what may be seen and downloaded, expiry,
  password, view limit, guest upload) and share_link_photo (the photos of a photo or selection link;
  an album link names its album instead).

Same DDL on SQLite and PostgreSQL but for the id column's type."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from photonix.db.migration_sql import is_postgres, run_sql

ID = "2026-12-01T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "albums, share links, favourites, archive and trash"

PHOTO_COLUMNS = {
    "favourite": "BOOLEAN NOT NULL DEFAULT false",
    "archived_at": "TIMESTAMPTZ NULL DEFAULT NULL",
    "trashed_at": "TIMESTAMPTZ NULL DEFAULT NULL",
}
TABLES = ("share_link_photo", "share_link", "album_member", "album_photo", "album", "forgotten_file")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="photonix", description=DESCRIPTION)

    async def create() -> None:
        serial = "SERIAL" if is_postgres() else "INTEGER"
        for name, definition in PHOTO_COLUMNS.items():
            await run_sql(f'ALTER TABLE "photo" ADD COLUMN "{name}" {definition}')
        await run_sql('CREATE INDEX "photo_trashed_at" ON "photo" ("trashed_at")')
        await run_sql(
            f'CREATE TABLE "forgotten_file" ("id" {serial} PRIMARY KEY NOT NULL, '
            '"library" INTEGER NOT NULL REFERENCES "library" ("id") ON DELETE CASCADE ON UPDATE CASCADE, '
            '"original_path" TEXT NOT NULL, "content_hash" VARCHAR(64) NOT NULL, '
            '"forgotten_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)')
        await run_sql('CREATE UNIQUE INDEX "forgotten_file_library_path" '
                      'ON "forgotten_file" ("library", "original_path")')
        await run_sql(
            f'CREATE TABLE "album" ("id" {serial} PRIMARY KEY NOT NULL, '
            '"owner" INTEGER NOT NULL REFERENCES "photonix_user" ("id") ON DELETE CASCADE ON UPDATE CASCADE, '
            '"title" VARCHAR(200) NOT NULL, "description" TEXT NOT NULL DEFAULT \'\', '
            '"cover" INTEGER NULL DEFAULT NULL REFERENCES "photo" ("id") '
            'ON DELETE SET NULL ON UPDATE CASCADE, '
            '"sort_order" VARCHAR(20) NOT NULL DEFAULT \'date_desc\', '
            '"created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
            '"updated_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)')
        await run_sql('CREATE INDEX "album_owner" ON "album" ("owner")')
        await run_sql(
            f'CREATE TABLE "album_photo" ("id" {serial} PRIMARY KEY NOT NULL, '
            '"album" INTEGER NOT NULL REFERENCES "album" ("id") ON DELETE CASCADE ON UPDATE CASCADE, '
            '"photo" INTEGER NOT NULL REFERENCES "photo" ("id") ON DELETE CASCADE ON UPDATE CASCADE, '
            '"position" INTEGER NOT NULL DEFAULT 0, '
            '"added_by" INTEGER NULL DEFAULT NULL REFERENCES "photonix_user" ("id") '
            'ON DELETE SET NULL ON UPDATE CASCADE, '
            '"guest_name" VARCHAR(100) NOT NULL DEFAULT \'\', '
            '"added_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)')
        await run_sql('CREATE UNIQUE INDEX "album_photo_album_photo" ON "album_photo" ("album", "photo")')
        await run_sql('CREATE INDEX "album_photo_photo" ON "album_photo" ("photo")')
        await run_sql(
            f'CREATE TABLE "album_member" ("id" {serial} PRIMARY KEY NOT NULL, '
            '"album" INTEGER NOT NULL REFERENCES "album" ("id") ON DELETE CASCADE ON UPDATE CASCADE, '
            '"user" INTEGER NOT NULL REFERENCES "photonix_user" ("id") ON DELETE CASCADE ON UPDATE CASCADE, '
            '"role" VARCHAR(20) NOT NULL DEFAULT \'viewer\')')
        await run_sql('CREATE UNIQUE INDEX "album_member_album_user" ON "album_member" ("album", "user")')
        await run_sql('CREATE INDEX "album_member_user" ON "album_member" ("user")')
        await run_sql(
            f'CREATE TABLE "share_link" ("id" {serial} PRIMARY KEY NOT NULL, '
            '"owner" INTEGER NOT NULL REFERENCES "photonix_user" ("id") ON DELETE CASCADE ON UPDATE CASCADE, '
            '"token" VARCHAR(64) UNIQUE NOT NULL, '
            '"album" INTEGER NULL DEFAULT NULL REFERENCES "album" ("id") '
            'ON DELETE CASCADE ON UPDATE CASCADE, '
            '"title" VARCHAR(200) NOT NULL DEFAULT \'\', '
            '"created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
            '"expires_at" TIMESTAMPTZ NULL DEFAULT NULL, '
            '"password_hash" TEXT NULL DEFAULT NULL, '
            '"download" VARCHAR(20) NOT NULL DEFAULT \'none\', '
            '"show_metadata" BOOLEAN NOT NULL DEFAULT false, '
            '"show_location" BOOLEAN NOT NULL DEFAULT false, '
            '"max_views" INTEGER NULL DEFAULT NULL, '
            '"views" INTEGER NOT NULL DEFAULT 0, '
            '"last_viewed_at" TIMESTAMPTZ NULL DEFAULT NULL, '
            '"allow_upload" BOOLEAN NOT NULL DEFAULT false, '
            '"revoked_at" TIMESTAMPTZ NULL DEFAULT NULL)')
        await run_sql('CREATE INDEX "share_link_owner" ON "share_link" ("owner")')
        await run_sql(
            f'CREATE TABLE "share_link_photo" ("id" {serial} PRIMARY KEY NOT NULL, '
            '"share_link" INTEGER NOT NULL REFERENCES "share_link" ("id") '
            'ON DELETE CASCADE ON UPDATE CASCADE, '
            '"photo" INTEGER NOT NULL REFERENCES "photo" ("id") ON DELETE CASCADE ON UPDATE CASCADE)')
        await run_sql('CREATE UNIQUE INDEX "share_link_photo_link_photo" '
                      'ON "share_link_photo" ("share_link", "photo")')
        await run_sql('CREATE INDEX "share_link_photo_photo" ON "share_link_photo" ("photo")')

    async def drop() -> None:
        for table in TABLES:
            await run_sql(f'DROP TABLE IF EXISTS "{table}"')
        await run_sql('DROP INDEX IF EXISTS "photo_trashed_at"')
        for name in reversed(PHOTO_COLUMNS):
            await run_sql(f'ALTER TABLE "photo" DROP COLUMN "{name}"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
