"""An album's photos: add (only photos the user may see), remove, reorder by hand, choose the cover, and the
page of tiles its grid shows.

Bulk changes take any ids and answer what they did: the ids acted on, and how many were ignored because
the user may not see them (or they do not exist, or are not in the album): never acted on, only counted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from piccolo.querystring import QueryString

from photonix.db import photo_reads
from photonix.db.albums import AlbumRole, album_summary, require_album_role, touch
from photonix.db.keyset import MAX_ID, Cursor
from photonix.db.photo_filter import PhotoFilter
from photonix.db.photo_values import TilePage
from photonix.db.scope import Scope, member_of_library
from photonix.db.tables import Album, AlbumPhoto, Photo
from photonix.errors import NotVisible

PAGE_SIZE = 120


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    """What a bulk action did: the photos it acted on, and how many asked-for ids it ignored."""

    acted: tuple[int, ...]
    ignored: int


def _ids(photo_ids: Iterable[int]) -> list[int]:
    """Distinct ids inside the id column's range, in the order given (the order photos are added in)."""
    return list(dict.fromkeys(int(i) for i in photo_ids if 0 < int(i) <= MAX_ID))


async def _addable(user_id: int, photo_ids: list[int]) -> set[int]:
    """The photos among these a user may put in an album: those of their libraries, outside the trash. A
    photo they see only through someone else's album is not theirs to pass on."""
    rows = await Photo.select(Photo.id).where(
        Photo.id.is_in(photo_ids) & member_of_library(user_id) & Photo.trashed_at.is_null())
    return {int(row["id"]) for row in rows}


async def add_photos(user_id: int, album_id: int, photo_ids: Iterable[int]) -> BulkOutcome:
    """The owner or a contributor adds photos at the end of the album's manual order. Photos already in
    it count as acted on (and keep their place); ids the user may not see are ignored and counted."""
    await require_album_role(user_id, album_id, AlbumRole.CONTRIBUTOR)
    given = list(photo_ids)
    wanted, asked = _ids(given), len(given)
    if not wanted:
        return BulkOutcome((), asked)
    seen = await _addable(user_id, wanted)
    acted = [photo_id for photo_id in wanted if photo_id in seen]
    if acted:
        last = await AlbumPhoto.select(AlbumPhoto.position).where(AlbumPhoto.album == album_id).order_by(
            AlbumPhoto.position, ascending=False).first()
        start = int(last["position"]) + 1 if last else 0
        now = datetime.now(UTC)
        await AlbumPhoto.insert(*(
            AlbumPhoto(album=album_id, photo=photo_id, position=start + n, added_by=user_id, added_at=now)
            for n, photo_id in enumerate(acted)
        )).on_conflict(target=(AlbumPhoto.album, AlbumPhoto.photo), action="DO NOTHING")
        await touch(album_id)
    return BulkOutcome(tuple(acted), asked - len(acted))


async def remove_photos(user_id: int, album_id: int, photo_ids: Iterable[int]) -> BulkOutcome:
    """The owner or a contributor takes photos out of the album (the photos themselves stay). Ids not in
    the album are ignored and counted. A removed cover falls back to the first photo."""
    await require_album_role(user_id, album_id, AlbumRole.CONTRIBUTOR)
    given = list(photo_ids)
    wanted, asked = _ids(given), len(given)
    if not wanted:
        return BulkOutcome((), asked)
    rows = await AlbumPhoto.delete().where(
        (AlbumPhoto.album == album_id) & AlbumPhoto.photo.is_in(wanted)
    ).returning(AlbumPhoto.photo)
    removed = {int(row["photo"]) for row in rows}
    if removed:
        await Album.update({Album.cover: None}).where(
            (Album.id == album_id) & Album.cover.is_in(sorted(removed)))
        await touch(album_id)
    acted = tuple(photo_id for photo_id in wanted if photo_id in removed)
    return BulkOutcome(acted, asked - len(acted))


async def reorder(user_id: int, album_id: int, photo_ids: Iterable[int]) -> BulkOutcome:
    """The manual order: the given photos first, in that order, then the rest as they were. Ids not in the
    album are ignored and counted."""
    await require_album_role(user_id, album_id, AlbumRole.CONTRIBUTOR)
    given = list(photo_ids)
    wanted, asked = _ids(given), len(given)
    current = await _manual_order(album_id)
    present = set(current)
    first = [photo_id for photo_id in wanted if photo_id in present]
    placed = set(first)
    await _write_order(album_id, first + [photo_id for photo_id in current if photo_id not in placed])
    await touch(album_id)
    return BulkOutcome(tuple(first), asked - len(first))


async def move_photo(user_id: int, album_id: int, photo_id: int, step: int) -> bool:
    """The owner or a contributor moves one photo `step` places in the manual order (negative: earlier);
    False when it is not in the album."""
    await require_album_role(user_id, album_id, AlbumRole.CONTRIBUTOR)
    order = await _manual_order(album_id)
    if photo_id not in order:
        return False
    at = order.index(photo_id)
    order.insert(max(0, min(len(order) - 1, at + step)), order.pop(at))
    await _write_order(album_id, order)
    await touch(album_id)
    return True


async def _manual_order(album_id: int) -> list[int]:
    rows = await AlbumPhoto.select(AlbumPhoto.photo).where(AlbumPhoto.album == album_id).order_by(
        AlbumPhoto.position, AlbumPhoto.photo)
    return [int(row["photo"]) for row in rows]


