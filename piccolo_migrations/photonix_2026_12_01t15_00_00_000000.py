"""Shared annotations and case-insensitive user tags.

- photo_tag.added_by: who added a person's tag (NULL for classifier and file tags, and for tags added
  before this migration); photo.rated_by: who set the photo's rating. Both are shown on the photo page,
  since ratings and tags belong to the photo and every member of its library shares them.
- A generic tag (the kind people's own tags and file keywords have) is one tag whatever its case: its
  key becomes "generic//<lower-case name>", so the unique index on tag.key is the unique index on
  lower(name). Existing duplicates merge into the oldest tag (the first spelling is kept); a photo that
  carried both keeps one.

Same DDL on SQLite and PostgreSQL."""

from collections import defaultdict

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from photonix.db.migration_sql import run_sql

ID = "2026-12-01T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "who added a tag or set a rating; generic tags case-insensitive"

_USER_FK = 'INTEGER NULL DEFAULT NULL REFERENCES "photonix_user" ("id") ON DELETE SET NULL'


async def merge_generic_tags() -> None:
    """Every photo's rows of a later spelling move to the first one; then the later tags go."""
    rows = await run_sql("SELECT id, name FROM tag WHERE kind = 'generic' AND parent IS NULL ORDER BY id")
    spellings: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        spellings[" ".join(str(row["name"]).split()).lower()].append(int(row["id"]))
    for ids in spellings.values():
        keeper, *later = ids
        for duplicate in later:
            # a photo already carrying the first spelling from the same source keeps that row alone
            await run_sql(
                'DELETE FROM photo_tag WHERE tag = {} AND EXISTS (SELECT 1 FROM photo_tag k WHERE '
                'k.photo = photo_tag.photo AND k.source = photo_tag.source AND k.tag = {})',
                duplicate, keeper)
            await run_sql("UPDATE photo_tag SET tag = {} WHERE tag = {}", keeper, duplicate)
            await run_sql("DELETE FROM tag WHERE id = {}", duplicate)
    await run_sql("UPDATE tag SET key = 'generic//' || LOWER(name) WHERE kind = 'generic' AND parent IS NULL")


async def apply() -> None:
    await run_sql(f'ALTER TABLE "photo_tag" ADD COLUMN "added_by" {_USER_FK}')
    await run_sql(f'ALTER TABLE "photo" ADD COLUMN "rated_by" {_USER_FK}')
    await merge_generic_tags()


async def undo() -> None:
    """The columns go; merged tags stay merged (their spellings are not kept), keys as they were built."""
    await run_sql('ALTER TABLE "photo_tag" DROP COLUMN "added_by"')
    await run_sql('ALTER TABLE "photo" DROP COLUMN "rated_by"')
    await run_sql("UPDATE tag SET key = 'generic//' || name WHERE kind = 'generic' AND parent IS NULL")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="photonix", description=DESCRIPTION)
    manager.add_raw(apply)
    manager.add_raw_backwards(undo)
    return manager
