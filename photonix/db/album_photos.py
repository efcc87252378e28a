"""An album's photos: add (only photos the user may see), remove, reorder by hand, choose the cover, and the
page of tiles its grid shows.

Bulk changes take any ids and answer what they did: the ids acted on, and how many were ignored because
the user may not see them (or they do not exist, or are not in the album): never acted on, only counted."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from piccolo.custom_types import Combinable

from photonix.db import stepruns
from photonix.db.albums import AlbumRole, album_summary, require_album_role, touch
from photonix.db.grid import MAX_ID, Tile
from photonix.db.photos import visible_to
from photonix.db.tables import Album, AlbumPhoto, Photo, PhotoFile
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


def _addable(user_id: int) -> Combinable:
    """Photos a user may put in an album: those of their libraries, outside the trash. A photo they see
    only through someone else's album is not theirs to pass on."""
    return visible_to(user_id) & Photo.trashed_at.is_null()


async def add_photos(user_id: int, album_id: int, photo_ids: Iterable[int]) -> BulkOutcome:
    """The owner or a contributor adds photos at the end of the album's manual order. Photos already in
    it count as acted on (and keep their place); ids the user may not see are ignored and counted."""
    await require_album_role(user_id, album_id, AlbumRole.CONTRIBUTOR)
    given = list(photo_ids)
    wanted, asked = _ids(given), len(given)
    if not wanted:
        return BulkOutcome((), asked)
    rows = await Photo.select(Photo.id).where(Photo.id.is_in(wanted) & _addable(user_id))
    seen = {int(row["id"]) for row in rows}
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


async def month_counts(album_id: int, months: set[str]) -> dict[str, int]:
    """'YYYY-MM' -> how many of the album's photos (outside the trash) fall in that month."""
    ordered = sorted(months)
    counts = await asyncio.gather(*(_month_count(album_id, month) for month in ordered))
    return dict(zip(ordered, counts, strict=True))


async def _month_count(album_id: int, month: str) -> int:
    start = datetime.strptime(month, "%Y-%m")
    end = (start.replace(year=start.year + 1, month=1) if start.month == 12
           else start.replace(month=start.month + 1))
    photo = AlbumPhoto.photo
    count: int = await AlbumPhoto.count().where(
        (AlbumPhoto.album == album_id) & photo.trashed_at.is_null() & (photo.sort_at >= start)
        & (photo.sort_at < end))
    return count


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


@dataclass(frozen=True, slots=True)
class AlbumCursor:
    """Where the next page of an album starts: after this (key, photo id) in the album's order, where the
    key is the photo's sort_at (date orders) or its manual position."""

    key: str
    photo_id: int

    def encode(self) -> str:
        return f"{self.key}_{self.photo_id}"

    @classmethod
    def decode(cls, raw: str | None) -> AlbumCursor | None:
        if not raw or "_" not in raw:
            return None
        key, _, photo_id = raw.rpartition("_")
        if not photo_id.isdigit() or not 0 < int(photo_id) <= MAX_ID:
            return None
        return cls(key, int(photo_id))


def _after(album_id: int, sort_order: str, cursor: AlbumCursor) -> Combinable | None:
    """The keyset condition for the rows after the cursor, or None when the cursor does not parse."""
    if sort_order == "manual":
        if not cursor.key.isdigit():
            return None
        position = int(cursor.key)
        return (AlbumPhoto.position > position) | (
            (AlbumPhoto.position == position) & (AlbumPhoto.photo > cursor.photo_id))
    try:
        stamp = datetime.fromisoformat(cursor.key)
    except ValueError:
        return None
    if stamp.tzinfo is not None:
        return None
    sort_at, photo = AlbumPhoto.photo.sort_at, AlbumPhoto.photo
    if sort_order == "date_asc":
        return (sort_at >= stamp) & ((sort_at > stamp) | ((sort_at == stamp) & (photo > cursor.photo_id)))
    return (sort_at <= stamp) & ((sort_at < stamp) | ((sort_at == stamp) & (photo < cursor.photo_id)))


async def album_tiles(user_id: int, album_id: int, after: AlbumCursor | None = None,
                      limit: int = PAGE_SIZE) -> tuple[list[Tile], AlbumCursor | None]:
    """A page of the album's tiles in its own order (outside the trash), and the next page's cursor.

    Kept thin on purpose: the read model's PhotoFilter(album=…) takes this over."""
    summary = await album_summary(user_id, album_id)      # NotVisible unless the user sees the album
    photo = AlbumPhoto.photo
    where: Combinable = (AlbumPhoto.album == album_id) & photo.trashed_at.is_null()
    if after is not None:
        condition = _after(album_id, summary.sort_order, after)
        if condition is not None:
            where &= condition
    query = AlbumPhoto.select(
        photo.id.as_alias("id"), photo.sort_at.as_alias("sort_at"), photo.rating.as_alias("rating"),
        photo.width.as_alias("width"), photo.height.as_alias("height"),
        photo.orientation.as_alias("orientation"), photo.format.as_alias("format"), AlbumPhoto.position,
    ).where(where)
    if summary.sort_order == "manual":
        query = query.order_by(AlbumPhoto.position, AlbumPhoto.photo)
    else:
        query = query.order_by(photo.sort_at, AlbumPhoto.photo, ascending=summary.sort_order == "date_asc")
    rows = await query.limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    tiles = await _tiles(rows)
    if not more or not rows:
        return tiles, None
    last = rows[-1]
    key = str(last["position"]) if summary.sort_order == "manual" else last["sort_at"].isoformat()
    return tiles, AlbumCursor(key, int(last["id"]))


async def _tiles(rows: list[dict[str, Any]]) -> list[Tile]:
    """Rows as the library grid's tiles: the medium thumbnail's shape where there is one, and the badge."""
    ids = [row["id"] for row in rows]
    thumbnails, states = await asyncio.gather(
        PhotoFile.select(PhotoFile.photo, PhotoFile.width, PhotoFile.height).where(
            PhotoFile.photo.is_in(ids or [0]) & (PhotoFile.kind == "thumbnail")
            & (PhotoFile.size_name == "medium")).run(),
        stepruns.photo_states(ids),
    )
    shapes: dict[int, tuple[int, int]] = {r["photo"]: (r["width"], r["height"]) for r in thumbnails}
    tiles = []
    for row in rows:
        width, height = shapes.get(row["id"]) or _stored_shape(row)
        tiles.append(Tile(row["id"], row["sort_at"], width, height, states.get(row["id"], "done"),
                          row["rating"], row["format"] == "RAW", row["id"] in shapes))
    return tiles


def _stored_shape(row: dict[str, Any]) -> tuple[int, int]:
    width, height = row["width"] or 1, row["height"] or 1
    return (height, width) if row["orientation"] in (5, 6, 7, 8) else (width, height)
