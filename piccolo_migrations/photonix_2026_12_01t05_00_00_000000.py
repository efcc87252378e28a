"""user_session: sign-in sessions in the database, so a signed-in user's pages open while Redis is down.

One row per signed-in browser: only the SHA-256 of its token (unique), the user (deleting the user
deletes them), the sign-in time and the last request's time (indexed: expired sessions are deleted by
it). Sessions held in Redis before are not carried over: everyone signs in once more. Same DDL on
SQLite and PostgreSQL but for the id column's type."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from photonix.db.migration_sql import is_postgres, run_sql

ID = "2026-12-01T05:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "user_session"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="photonix", description=DESCRIPTION)

    async def create() -> None:
        serial = "SERIAL" if is_postgres() else "INTEGER"
        await run_sql(
            f'CREATE TABLE "user_session" ("id" {serial} PRIMARY KEY NOT NULL, '
            '"user" INTEGER NOT NULL REFERENCES "photonix_user" ("id") ON DELETE CASCADE ON UPDATE CASCADE, '
            '"token_hash" VARCHAR(64) UNIQUE NOT NULL, '
            '"created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
            '"seen_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)'
        )
        await run_sql('CREATE INDEX "user_session_user" ON "user_session" ("user")')
        await run_sql('CREATE INDEX "user_session_seen_at" ON "user_session" ("seen_at")')

    async def drop() -> None:
        await run_sql('DROP TABLE IF EXISTS "user_session"')

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
