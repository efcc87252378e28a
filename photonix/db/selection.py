"""Bulk actions' scope: which of the photos a selection names a viewer may act on, permission in the query.

A selection names photo ids (and, from a month header, whole months). Every bulk action acts only on the
ids these functions return, through the read model's Scope (db/scope.py): seen (download), changed by a
member of the photo's library (tags, rating), or owned (reprocess). The caller counts the rest as "not
yours to change" and never touches them."""

from __future__ import annotations

import enum
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from piccolo.querystring import QueryString

from photonix.config import Settings
from photonix.db.accounts import Viewer
from photonix.db.photo_filter import PhotoFilter

# The read model's own SQL for a photo's library folders, so the zip trusts the same roots as the file routes.
from photonix.db.photo_reads import as_datetime, compiled, folders_sql, roots_for, visible_ids
from photonix.db.photo_values import ORIGINAL, month_span
from photonix.db.scope import Scope
from photonix.db.tables import Photo
from photonix.media.contained import FileRoots

CHUNK = 500             # ids per IN (...): SQLite's and asyncpg's parameter limits stay far away
_OWNER = ('EXISTS (SELECT 1 FROM membership m WHERE m.library = "photo"."library" AND m."user" = {} '
          "AND m.role = 'owner')")
_MEMBER = 'EXISTS (SELECT 1 FROM membership m WHERE m.library = "photo"."library" AND m."user" = {})'


class Needs(enum.Enum):
    """What the viewer must be to a photo for an action to touch it."""

    SEE = "see"             # anyone who sees it (a library member, or through an album): download
    EDIT = "edit"           # a member of its library: tags, rating (album members only look)
    OWN = "own"             # an owner of its library, or an admin member (db/roles.py): reprocess


async def _rows(template: str, *args: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await Photo.raw(template, *args)
    return rows


async def _ids_where(clause: QueryString, photo_ids: Collection[int]) -> set[int]:
    ids = sorted({int(photo_id) for photo_id in photo_ids})
    found: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        marks = ", ".join("{}" for _ in part)
        rows = await _rows(f'SELECT "photo"."id" FROM photo WHERE "photo"."id" IN ({marks}) AND {{}}',
                           *part, clause)
        found.update(int(row["id"]) for row in rows)
    return found


async def permitted_ids(viewer: Viewer, photo_ids: Collection[int], needs: Needs) -> set[int]:
    """The photos among these the viewer may act on as `needs` says."""
    scope = Scope.user(viewer.id)
    if needs is Needs.SEE:
        return await visible_ids(scope, photo_ids)
    if needs is Needs.EDIT:
        return await visible_ids(scope, photo_ids, editable=True)
    return await _ids_where(QueryString(_MEMBER if viewer.is_admin else _OWNER, int(viewer.id)), photo_ids)


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """'YYYY-MM' (or the Undated section) -> [first instant, first instant after); ValueError otherwise."""
    return month_span(month)


async def month_ids(viewer: Viewer, months: Collection[str], narrowed: PhotoFilter, *,
                    limit: int) -> set[int]:
    """The photos of these months (the grid's months: sort_at, camera-local) in the list the viewer was
    looking at (scope and filter, as the grid compiled them); at most `limit` + 1, so a caller can tell
    "too many" without reading them all."""
    found: set[int] = set()
    where = compiled(Scope.user(viewer.id), narrowed)
    for month in sorted(set(months)):
        start, end = month_bounds(month)
        rows = await _rows('SELECT "photo"."id" FROM photo WHERE "photo"."sort_at" >= {} '
                           'AND "photo"."sort_at" < {} AND {} LIMIT {}',
                           start, end, where, limit + 1 - len(found))
        found.update(int(row["id"]) for row in rows)
        if len(found) > limit:
            break
    return found


@dataclass(frozen=True, slots=True)
class OriginalFile:
    """A photo's original and where it may really lie (the zip opens it only through media/contained.py)."""

    photo_id: int
    path: Path
    roots: FileRoots


async def originals_of(viewer: Viewer, photo_ids: Collection[int], settings: Settings) -> list[OriginalFile]:
    """The originals of the photos among these the viewer may see, in the grid's order (newest first)."""
    ids = sorted({int(photo_id) for photo_id in photo_ids})
    found: list[tuple[datetime, int, OriginalFile]] = []
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        marks = ", ".join("{}" for _ in part)
        rows = await _rows(
            f'SELECT "photo"."id", "photo"."sort_at", f.path, {folders_sql()} AS folders FROM photo '
            "JOIN photo_file f ON f.photo = \"photo\".\"id\" AND f.kind = 'original' AND f.size_name = '' "
            f'WHERE "photo"."id" IN ({marks}) AND {{}}', *part, Scope.user(viewer.id).where())
        for row in rows:
            roots = roots_for(ORIGINAL, json.loads(row["folders"]) if row["folders"] else [], settings)
            found.append((as_datetime(row["sort_at"]), int(row["id"]),
                          OriginalFile(int(row["id"]), Path(row["path"]), roots)))
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [original for _, _, original in found]
