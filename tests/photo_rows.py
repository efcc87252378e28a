"""Photo rows made directly in the database, for read-model tests that need many photos with given dates,
tags, states and albums without running the pipeline on image files."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from photonix.classifiers.base import ScoredTag
from photonix.db import accounts, photos, stepruns, tags
from photonix.db.tables import Album, AlbumMember, AlbumPhoto, Photo, ShareLink, ShareLinkPhoto

_numbers = itertools.count(1)


async def user_with_library(name: str) -> tuple[int, int]:
    """(user id, library id): a user owning a library of their own."""
    user_id = await accounts.create_user(name, "correct horse battery")
    return user_id, await accounts.create_library(f"{name}'s library", [], user_id)


async def add_photo(library_id: int, sort_at: datetime, *, tag_names: tuple[str, ...] = (),
                    thumbnail: tuple[int, int] | None = None, **columns: Any) -> int:
    """A photo of the library taken at `sort_at`, with these column values, user tags and a medium
    thumbnail row of that size."""
    number = next(_numbers)
    photo_id, _ = await photos.register(library_id, f"{number:064x}", Path(f"/nowhere/IMG_{number}.jpg"), 1)
    values: dict[Any, Any] = {Photo.sort_at: sort_at, Photo.taken_at: sort_at}
    values.update({getattr(Photo, name): value for name, value in columns.items()})
    await Photo.update(values).where(Photo.id == photo_id)
    for name in tag_names:
        await tags.add_user_tag(photo_id, name)
    if thumbnail:
        await photos.save_thumbnails(photo_id, [("medium", Path(f"/nowhere/{number}.jpg"), *thumbnail)])
    return photo_id


async def tag_as(photo_id: int, kind: str, name: str, parent: str | None = None) -> None:
    """A classifier's tag of this kind on the photo (as classify_* steps write them)."""
    await tags.replace_classifier_tags(photo_id, f"test-{kind}", 1, [ScoredTag(kind, name, 0.9, parent)])


async def mark_step(photo_id: int, state: str) -> None:
    """The photo has one pipeline step, in this state."""
    await stepruns.mark_queued(photo_id, 1, ["extract_metadata"], {"extract_metadata": f"x:{photo_id}:1"})
    if state != "queued":
        await stepruns.StepRun.update({stepruns.StepRun.state: state}).where(
            stepruns.StepRun.photo == photo_id)


async def album_of(owner_id: int, photo_ids: list[int], *, members: tuple[int, ...] = (),
                   title: str = "Album") -> int:
    now = datetime.now(UTC)
    rows = await Album.insert(Album(owner=owner_id, title=title, created_at=now, updated_at=now)).returning(
        Album.id)
    album_id = int(rows[0]["id"])
    for position, photo_id in enumerate(photo_ids):
        await AlbumPhoto.insert(AlbumPhoto(album=album_id, photo=photo_id, position=position, added_at=now))
    for user_id in members:
        await AlbumMember.insert(AlbumMember(album=album_id, user=user_id, role="viewer"))
    return album_id


async def share_link(owner_id: int, *, photo_ids: tuple[int, ...] = (), album_id: int | None = None) -> int:
    rows = await ShareLink.insert(ShareLink(owner=owner_id, token=f"token-{next(_numbers)}", album=album_id,
                                            created_at=datetime.now(UTC))).returning(ShareLink.id)
    link_id = int(rows[0]["id"])
    for photo_id in photo_ids:
        await ShareLinkPhoto.insert(ShareLinkPhoto(share_link=link_id, photo=photo_id))
    return link_id
