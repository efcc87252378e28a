"""An album's grid: a page of its tiles in the album's own order (newest first, oldest first, or by hand),
read through the read model (db/photo_reads.py) with any Scope: a user's (Scope.user(id).album(album)) or a
share link's (Scope.share(link).album(album)), so the share page shows the album exactly as its page does.

The date orders are the read model's keyset pages. The manual order (AlbumPhoto.position) is not a filter
field there, so its page is read here with the same tile select and scope clause, ordered by position."""

from __future__ import annotations

from piccolo.querystring import QueryString

from photonix.db import photo_reads
from photonix.db.albums import album_summary
from photonix.db.keyset import MAX_ID, Cursor
from photonix.db.photo_filter import PhotoFilter
from photonix.db.photo_values import TilePage
from photonix.db.scope import Scope
from photonix.db.tables import AlbumPhoto, Photo


def album_filter(sort_order: str) -> PhotoFilter:
    """The read model's filter for an album's photos: archived ones too (an album keeps them), never the
    trash; oldest first for date_asc."""
    return PhotoFilter(archived=None, trashed=False, oldest_first=sort_order == "date_asc")


# The manual order: each photo's position in the album (the unique (album, photo) index finds it).
_POSITION = '(SELECT ap.position FROM album_photo ap WHERE ap.album = {} AND ap.photo = "photo"."id")'


async def scoped_album_tiles(scope: Scope, album_id: int, sort_order: str, before: str | None = None,
                             limit: int = photo_reads.PAGE_SIZE) -> tuple[TilePage, str | None]:
    """A page of the album's tiles as this scope sees them (nothing when it may not see the album), in the
    album's `sort_order`, and the `before` value of the next page (None at the end)."""
    scope = scope.album(album_id)
    narrowed = album_filter(sort_order)
    if sort_order != "manual":
        page = await photo_reads.tile_page(scope, narrowed, before=Cursor.decode(before), limit=limit)
        return page, page.next.encode() if page.next else None
    where = photo_reads.compiled(scope, narrowed)
    after = _manual_cursor(before)
    if after is not None:
        position, photo_id = after
        where = QueryString(
            "{} AND (" + _POSITION + " > {} OR (" + _POSITION + ' = {} AND "photo"."id" > {}))',
            where, album_id, position, album_id, position, photo_id)
    # The read model's own tile select and row mapping (private there: a manual order is ours alone).
    rows = await Photo.raw(
        photo_reads.TILE_SELECT + " ORDER BY " + _POSITION + ', "photo"."id" LIMIT {}',
        scope.favourite(), where, album_id, limit + 1)
    tiles = tuple(photo_reads.tile_of(row) for row in rows[:limit])
    if len(rows) <= limit or not tiles:
        return TilePage(tiles, None), None
    last = await AlbumPhoto.select(AlbumPhoto.position).where(
        (AlbumPhoto.album == album_id) & (AlbumPhoto.photo == tiles[-1].id)).first()
    return TilePage(tiles, None), f"{last['position'] if last else 0}_{tiles[-1].id}"


async def album_tiles(user_id: int, album_id: int, before: str | None = None,
                      limit: int = photo_reads.PAGE_SIZE) -> tuple[TilePage, str | None]:
    """The album's page as a user sees it; NotVisible unless they own it or it is shared with them."""
    summary = await album_summary(user_id, album_id)
    return await scoped_album_tiles(Scope.user(user_id), album_id, summary.sort_order, before, limit)


def _manual_cursor(raw: str | None) -> tuple[int, int] | None:
    """(position, photo id) from a manual page's `before`; None (the first page) for anything else."""
    if not raw or "_" not in raw:
        return None
    position, _, photo_id = raw.partition("_")
    if not (position.isdigit() and photo_id.isdigit()) or not 0 < int(photo_id) <= MAX_ID:
        return None
    return min(int(position), MAX_ID), int(photo_id)


async def month_counts(user_id: int, album_id: int, months: set[str]) -> dict[str, int]:
    """'YYYY-MM' -> how many of the album's photos fall in that month (the read model's count)."""
    summary = await album_summary(user_id, album_id)
    scope = Scope.user(user_id).album(album_id)
    return await photo_reads.month_counts(scope, album_filter(summary.sort_order), months)
