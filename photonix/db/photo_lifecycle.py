"""Favourite, archive and trash a list of photos, within what the user may change: returns the ids acted on.

A favourite is the viewer's own (a row of photo_favourite, db/tables.py): anyone who can see the photo
may heart it, a member of its library or a user of an album shared with them alike, and nobody else sees
that heart. A share link's visitor has no favourites.

Archive and trash belong to the photo: only the members of its library (owners and members alike) change
them, as in Immich, where only the asset's owner (never a shared-album viewer or a partner) archives or
trashes it, and in PhotoPrism, where a viewer-role account changes nothing.

The rule is a where-clause of every statement here (the read model's Scope.where and member_of_library,
db/scope.py), so an id outside it is simply not acted on; each function takes the viewer's Scope (or user
id) and the ids, and returns the ids it acted on (sorted): a bulk action counts the rest as ignored. An id
already in the wanted state is acted on (and returned): doing it twice changes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from piccolo.columns.base import Column
from piccolo.columns.combination import WhereRaw
from piccolo.custom_types import Combinable

from photonix.db.scope import Scope, member_of_library
from photonix.db.tables import Photo, PhotoFavourite

log = structlog.get_logger()

CHUNK = 500                 # ids per statement: far below SQLite's and asyncpg's parameter limits
MAX_ID = 2**31 - 1          # PostgreSQL serial ids are 32-bit signed; a larger "id" is simply ignored


def changeable_by(who: Scope | int) -> Combinable:
    """Photos of the libraries the user is a member of (any role): what they may favourite, archive and
    trash; nothing for a share link's scope. An album in the scope does not narrow it: the ids say which."""
    user_id = who.user_id if isinstance(who, Scope) else who
    if user_id is None:
        return WhereRaw("1 = 0")
    return member_of_library(user_id)


def _user_id(who: Scope | int) -> int | None:
    return who.user_id if isinstance(who, Scope) else int(who)


def _marks(ids: list[int]) -> str:
    return ", ".join("{}" for _ in ids)


async def _seen(user_id: int, ids: list[int]) -> list[int]:
    """The ids among these the user can see (their libraries' photos and their albums' photos)."""
    rows = await Photo.raw(f'SELECT "photo"."id" FROM photo WHERE "photo"."id" IN ({_marks(ids)}) AND {{}}',
                           *ids, Scope.user(user_id).where())
    return [int(row["id"]) for row in rows]


def _chunks(photo_ids: Iterable[int]) -> list[list[int]]:
    ids = sorted({int(i) for i in photo_ids if 1 <= int(i) <= MAX_ID})
    return [ids[start:start + CHUNK] for start in range(0, len(ids), CHUNK)]


async def _act(event: str, who: Scope | int, photo_ids: Iterable[int], values: dict[Column | str, Any],
               *, only_where: Combinable | None = None) -> list[int]:
    """Set `values` on the photos among `photo_ids` the user may change; with `only_where`, only on those
    matching it, the others keeping theirs (an archive or trash time already set) yet counting as acted
    on."""
    acted: list[int] = []
    for chunk in _chunks(photo_ids):
        where: Combinable = Photo.id.is_in(chunk) & changeable_by(who)
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
        log.info(event, user_id=who.user_id if isinstance(who, Scope) else who, photos=len(acted), **one)
    return acted


async def favourite_photos(who: Scope | int, photo_ids: Iterable[int]) -> list[int]:
    """Add the photos the user can see to their own favourites; the ids acted on."""
    return await _on_seen(who, photo_ids, "photos_favourited", _add_hearts)


async def unfavourite_photos(who: Scope | int, photo_ids: Iterable[int]) -> list[int]:
    """Take the photos the user can see out of their own favourites; the ids acted on."""
    return await _on_seen(who, photo_ids, "photos_unfavourited", _remove_hearts)


