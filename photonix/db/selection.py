"""Bulk actions' scope: which of the photos a selection names a viewer may act on, permission in the query.

A selection names photo ids (and, from a month header, whole months). Every bulk action acts only on the
ids these functions return; the caller counts the rest as "not yours to change" and never touches them."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from piccolo.columns.combination import WhereRaw
from piccolo.custom_types import Combinable

from photonix.db.accounts import Viewer
from photonix.db.grid import GridFilter
from photonix.db.photos import ORIGINAL, visible_to
from photonix.db.tables import Photo, PhotoFile

CHUNK = 500             # ids per IN (...): SQLite's and asyncpg's parameter limits stay far away


def chunks(ids: Iterable[int], size: int = CHUNK) -> Iterable[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), size):
        yield ordered[start:start + size]


def owned_by(viewer: Viewer) -> Combinable:
    """Photos of libraries the viewer owns (an admin: every library they are a member of, as roles.py)."""
    if viewer.is_admin:
        return visible_to(viewer.id)
    return WhereRaw(
        'EXISTS (SELECT 1 FROM membership m WHERE m.library = "photo"."library" AND m."user" = {} '
        "AND m.role = 'owner')", int(viewer.id))


async def ids_where(clause: Combinable, photo_ids: Collection[int]) -> set[int]:
    """The photos among these that the clause admits."""
    found: set[int] = set()
    for part in chunks(photo_ids):
        rows = await Photo.select(Photo.id).where(Photo.id.is_in(part) & clause)
        found.update(int(row["id"]) for row in rows)
    return found


async def visible_ids(viewer: Viewer, photo_ids: Collection[int]) -> set[int]:
    """The photos among these the viewer may see (members rate, tag and download them)."""
    return await ids_where(visible_to(viewer.id), photo_ids)


async def owned_ids(viewer: Viewer, photo_ids: Collection[int]) -> set[int]:
    """The photos among these in libraries the viewer owns (owners reprocess them)."""
    return await ids_where(owned_by(viewer), photo_ids)


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """'YYYY-MM' -> [first instant, first instant of the next month); ValueError for anything else."""
    start = datetime.strptime(month, "%Y-%m")
    if len(month) != 7:                  # strptime also takes '2021-7'; the grid never sends it
        raise ValueError(month)
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(
        month=start.month + 1)
    return start, end


async def month_ids(viewer: Viewer, months: Collection[str], narrowed: GridFilter | None = None,
                    limit: int | None = None) -> set[int]:
    """The photos of these months (the grid's months: sort_at, camera-local) the viewer sees, narrowed as
    the grid was; at most `limit` + 1, so a caller can tell "too many" without reading them all."""
    found: set[int] = set()
    narrowing = narrowed.where() if narrowed else None
    for month in sorted(set(months)):
        start, end = month_bounds(month)
        where: Combinable = visible_to(viewer.id) & (Photo.sort_at >= start) & (Photo.sort_at < end)
        if narrowing is not None:
            where &= narrowing
        query = Photo.select(Photo.id).where(where)
        if limit is not None:
            query = query.limit(limit + 1 - len(found))
        found.update(int(row["id"]) for row in await query)
        if limit is not None and len(found) > limit:
            break
    return found


@dataclass(frozen=True, slots=True)
class OriginalFile:
    """Where a photo's original was imported from (the zip opens it only through media/contained.py)."""

    photo_id: int
    library_id: int
    path: Path


async def originals_of(viewer: Viewer, photo_ids: Collection[int]) -> list[OriginalFile]:
    """The originals of the photos among these the viewer may see, in the grid's order (newest first)."""
    found: list[tuple[datetime, OriginalFile]] = []
    for part in chunks(photo_ids):
        rows = await PhotoFile.select(
            PhotoFile.photo._.id, PhotoFile.photo._.library, PhotoFile.photo._.sort_at, PhotoFile.path
        ).where(PhotoFile.photo.is_in(part) & (PhotoFile.kind == ORIGINAL)
                & PhotoFile.photo.is_in(Photo.select(Photo.id).where(Photo.id.is_in(part)
                                                                     & visible_to(viewer.id))))
        found.extend((row["photo.sort_at"], OriginalFile(int(row["photo.id"]), int(row["photo.library"]),
                                                         Path(row["path"]))) for row in rows)
    found.sort(key=lambda pair: (pair[0], pair[1].photo_id), reverse=True)
    return [original for _, original in found]
