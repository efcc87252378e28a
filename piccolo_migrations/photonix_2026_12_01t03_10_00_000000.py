"""service_outage: Redis or the database unreachable, as workers saw it, for the job dashboard.

A worker that loses Redis writes the outage here, where the web can read it while Redis is down (a
database outage goes the other way, into Redis). Same DDL on SQLite and PostgreSQL but for the id."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from photonix.db.migration_sql import is_postgres, run_sql

ID = "2026-12-01T03:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "service_outage"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="photonix", description=DESCRIPTION)

    async def create_table() -> None:
        id_column = '"id" SERIAL PRIMARY KEY' if is_postgres() else '"id" INTEGER PRIMARY KEY'
        await run_sql(
            f'CREATE TABLE "service_outage" ({id_column}, '
            '"service" VARCHAR(20) NOT NULL UNIQUE, "since" TIMESTAMPTZ NOT NULL, '
            '"seen_at" TIMESTAMPTZ NOT NULL, "noticed_by" VARCHAR(120) NOT NULL DEFAULT \'\', '
            '"error" TEXT NOT NULL DEFAULT \'\')'
        )

    async def drop_table() -> None:
        await run_sql('DROP TABLE "service_outage"')

    manager.add_raw(create_table)
    manager.add_raw_backwards(drop_table)
    return manager
