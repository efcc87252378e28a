"""Albums in the database: create, rename, describe, delete (photos stay), photos in and out with the
permission in the query, covers, sort orders, and sharing as viewer or contributor — on SQLite and
PostgreSQL alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from photonix.db import accounts, album_members, album_photos, album_tiles, albums, photos
from photonix.db.albums import AlbumError, AlbumRole
from photonix.db.photo_reads import photo_access
from photonix.db.scope import Scope
from photonix.db.tables import Album, AlbumPhoto, Photo
from photonix.errors import NotAllowed, NotVisible
from photonix.media.dates import UNDATED_SORT_AT

JULY = datetime(2021, 7, 1, 12, 0)


@dataclass(frozen=True)
class People:
    alice: int
    bob: int                  # a library of his own; nothing of Alice's
    alice_photos: list[int]   # oldest first, a day apart
    bob_photo: int


async def add_photo(library_id: int, n: int, taken: datetime) -> int:
    photo_id, _ = await photos.register(library_id, f"{library_id:04d}{n:060d}", Path(f"/x/{n}.jpg"), 1)
    await Photo.update({Photo.sort_at: taken, Photo.taken_at: taken}).where(Photo.id == photo_id)
    return photo_id


@pytest.fixture
async def people(clean: None) -> People:
    alice = await accounts.create_user("alice", "correct horse battery")
    bob = await accounts.create_user("bob", "correct horse battery")
    hers = await accounts.create_library("Alice's", [], alice)
    his = await accounts.create_library("Bob's", [], bob)
    alice_photos = [await add_photo(hers, n, JULY + timedelta(days=n)) for n in range(4)]
    return People(alice, bob, alice_photos, await add_photo(his, 9, JULY))


async def test_create_rename_describe_and_delete_keeps_the_photos(people: People) -> None:
    album_id = await albums.create_album(people.alice, "  Summer   trip ", "Lakes")
    await album_photos.add_photos(people.alice, album_id, people.alice_photos[:2])
    assert (await albums.album_summary(people.alice, album_id)).title == "Summer trip"
    assert await albums.rename_album(people.alice, album_id, "Lake Annecy") == "Lake Annecy"
    await albums.describe_album(people.alice, album_id, "Two weeks in July")
    shown = await albums.album_summary(people.alice, album_id)
    assert (shown.title, shown.description, shown.photo_count) == ("Lake Annecy", "Two weeks in July", 2)
    assert await albums.delete_album(people.alice, album_id) == "Lake Annecy"
    assert await albums.albums_of(people.alice) == []
    assert await Photo.count().where(Photo.id.is_in(people.alice_photos)) == 4


@pytest.mark.parametrize("title", ["", "   ", "x" * 201])
async def test_a_title_is_1_to_200_characters(people: People, title: str) -> None:
    with pytest.raises(AlbumError):
        await albums.create_album(people.alice, title)
    album_id = await albums.create_album(people.alice, "x" * 200)
    with pytest.raises(AlbumError):
        await albums.rename_album(people.alice, album_id, title)
    assert (await albums.album_summary(people.alice, album_id)).title == "x" * 200


async def test_another_users_album_is_not_visible_and_cannot_be_changed(people: People) -> None:
    album_id = await albums.create_album(people.alice, "Private")
    assert await albums.albums_of(people.bob) == []
    for attempt in (albums.album_summary(people.bob, album_id),
                    albums.rename_album(people.bob, album_id, "Mine now"),
                    albums.delete_album(people.bob, album_id),
                    album_photos.add_photos(people.bob, album_id, [people.bob_photo]),
                    album_members.share_album(people.bob, album_id, "bob", "viewer")):
        with pytest.raises(NotVisible):
            await attempt
    assert (await albums.album_summary(people.alice, album_id)).title == "Private"


async def test_photos_the_user_may_not_see_are_ignored_and_counted(people: People) -> None:
    album_id = await albums.create_album(people.alice, "Mixed")
    outcome = await album_photos.add_photos(
        people.alice, album_id, [people.alice_photos[0], people.bob_photo, 2**31 + 5, people.alice_photos[1]])
    assert outcome.acted == (people.alice_photos[0], people.alice_photos[1])
    assert outcome.ignored == 2
    again = await album_photos.add_photos(people.alice, album_id, [people.alice_photos[0]])
    assert again.acted == (people.alice_photos[0],) and again.ignored == 0
    assert (await albums.album_summary(people.alice, album_id)).photo_count == 2


async def test_removing_photos_leaves_them_in_the_library(people: People) -> None:
    album_id = await albums.create_album(people.alice, "Out")
    await album_photos.add_photos(people.alice, album_id, people.alice_photos)
    outcome = await album_photos.remove_photos(people.alice, album_id,
                                               [people.alice_photos[0], people.bob_photo])
    assert outcome.acted == (people.alice_photos[0],) and outcome.ignored == 1
    assert (await albums.album_summary(people.alice, album_id)).photo_count == 3
    assert await photo_access(Scope.user(people.alice), people.alice_photos[0]) is not None


async def test_the_list_shows_count_date_range_and_default_cover(people: People) -> None:
    album_id = await albums.create_album(people.alice, "July")
    await album_photos.add_photos(people.alice, album_id, people.alice_photos[1:3])
    await albums.create_album(people.alice, "Empty")
    listed = {a.title: a for a in await albums.albums_of(people.alice)}
    july = listed["July"]
    assert july.photo_count == 2
    assert (july.first_at, july.last_at) == (JULY + timedelta(days=1), JULY + timedelta(days=2))
    assert july.cover_id == people.alice_photos[2]         # newest first: the newest photo
    assert listed["Empty"].photo_count == 0 and listed["Empty"].cover_id is None


async def test_an_undated_photo_counts_but_leaves_the_date_range_alone(people: People) -> None:
    album_id = await albums.create_album(people.alice, "July")
    hers = await Photo.select(Photo.library).where(Photo.id == people.alice_photos[0]).first()
    assert hers is not None
    library_id = hers["library"]
    undated = await add_photo(library_id, 7, UNDATED_SORT_AT)
    await album_photos.add_photos(people.alice, album_id, [*people.alice_photos[1:3], undated])
    july = await albums.album_summary(people.alice, album_id)
    assert july.photo_count == 3
    assert (july.first_at, july.last_at) == (JULY + timedelta(days=1), JULY + timedelta(days=2))


async def test_a_chosen_cover_must_be_in_the_album_and_falls_back_when_removed(people: People) -> None:
    album_id = await albums.create_album(people.alice, "Cover")
    await album_photos.add_photos(people.alice, album_id, people.alice_photos[:3])
    await album_photos.set_cover(people.alice, album_id, people.alice_photos[0])
    assert (await albums.album_summary(people.alice, album_id)).cover_id == people.alice_photos[0]
    with pytest.raises(NotVisible):
        await album_photos.set_cover(people.alice, album_id, people.alice_photos[3])
    with pytest.raises(NotVisible):
        await album_photos.set_cover(people.alice, album_id, people.bob_photo)
    await album_photos.remove_photos(people.alice, album_id, [people.alice_photos[0]])
    assert (await albums.album_summary(people.alice, album_id)).cover_id == people.alice_photos[2]


async def test_sort_orders_newest_oldest_and_manual(people: People) -> None:
    album_id = await albums.create_album(people.alice, "Ordered")
    shuffled = [people.alice_photos[i] for i in (2, 0, 3, 1)]
    await album_photos.add_photos(people.alice, album_id, shuffled)

    async def order() -> list[int]:
        return [tile.id for tile in (await album_tiles.album_tiles(people.alice, album_id))[0].tiles]

    assert await order() == people.alice_photos[::-1]
    await albums.set_sort_order(people.alice, album_id, "date_asc")
    assert await order() == people.alice_photos
    await albums.set_sort_order(people.alice, album_id, "manual")
    assert await order() == shuffled                    # the order they were added in
    moved = await album_photos.reorder(people.alice, album_id, [people.alice_photos[1], people.bob_photo])
    assert moved.acted == (people.alice_photos[1],) and moved.ignored == 1
    assert await order() == [people.alice_photos[1], *shuffled[:3]]
    assert (await albums.album_summary(people.alice, album_id)).cover_id == people.alice_photos[1]
    with pytest.raises(AlbumError):
        await albums.set_sort_order(people.alice, album_id, "random")


@pytest.mark.parametrize("sort_order", ["date_desc", "date_asc", "manual"])
async def test_album_pages_follow_on_without_gaps_or_repeats(people: People, sort_order: str) -> None:
    album_id = await albums.create_album(people.alice, "Paged")
    await album_photos.add_photos(people.alice, album_id, people.alice_photos)
    await albums.set_sort_order(people.alice, album_id, sort_order)
    whole = [t.id for t in (await album_tiles.album_tiles(people.alice, album_id))[0].tiles]
    paged: list[int] = []
    before = None
    for _ in range(4):
        page, before = await album_tiles.album_tiles(people.alice, album_id, before, limit=3)
        paged.extend(t.id for t in page.tiles)
        if before is None:
            break
    assert paged == whole and len(whole) == 4


async def test_an_album_shows_archived_photos_but_not_trashed_ones(people: People) -> None:
    album_id = await albums.create_album(people.alice, "Kept")
    await album_photos.add_photos(people.alice, album_id, people.alice_photos[:2])
    now = datetime.now().astimezone()
    await Photo.update({Photo.archived_at: now}).where(Photo.id == people.alice_photos[0])
    await Photo.update({Photo.trashed_at: now}).where(Photo.id == people.alice_photos[1])
    page, _ = await album_tiles.album_tiles(people.alice, album_id)
    assert [tile.id for tile in page.tiles] == [people.alice_photos[0]]
    assert (await albums.album_summary(people.alice, album_id)).photo_count == 1


async def test_a_member_sees_the_album_photos_of_a_library_they_are_not_in(people: People) -> None:
    album_id = await albums.create_album(people.alice, "For Bob")
    await album_photos.add_photos(people.alice, album_id, people.alice_photos[:2])
    await album_members.share_album(people.alice, album_id, "bob", "viewer")
    page, _ = await album_tiles.album_tiles(people.bob, album_id)
    assert [tile.id for tile in page.tiles] == people.alice_photos[1::-1]
    assert await album_tiles.month_counts(people.bob, album_id, {"2021-07"}) == {"2021-07": 2}


async def test_a_viewer_sees_and_a_contributor_also_changes(people: People) -> None:
    album_id = await albums.create_album(people.alice, "Shared")
    await album_photos.add_photos(people.alice, album_id, people.alice_photos[:1])
    await album_members.share_album(people.alice, album_id, "bob", "viewer")
    seen = await albums.albums_of(people.bob)
    assert [(a.title, a.role, a.photo_count) for a in seen] == [("Shared", AlbumRole.VIEWER, 1)]
    with pytest.raises(NotAllowed):
        await album_photos.add_photos(people.bob, album_id, [people.bob_photo])
    with pytest.raises(NotAllowed):
        await albums.set_sort_order(people.bob, album_id, "date_asc")

    await album_members.share_album(people.alice, album_id, "bob", "contributor")
    outcome = await album_photos.add_photos(people.bob, album_id, [people.bob_photo, people.alice_photos[1]])
    assert outcome.acted == (people.bob_photo,) and outcome.ignored == 1    # Alice's library isn't his
    assert (await albums.album_summary(people.alice, album_id)).photo_count == 2
    assert await albums.editable_albums(people.bob) == [(album_id, "Shared")]
    for owner_only in (albums.rename_album(people.bob, album_id, "Bob's"),
                       albums.delete_album(people.bob, album_id),
                       album_members.share_album(people.bob, album_id, "alice", "viewer")):
        with pytest.raises(NotAllowed):
            await owner_only
    assert await album_members.unshare_album(people.alice, album_id, people.bob)
    assert await albums.albums_of(people.bob) == []


async def test_sharing_needs_a_real_user_and_a_known_role(people: People) -> None:
    album_id = await albums.create_album(people.alice, "Shared")
    for username, role in (("nobody", "viewer"), ("bob", "owner"), ("alice", "viewer"), ("", "viewer")):
        with pytest.raises(AlbumError):
            await album_members.share_album(people.alice, album_id, username, role)
    assert await album_members.members_of(people.alice, album_id) == []


async def test_trashed_photos_leave_the_album_count_and_cannot_be_added(people: People) -> None:
    album_id = await albums.create_album(people.alice, "Trash")
    await album_photos.add_photos(people.alice, album_id, people.alice_photos[:2])
    await Photo.update({Photo.trashed_at: datetime.now().astimezone()}).where(
        Photo.id.is_in(people.alice_photos[:3]))
    assert (await albums.album_summary(people.alice, album_id)).photo_count == 0
    outcome = await album_photos.add_photos(people.alice, album_id, [people.alice_photos[2]])
    assert outcome.acted == () and outcome.ignored == 1
    assert await Album.count() == 1


async def test_a_guests_photos_go_at_the_end_with_their_name(people: People) -> None:
    album_id = await albums.create_album(people.alice, "Party")
    await album_photos.add_photos(people.alice, album_id, people.alice_photos[:1])
    await albums.set_sort_order(people.alice, album_id, "manual")
    await album_photos.append_photos(album_id, [people.bob_photo], guest_name="Uncle Joe")
    rows = await AlbumPhoto.select(AlbumPhoto.photo, AlbumPhoto.added_by, AlbumPhoto.guest_name).where(
        AlbumPhoto.album == album_id).order_by(AlbumPhoto.position)
    assert [(r["photo"], r["added_by"], r["guest_name"]) for r in rows] == [
        (people.alice_photos[0], people.alice, ""), (people.bob_photo, None, "Uncle Joe")]
    page, _ = await album_tiles.album_tiles(people.alice, album_id)
    assert [tile.id for tile in page.tiles] == [people.alice_photos[0], people.bob_photo]
