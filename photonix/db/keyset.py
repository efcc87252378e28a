"""Keyset paging over the grid's order (sort_at, id): the cursor a page ends at, and the clauses that start
the next page after it. Cursors, never page numbers: new uploads neither duplicate nor skip tiles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from piccolo.querystring import QueryString

MAX_ID = 2**31 - 1      # PostgreSQL serial ids are 32-bit signed


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page starts: after (sort_at, id), in the list's order."""

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


# The leading sort_at bound is implied by the OR, but spelled out it gives the planner an index range: it
# cannot tell that the OR's two sort_at parameters are one value, and would walk the index from the end.
def before(cursor: Cursor) -> QueryString:
    """Photos older than the cursor (the next page of a newest-first list)."""
    return QueryString(
        '"photo"."sort_at" <= {} AND ("photo"."sort_at" < {} '
        'OR ("photo"."sort_at" = {} AND "photo"."id" < {}))',
        cursor.sort_at, cursor.sort_at, cursor.sort_at, cursor.photo_id)


def after(cursor: Cursor) -> QueryString:
    """Photos newer than the cursor (the next page of an oldest-first list)."""
    return QueryString(
        '"photo"."sort_at" >= {} AND ("photo"."sort_at" > {} '
        'OR ("photo"."sort_at" = {} AND "photo"."id" > {}))',
        cursor.sort_at, cursor.sort_at, cursor.sort_at, cursor.photo_id)
