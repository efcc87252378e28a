"""Multi-column unique keys as unique indexes: the same DDL works on SQLite and PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from photonix.db.migration_sql import run_sql

ID = "2026-11-24T21:07:22:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique keys"

UNIQUE_KEYS = (
    ("library_folder", ("library", "path")),
    ("membership", ("user", "library")),
    ("photo", ("library", "content_hash")),
    ("photo_file", ("photo", "kind", "size_name")),
    ("photo_tag", ("photo", "tag", "source")),
    ("step_run", ("photo", "step", "version")),
)



def index_name(table: str, columns: tuple[str, ...]) -> str:
    return f"uq_{table}_{'_'.join(columns)}"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="photonix", description=DESCRIPTION)

    async def create_unique_keys() -> None:
        for table, columns in UNIQUE_KEYS:
            quoted = ", ".join(f'"{column}"' for column in columns)
            await run_sql(
                f'CREATE UNIQUE INDEX IF NOT EXISTS "{index_name(table, columns)}" ON "{table}" ({quoted})'
            )

    async def drop_unique_keys() -> None:
        for table, columns in UNIQUE_KEYS:
            await run_sql(f'DROP INDEX IF EXISTS "{index_name(table, columns)}"')

    manager.add_raw(create_unique_keys)
    manager.add_raw_backwards(drop_unique_keys)
    return manager
