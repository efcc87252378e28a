"""The photo grid's queries: keyset pages newest first, tiles with their shape and state, neighbours."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.columns.combination import And, WhereRaw
from piccolo.custom_types import Combinable

from photonix.db import stepruns
from photonix.db.photos import visible_to
from photonix.db.tables import Photo, PhotoFile

PAGE_SIZE = 120
MAX_ID = 2**31 - 1      # PostgreSQL serial ids are 32-bit signed


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page starts: after (sort_at, id), in newest-first order."""

    sort_at: datetime
    photo_id: int

    def encode(self) -> str:
        return f"{self.sort_at.isoformat()}_{self.photo_id}"

    @classmethod
    def decode(cls, raw: str | None) -> Cursor | None:
        """The cursor a `before=` value names; None (the first page) for anything we did not encode: an id
        outside the id column's range, or a zoned time compared with the zoneless sort_at column."""
        if not raw or "_" not in raw:
            return None
        stamp, _, photo_id = raw.rpartition("_")
        try:
            cursor = cls(datetime.fromisoformat(stamp), int(photo_id))
        except ValueError:
            return None
        if not 0 < cursor.photo_id <= MAX_ID or cursor.sort_at.tzinfo is not None:
            return None
        return cursor


@dataclass(frozen=True, slots=True)
class Tile:
    id: int
    sort_at: datetime
    width: int          # as displayed (after orientation), from the medium thumbnail when there is one
    height: int
    state: str          # done | pending | failed
    rating: int
    is_raw: bool
    has_thumbnail: bool

    @property
    def ratio(self) -> float:
        return min(3.0, max(0.5, self.width / self.height)) if self.height else 1.0

    @property
    def month(self) -> str:
        return self.sort_at.strftime("%Y-%m")


# The leading sort_at bound is implied by the OR, but spelled out it gives the planner an index range: it
# cannot tell that the OR's two sort_at parameters are one value, and would walk the index from the end.
def _before(cursor: Cursor) -> And:
    return (Photo.sort_at <= cursor.sort_at) & (
        (Photo.sort_at < cursor.sort_at) | ((Photo.sort_at == cursor.sort_at) & (Photo.id < cursor.photo_id)))


def _after(cursor: Cursor) -> And:
    return (Photo.sort_at >= cursor.sort_at) & (
        (Photo.sort_at > cursor.sort_at) | ((Photo.sort_at == cursor.sort_at) & (Photo.id > cursor.photo_id)))


@dataclass(frozen=True, slots=True)
class GridFilter:
    """What the grid is narrowed to: a processing state (failed/pending), a tag name (any kind)."""

    state: str | None = None
    tag: str | None = None

    def where(self) -> Combinable | None:
        clause: Combinable | None = None
        if self.state in stepruns.PHOTO_STATE_FILTERS:
            clause = stepruns.photo_state_clause(self.state)
        if self.tag and self.tag.strip():        # an empty filter is no filter
            by_tag = WhereRaw(
                'EXISTS (SELECT 1 FROM photo_tag pt JOIN tag t ON t.id = pt.tag '
                'WHERE pt.photo = "photo"."id" AND LOWER(t.name) = LOWER({}))', self.tag)
            clause = by_tag if clause is None else clause & by_tag
        return clause


async def grid_page(user_id: int, before: Cursor | None = None, limit: int = PAGE_SIZE,
                    library_id: int | None = None,
                    narrowed: GridFilter = GridFilter()) -> tuple[list[Tile], Cursor | None]:
    """A page of tiles newest first, and the cursor of the next page (None at the end)."""
    where: Combinable = visible_to(user_id)
    if before is not None:
        where &= _before(before)
    if library_id is not None:
        where &= Photo.library == library_id
    narrowing = narrowed.where()
    if narrowing is not None:
        where &= narrowing
    rows = await Photo.select(
        Photo.id, Photo.sort_at, Photo.rating, Photo.width, Photo.height, Photo.orientation, Photo.format
    ).where(where).order_by(Photo.sort_at, Photo.id, ascending=False).limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    ids = [row["id"] for row in rows]
    thumbnails, states = await asyncio.gather(      # independent reads: overlap their round trips
        PhotoFile.select(PhotoFile.photo, PhotoFile.width, PhotoFile.height).where(
            PhotoFile.photo.is_in(ids or [0]) & (PhotoFile.kind == "thumbnail")
            & (PhotoFile.size_name == "medium")
        ).run(),
        stepruns.photo_states(ids),
    )
    shapes: dict[int, tuple[int, int]] = {r["photo"]: (r["width"], r["height"]) for r in thumbnails}
    tiles = []
    for row in rows:
        width, height = shapes.get(row["id"]) or _stored_shape(row)
        tiles.append(Tile(row["id"], row["sort_at"], width, height, states.get(row["id"], "done"),
                          row["rating"], row["format"] == "RAW", row["id"] in shapes))
    last = rows[-1] if rows else None
    return tiles, (Cursor(last["sort_at"], last["id"]) if more and last else None)


def _stored_shape(row: dict[str, Any]) -> tuple[int, int]:
    """Before thumbnails exist: EXIF dimensions turned for orientations 5-8 (square while unknown)."""
    width, height = row["width"] or 1, row["height"] or 1
    return (height, width) if row["orientation"] in (5, 6, 7, 8) else (width, height)


async def neighbours(user_id: int, photo_id: int, sort_at: datetime) -> tuple[int | None, int | None]:
    """(newer, older) photo ids around this one in grid order."""
    cursor = Cursor(sort_at, photo_id)
    older, newer = await asyncio.gather(
        Photo.select(Photo.id).where(visible_to(user_id) & _before(cursor)).order_by(
            Photo.sort_at, Photo.id, ascending=False).first().run(),
        Photo.select(Photo.id).where(visible_to(user_id) & _after(cursor)).order_by(
            Photo.sort_at, Photo.id).first().run(),
    )
    return (newer["id"] if newer else None), (older["id"] if older else None)


async def month_counts(user_id: int, months: set[str]) -> dict[str, int]:
    """'YYYY-MM' -> how many photos the user has in that month, for the months a page shows."""
    ordered = sorted(months)
    counts = await asyncio.gather(*(_month_count(user_id, month) for month in ordered))
    return dict(zip(ordered, counts, strict=True))


async def _month_count(user_id: int, month: str) -> int:
    start = datetime.strptime(month, "%Y-%m")
    end = (start.replace(year=start.year + 1, month=1) if start.month == 12
           else start.replace(month=start.month + 1))
    count: int = await Photo.count().where(visible_to(user_id) & (Photo.sort_at >= start)
                                           & (Photo.sort_at < end))
    return count