async def _add_hearts(user_id: int, seen: list[int]) -> None:
    # ON CONFLICT: a heart added meanwhile (another tab) is simply kept.
    await PhotoFavourite.raw(
        'INSERT INTO photo_favourite ("user", photo, created_at) '
        'SELECT {}, "photo"."id", {} FROM photo '
        f'WHERE "photo"."id" IN ({_marks(seen)}) AND NOT {{}} ON CONFLICT ("user", photo) DO NOTHING',
        user_id, datetime.now(UTC), *seen, Scope.user(user_id).favourite())


async def _remove_hearts(user_id: int, seen: list[int]) -> None:
    await PhotoFavourite.delete().where((PhotoFavourite.user == user_id) & PhotoFavourite.photo.is_in(seen))


async def _on_seen(who: Scope | int, photo_ids: Iterable[int], event: str,
                   write: Callable[[int, list[int]], Awaitable[None]]) -> list[int]:
    """`write(user, ids)` for the photos among these the user can see, a chunk at a time; those ids."""
    user_id = _user_id(who)
    if user_id is None:
        return []
    acted: list[int] = []
    for chunk in _chunks(photo_ids):
        seen = await _seen(user_id, chunk)
        if seen:
            await write(user_id, seen)
        acted.extend(seen)
    return _logged(event, user_id, acted)


def _logged(event: str, user_id: int, acted: list[int]) -> list[int]:
    acted.sort()
    if acted:
        one = {"photo_id": acted[0]} if len(acted) == 1 else {}
        log.info(event, user_id=user_id, photos=len(acted), **one)
    return acted


async def archive_photos(who: Scope | int, photo_ids: Iterable[int]) -> list[int]:
    """Archive the photos (out of the main grid, into the Archive view); archived already: kept as is."""
    return await _act("photos_archived", who, photo_ids, {Photo.archived_at: datetime.now(UTC)},
                      only_where=Photo.archived_at.is_null())


async def unarchive_photos(who: Scope | int, photo_ids: Iterable[int]) -> list[int]:
    return await _act("photos_unarchived", who, photo_ids, {Photo.archived_at: None})


async def trash_photos(who: Scope | int, photo_ids: Iterable[int]) -> list[int]:
    """Move the photos to the trash; a photo already there keeps its time, so trashing it again does not
    put off its purge."""
    return await _act("photos_trashed", who, photo_ids, {Photo.trashed_at: datetime.now(UTC)},
                      only_where=Photo.trashed_at.is_null())


async def restore_photos(who: Scope | int, photo_ids: Iterable[int]) -> list[int]:
    """Take the photos out of the trash, back where they were (archived ones stay archived)."""
    return await _act("photos_restored", who, photo_ids, {Photo.trashed_at: None})


@dataclass(frozen=True, slots=True)
class LifecycleState:
    """Where one photo stands: what its heart and its archive and trash buttons show."""

    id: int
    favourite: bool
    archived_at: datetime | None
    trashed_at: datetime | None


async def lifecycle_state(who: Scope | int, photo_id: int) -> LifecycleState | None:
    """The photo's state as this user sees it (the heart is their own), or None when they cannot see it (or
    it does not exist)."""
    user_id = _user_id(who)
    if user_id is None:
        return None
    scope = Scope.user(user_id)
    rows = await Photo.raw(
        'SELECT "photo"."id", {} AS favourite, "photo"."archived_at", "photo"."trashed_at" FROM photo '
        'WHERE "photo"."id" = {} AND {}', scope.favourite(), int(photo_id), scope.where())
    if not rows:
        return None
    row = rows[0]
    return LifecycleState(int(row["id"]), bool(row["favourite"]), row["archived_at"], row["trashed_at"])


async def restore_all(who: Scope | int) -> int:
    """Take every photo the user may change out of the trash ("Restore all" in the trash view); how many."""
    rows = await Photo.update({Photo.trashed_at: None}).where(
        Photo.trashed_at.is_not_null() & changeable_by(who)
    ).returning(Photo.id)
    if rows:
        log.info("photos_restored", user_id=who.user_id if isinstance(who, Scope) else who, photos=len(rows))
    return len(rows)
