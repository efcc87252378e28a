"""Where a photo's date came from, whether it is uncertain, XMP title and description, its sidecar's state.

- date_source: a media.dates.DateSource value (exif_original … file_time); NULL for photos read before.
- date_uncertain: a better source held an impossible date (2099, before 1826) and was passed over.
- title, description: XMP dc:title and dc:description (embedded or from a sidecar).
- sidecar_signature: the XMP sidecar the metadata was read with (name, mtime, size; "" for none), so a
  rescan can tell a sidecar that appeared, changed or went since.
Camera names already stored are shortened the way new imports store them ("NIKON CORPORATION",
"NIKON D70" -> "Nikon", "D70"), so the camera filter does not split one camera in two."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from photonix.db.migration_sql import run_sql
from photonix.media.camera import camera_name

ID = "2026-11-30T18:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "photo date source and uncertainty, XMP title and description, sidecar signature"

COLUMNS = (
    ("date_source", "VARCHAR(20) NULL DEFAULT NULL"),
    ("date_uncertain", "BOOLEAN NOT NULL DEFAULT FALSE"),
    ("title", "TEXT NULL DEFAULT NULL"),
    ("description", "TEXT NULL DEFAULT NULL"),
    ("sidecar_signature", "TEXT NOT NULL DEFAULT ''"),
)


async def shorten_camera_names() -> None:
    """Store already-imported camera names as new imports store them (media/camera.py)."""
    pairs = await run_sql(
        'SELECT DISTINCT "camera_make", "camera_model" FROM "photo" WHERE "camera_make" IS NOT NULL'
    )
    for pair in pairs:
        make, model = pair["camera_make"], pair["camera_model"]
        brand, short_model = camera_name(make, model)
        if (brand, short_model) == (make, model):
            continue
        if model is None:
            await run_sql('UPDATE "photo" SET "camera_make" = {} WHERE "camera_make" = {} '
                          'AND "camera_model" IS NULL', brand, make)
        else:
            await run_sql('UPDATE "photo" SET "camera_make" = {}, "camera_model" = {} '
                          'WHERE "camera_make" = {} AND "camera_model" = {}', brand, short_model, make, model)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="photonix", description=DESCRIPTION)

    async def add_columns() -> None:
        for name, definition in COLUMNS:
            await run_sql(f'ALTER TABLE "photo" ADD COLUMN "{name}" {definition}')

    async def drop_columns() -> None:
        for name, _ in reversed(COLUMNS):
            await run_sql(f'ALTER TABLE "photo" DROP COLUMN "{name}"')

    manager.add_raw(add_columns)
    manager.add_raw(shorten_camera_names)
    manager.add_raw_backwards(drop_columns)
    return manager
