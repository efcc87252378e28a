"""Favourite, archive, trash and restore act on the photos of the user's libraries only, and say which."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from photonix.db import accounts, photo_lifecycle, photos
from photonix.db.tables import Album, AlbumMember, AlbumPhoto, Photo


async def _photo(library_id: int, name: str) -> int:
    photo_id, _ = await photos.register(library_id, name * 8, Path(f"/nowhere/{name}.jpg"), 1)
    return photo_id


async def _state(photo_id: int) -> dict[str, object]:
    row = await Photo.select(Photo.favourite, Photo.archived_at, Photo.trashed_at).where(
        Photo.id == photo_id).first()
    assert row is not None
    return row


@pytest.fixture
async def people(clean: None) -> dict[str, int]:
    """Alice owns a library with Carol as a member; Bob has his own library."""
    alice = await accounts.create_user("alice", "correct horse battery")
    bob = await accounts.create_user("bob", "correct horse battery")
    carol = await accounts.create_user("carol", "correct horse battery")
    alices = await accounts.create_library("Alice's", [], alice)
    await accounts.add_member(alices, carol, role="member")
    bobs = await accounts.create_library("Bob's", [], bob)
    return {"alice": alice, "bob": bob, "carol": carol, "alices": alices, "bobs": bobs}


async def test_each_action_sets_its_state_and_undoing_clears_it(people) -> None:
    photo = await _photo(people["alices"], "aa")
    alice = people["alice"]
    assert await photo_lifecycle.favourite_photos(alice, [photo]) == [photo]
    assert await photo_lifecycle.archive_photos(alice, [photo]) == [photo]
    assert await photo_lifecycle.trash_photos(alice, [photo]) == [photo]
    state = await _state(photo)
    assert state["favourite"] is True and state["archived_at"] and state["trashed_at"]
    assert await photo_lifecycle.unfavourite_photos(alice, [photo]) == [photo]
    assert await photo_lifecycle.unarchive_photos(alice, [photo]) == [photo]
    assert await photo_lifecycle.restore_photos(alice, [photo]) == [photo]
    assert await _state(photo) == {"favourite": False, "archived_at": None, "trashed_at": None}


async def test_ids_outside_the_users_libraries_are_not_acted_on(people) -> None:
    mine = [await _photo(people["alices"], name) for name in ("aa", "ab")]
    bobs = await _photo(people["bobs"], "ba")
    asked = [*mine, bobs, 2**31 - 1, 2**40, 0, -3]
    for act in (photo_lifecycle.favourite_photos, photo_lifecycle.archive_photos,
                photo_lifecycle.trash_photos):
        acted = await act(people["alice"], asked)
        assert acted == sorted(mine)
        assert len(set(asked)) - len(acted) == 5            # what a bulk action reports as ignored
    assert await _state(bobs) == {"favourite": False, "archived_at": None, "trashed_at": None}
    await photo_lifecycle.trash_photos(people["bob"], [bobs])
    assert await photo_lifecycle.restore_photos(people["alice"], [bobs]) == []
    assert (await _state(bobs))["trashed_at"] is not None


async def test_a_member_who_is_not_the_owner_may_archive_and_trash(people) -> None:
    photo = await _photo(people["alices"], "aa")
    assert await photo_lifecycle.archive_photos(people["carol"], [photo]) == [photo]
    assert await photo_lifecycle.trash_photos(people["carol"], [photo]) == [photo]


async def test_a_viewer_of_a_shared_album_changes_nothing(people) -> None:
    photo = await _photo(people["alices"], "aa")
    now = datetime.now(UTC)
    album = (await Album.insert(Album(owner=people["alice"], title="Trip", created_at=now, updated_at=now))
             .returning(Album.id))[0]["id"]
    await AlbumPhoto.insert(AlbumPhoto(album=album, photo=photo, added_at=now))
    await AlbumMember.insert(AlbumMember(album=album, user=people["bob"], role="contributor"))
    for act in (photo_lifecycle.favourite_photos, photo_lifecycle.archive_photos,
                photo_lifecycle.trash_photos):
        assert await act(people["bob"], [photo]) == []
    assert await _state(photo) == {"favourite": False, "archived_at": None, "trashed_at": None}


async def test_trashing_again_keeps_the_first_time_so_the_purge_is_not_put_off(people) -> None:
    photo = await _photo(people["alices"], "aa")
    long_ago = datetime.now(UTC) - timedelta(days=20)
    await Photo.update({Photo.trashed_at: long_ago, Photo.archived_at: long_ago}).where(Photo.id == photo)
    assert await photo_lifecycle.trash_photos(people["alice"], [photo]) == [photo]
    assert await photo_lifecycle.archive_photos(people["alice"], [photo]) == [photo]
    state = await _state(photo)
    for column in ("trashed_at", "archived_at"):
        assert abs(state[column] - long_ago) < timedelta(seconds=1)   # type: ignore[operator]


async def test_a_long_selection_is_acted_on_in_full(people) -> None:
    many = [await _photo(people["alices"], f"{n:04d}") for n in range(photo_lifecycle.CHUNK + 20)]
    assert await photo_lifecycle.trash_photos(people["alice"], reversed(many)) == sorted(many)
    assert await Photo.count().where(Photo.trashed_at.is_not_null()) == len(many)
