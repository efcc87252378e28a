"""An album's photos: add (only photos of the user's libraries), remove, reorder by hand, choose the cover
(the grid's pages are db/album_tiles.py).

Bulk changes take any ids and answer what they did: the ids acted on, and how many were ignored because
the user may not see them (or they do not exist, or are not in the album): never acted on, only counted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from photonix.db.albums import AlbumRole, require_album_role, touch
from photonix.db.keyset import MAX_ID
from photonix.db.scope import member_of_library
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
        await append_photos(album_id, acted, added_by=user_id)
    return BulkOutcome(tuple(acted), asked - len(acted))


async def append_photos(album_id: int, photo_ids: list[int], *, added_by: int | None = None,
                        guest_name: str = "") -> None:
    """Put photos at the end of the album's manual order (those already in it keep their place), recording
    who added them: a user, or a guest by name (a share link's upload). No permission check: callers
    have made it (add_photos for users; the share link's own rules for guests)."""
    if not photo_ids:
        return
    last = await AlbumPhoto.select(AlbumPhoto.position).where(AlbumPhoto.album == album_id).order_by(
        AlbumPhoto.position, ascending=False).first()
    start = int(last["position"]) + 1 if last else 0
    now = datetime.now(UTC)
    await AlbumPhoto.insert(*(
        AlbumPhoto(album=album_id, photo=photo_id, position=start + n, added_by=added_by,
                   guest_name=guest_name[:100], added_at=now)
        for n, photo_id in enumerate(photo_ids)
    )).on_conflict(target=(AlbumPhoto.album, AlbumPhoto.photo), action="DO NOTHING")
    await touch(album_id)


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


@dataclass(frozen=True, slots=True)
class PhotoAlbum:
    """An album a photo is in, as its page lists it."""

    id: int
    title: str
    may_edit: bool       # the viewer may take the photo out, or make it the cover
    is_cover: bool       # chosen as the album's cover


async def albums_with_photo(user_id: int, photo_id: int) -> list[PhotoAlbum]:
    """The albums the user sees that hold this photo, by title: the photo page lists them."""
    uid = int(user_id)
    rows = await Album.raw(
        "SELECT a.id, a.title, a.cover, "
        "CASE WHEN a.owner = {} OR m.role = 'contributor' THEN 1 ELSE 0 END AS may_edit "
        'FROM album a LEFT JOIN album_member m ON m.album = a.id AND m."user" = {} '
        "WHERE (a.owner = {} OR m.id IS NOT NULL) "
        "AND EXISTS (SELECT 1 FROM album_photo ap WHERE ap.album = a.id AND ap.photo = {}) "
        "ORDER BY LOWER(a.title), a.id", uid, uid, uid, int(photo_id))
    return [PhotoAlbum(int(row["id"]), str(row["title"]), bool(row["may_edit"]), row["cover"] == photo_id)
            for row in rows]


