"""Favourite, archive and trash a list of photos, within what the user may change: returns the ids acted on.

Who may: the members of a photo's library (owners and members alike), as in Immich, where only the
asset's owner (never a shared-album viewer or a partner) favourites, archives or trashes it, and in
PhotoPrism, where a viewer-role account changes nothing. A user who sees a photo only through an album
shared with them, or a stranger through a share link, changes none of these: the favourite flag, like
the rating, belongs to the photo and is shared by the library's members.

The rule is a where-clause of every statement here, so an id outside it is simply not acted on; each
function returns the ids it acted on (sorted), and a bulk action counts the rest as ignored. An id
already in the wanted state is acted on (and returned): doing it twice changes nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from piccolo.columns.base import Column
from piccolo.columns.combination import WhereRaw
from piccolo.custom_types import Combinable

from photonix.db.tables import Photo

log = structlog.get_logger()

CHUNK = 500                 # ids per statement: far below SQLite's and asyncpg's parameter limits
MAX_ID = 2**31 - 1          # PostgreSQL serial ids are 32-bit signed; a larger "id" is simply ignored


def changeable_by(user_id: int) -> WhereRaw:
    """Photos of the libraries the user is a member of (any role): what they may favourite, archive and
    trash. Spelled out here rather than borrowed from the read scope, which also lets album viewers see."""
    return WhereRaw(
        'EXISTS (SELECT 1 FROM membership m WHERE m.library = "photo"."library" AND m."user" = {})',
        int(user_id),
    )


def _chunks(photo_ids: Iterable[int]) -> list[list[int]]:
    ids = sorted({int(i) for i in photo_ids if 1 <= int(i) <= MAX_ID})
    return [ids[start:start + CHUNK] for start in range(0, len(ids), CHUNK)]


async def _act(event: str, user_id: int, photo_ids: Iterable[int], values: dict[Column | str, Any],
               *, only_where: Combinable | None = None) -> list[int]:
    """Set `values` on the photos among `photo_ids` the user may change; with `only_where`, only on those
    matching it, the others keeping theirs (an archive or trash time already set) yet counting as acted
    on."""
    acted: list[int] = []
    for chunk in _chunks(photo_ids):
        where: Combinable = Photo.id.is_in(chunk) & changeable_by(user_id)
        if only_where is None:
            rows = await Photo.update(values).where(where).returning(Photo.id)
        else:
            rows = await Photo.select(Photo.id).where(where)
            if rows:
                await Photo.update(values).where(Photo.id.is_in([row["id"] for row in rows]) & only_where)
        acted.extend(int(row["id"]) for row in rows)
    acted.sort()
    if acted:
        one = {"photo_id": acted[0]} if len(acted) == 1 else {}
        log.info(event, user_id=user_id, photos=len(acted), **one)
    return acted


async def favourite_photos(user_id: int, photo_ids: Iterable[int]) -> list[int]:
    """Mark the photos as favourites; the ids acted on."""
    return await _act("photos_favourited", user_id, photo_ids, {Photo.favourite: True})


async def unfavourite_photos(user_id: int, photo_ids: Iterable[int]) -> list[int]:
    return await _act("photos_unfavourited", user_id, photo_ids, {Photo.favourite: False})


async def archive_photos(user_id: int, photo_ids: Iterable[int]) -> list[int]:
    """Archive the photos (out of the main grid, into the Archive view); archived already: kept as is."""
    return await _act("photos_archived", user_id, photo_ids, {Photo.archived_at: datetime.now(UTC)},
                      only_where=Photo.archived_at.is_null())


async def unarchive_photos(user_id: int, photo_ids: Iterable[int]) -> list[int]:
    return await _act("photos_unarchived", user_id, photo_ids, {Photo.archived_at: None})


async def trash_photos(user_id: int, photo_ids: Iterable[int]) -> list[int]:
    """Move the photos to the trash; a photo already there keeps its time, so trashing it again does not
    put off its purge."""
    return await _act("photos_trashed", user_id, photo_ids, {Photo.trashed_at: datetime.now(UTC)},
                      only_where=Photo.trashed_at.is_null())


async def restore_photos(user_id: int, photo_ids: Iterable[int]) -> list[int]:
    """Take the photos out of the trash, back where they were (archived ones stay archived)."""
    return await _act("photos_restored", user_id, photo_ids, {Photo.trashed_at: None})


@dataclass(frozen=True, slots=True)
class LifecycleState:
    """Where one photo stands: what its heart and its archive and trash buttons show."""

    id: int
    favourite: bool
    archived_at: datetime | None
    trashed_at: datetime | None


async def lifecycle_state(user_id: int, photo_id: int) -> LifecycleState | None:
    """The photo's state, or None when the user may not change it (or it does not exist)."""
    row = await Photo.select(Photo.id, Photo.favourite, Photo.archived_at, Photo.trashed_at).where(
        (Photo.id == photo_id) & changeable_by(user_id)
    ).first()
    if row is None:
        return None
    return LifecycleState(int(row["id"]), bool(row["favourite"]), row["archived_at"], row["trashed_at"])