async def _write_order(album_id: int, order: list[int]) -> None:
    """Positions 0, 1, 2… in this order, in one transaction; only the rows whose position changes."""
    rows = await AlbumPhoto.select(AlbumPhoto.photo, AlbumPhoto.position).where(AlbumPhoto.album == album_id)
    had = {int(row["photo"]): int(row["position"]) for row in rows}
    async with AlbumPhoto._meta.db.transaction():
        for position, photo_id in enumerate(order):
            if had.get(photo_id) != position:
                await AlbumPhoto.update({AlbumPhoto.position: position}).where(
                    (AlbumPhoto.album == album_id) & (AlbumPhoto.photo == photo_id))


async def month_counts(user_id: int, album_id: int, months: set[str]) -> dict[str, int]:
    """'YYYY-MM' -> how many of the album's photos fall in that month (the read model's count)."""
    summary = await album_summary(user_id, album_id)
    scope = Scope.user(user_id).album(album_id)
    return await photo_reads.month_counts(scope, album_filter(summary.sort_order), months)


async def set_cover(user_id: int, album_id: int, photo_id: int | None) -> None:
    """The owner or a contributor chooses the cover: a photo in the album (NotVisible otherwise), or None
    for the default (the first photo in the album's order)."""
    await require_album_role(user_id, album_id, AlbumRole.CONTRIBUTOR)
    if photo_id is not None:
        in_album = await AlbumPhoto.exists().where(
            (AlbumPhoto.album == album_id) & (AlbumPhoto.photo == photo_id)
            & AlbumPhoto.photo.is_in(Photo.select(Photo.id).where(Photo.trashed_at.is_null())))
        if not in_album:
            raise NotVisible("That photo isn't in this album.")
    await Album.update({Album.cover: photo_id}).where(Album.id == album_id)


async def albums_with_photo(user_id: int, photo_id: int) -> list[tuple[int, str, bool]]:
    """(id, title, may_edit) of the albums the user sees that hold this photo: the photo page lists them."""
    uid = int(user_id)
    rows = await Album.raw(
        "SELECT a.id, a.title, "
        "CASE WHEN a.owner = {} OR m.role = 'contributor' THEN 1 ELSE 0 END AS may_edit "
        'FROM album a LEFT JOIN album_member m ON m.album = a.id AND m."user" = {} '
        "WHERE (a.owner = {} OR m.id IS NOT NULL) "
        "AND EXISTS (SELECT 1 FROM album_photo ap WHERE ap.album = a.id AND ap.photo = {}) "
        "ORDER BY LOWER(a.title), a.id", uid, uid, uid, int(photo_id))
    return [(int(row["id"]), str(row["title"]), bool(row["may_edit"])) for row in rows]


def album_filter(sort_order: str) -> PhotoFilter:
    """The read model's filter for an album's photos: archived ones too (an album keeps them), never the
    trash; oldest first for date_asc."""
    return PhotoFilter(archived=None, trashed=False, oldest_first=sort_order == "date_asc")


# The manual order: each photo's position in the album (the unique (album, photo) index finds it).
_POSITION = '(SELECT ap.position FROM album_photo ap WHERE ap.album = {} AND ap.photo = "photo"."id")'


async def album_tiles(user_id: int, album_id: int, before: str | None = None,
                      limit: int = photo_reads.PAGE_SIZE) -> tuple[TilePage, str | None]:
    """A page of the album's tiles in its own order, through the read model (Scope.user(...).album(id)),
    and the `before` value of the next page (None at the end).

    Date orders are the read model's own keyset pages. The manual order (AlbumPhoto.position) is not a
    filter field there, so its page is read here: the same tile select and scope, ordered by position."""
    summary = await album_summary(user_id, album_id)      # NotVisible unless the user sees the album
    scope = Scope.user(user_id).album(album_id)
    narrowed = album_filter(summary.sort_order)
    if summary.sort_order != "manual":
        page = await photo_reads.tile_page(scope, narrowed, before=Cursor.decode(before), limit=limit)
        return page, page.next.encode() if page.next else None
    where = photo_reads.compiled(scope, narrowed)
    after = _manual_cursor(before)
    if after is not None:
        position, photo_id = after
        where = QueryString(
            "{} AND (" + _POSITION + " > {} OR (" + _POSITION + ' = {} AND "photo"."id" > {}))',
            where, album_id, position, album_id, position, photo_id)
    rows = await Photo.raw(
        photo_reads._TILE_SELECT + " ORDER BY " + _POSITION + ', "photo"."id" LIMIT {}',
        where, album_id, limit + 1)
    tiles = tuple(photo_reads._tile(row) for row in rows[:limit])
    if len(rows) <= limit or not tiles:
        return TilePage(tiles, None), None
    positions = await AlbumPhoto.select(AlbumPhoto.position).where(
        (AlbumPhoto.album == album_id) & (AlbumPhoto.photo == tiles[-1].id)).first()
    return TilePage(tiles, None), f"{positions['position'] if positions else 0}_{tiles[-1].id}"


def _manual_cursor(raw: str | None) -> tuple[int, int] | None:
    """(position, photo id) from a manual page's `before`; None (the first page) for anything else."""
    if not raw or "_" not in raw:
        return None
    position, _, photo_id = raw.partition("_")
    if not (position.isdigit() and photo_id.isdigit()) or not 0 < int(photo_id) <= MAX_ID:
        return None
    return min(int(position), MAX_ID), int(photo_id)
