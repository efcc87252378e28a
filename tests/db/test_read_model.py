"""The read model: who sees which photos (Scope), what each filter field narrows to (PhotoFilter), keyset
pages and month counts, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from photonix.db import accounts
from photonix.db.keyset import Cursor
from photonix.db.photo_filter import MAIN_GRID, InvalidFilter, PhotoFilter
from photonix.db.photo_reads import month_counts, photo_count, photo_detail, tile_page, visible_ids
from photonix.db.scope import Scope
from photonix.db.tables import Membership, ShareLink
from tests.photo_rows import add_photo, album_of, mark_step, share_link, tag_as, user_with_library

DAY = datetime(2024, 5, 10, 12, 0)
NOW = datetime.now(UTC)


async def ids(scope: Scope, narrowed: PhotoFilter = MAIN_GRID) -> list[int]:
    page = await tile_page(scope, narrowed, limit=500)
    return [tile.id for tile in page.tiles]


@pytest.fixture
async def alice(clean: None) -> tuple[int, int]:
    return await user_with_library("alice")


# --- Scope -------------------------------------------------------------------------------------------


async def test_another_librarys_user_never_sees_its_photos(alice, settings) -> None:
    alice_id, library = alice
    photo = await add_photo(library, DAY)
    bob_id, _ = await user_with_library("bob")
    assert await ids(Scope.user(alice_id)) == [photo]
    assert await ids(Scope.user(bob_id)) == []
    assert await photo_detail(Scope.user(bob_id), photo, settings) is None
    assert await visible_ids(Scope.user(bob_id), [photo]) == set()


async def test_an_album_member_sees_the_albums_photos_only(alice, settings) -> None:
    alice_id, library = alice
    in_album, elsewhere = await add_photo(library, DAY), await add_photo(library, DAY + timedelta(days=1))
    carol_id = await accounts.create_user("carol", "correct horse battery")
    album = await album_of(alice_id, [in_album], members=(carol_id,))
    assert await ids(Scope.user(carol_id)) == [in_album]
    assert await ids(Scope.user(carol_id).album(album)) == [in_album]
    detail = await photo_detail(Scope.user(carol_id), in_album, settings)
    assert detail is not None and not detail.can_edit      # album members look; library members edit
    assert await photo_detail(Scope.user(carol_id), elsewhere, settings) is None
    assert await visible_ids(Scope.user(carol_id), [in_album], editable=True) == set()


async def test_an_album_not_shared_with_the_user_shows_nothing(alice) -> None:
    alice_id, library = alice
    photo = await add_photo(library, DAY)
    album = await album_of(alice_id, [photo])
    bob_id, bobs_library = await user_with_library("bob")
    assert await ids(Scope.user(alice_id).album(album)) == [photo]
    assert await ids(Scope.user(bob_id).album(album)) == []
    assert await ids(Scope.user(alice_id), PhotoFilter(album=album)) == [photo]
    assert await ids(Scope.user(bob_id), PhotoFilter(album=album)) == []


async def test_a_share_scope_sees_exactly_its_photos(alice) -> None:
    alice_id, library = alice
    shared, kept = await add_photo(library, DAY), await add_photo(library, DAY + timedelta(hours=1))
    album_photo = await add_photo(library, DAY + timedelta(hours=2))
    selection = await share_link(alice_id, photo_ids=(shared,))
    album_link = await share_link(alice_id, album_id=await album_of(alice_id, [album_photo]))
    assert await ids(Scope.share(selection)) == [shared]
    assert await ids(Scope.share(album_link)) == [album_photo]
    assert kept not in await visible_ids(Scope.share(selection), [shared, kept, album_photo])


async def test_a_trashed_photo_is_invisible_through_a_share(alice, settings) -> None:
    alice_id, library = alice
    photo = await add_photo(library, DAY, trashed_at=NOW)
    link = await share_link(alice_id, photo_ids=(photo,))
    assert await ids(Scope.share(link), PhotoFilter(trashed=None)) == []
    assert await photo_detail(Scope.share(link), photo, settings) is None
    assert await photo_detail(Scope.user(alice_id), photo, settings) is not None    # in the owner's trash


async def test_a_revoked_link_sees_nothing(alice) -> None:
    alice_id, library = alice
    photo = await add_photo(library, DAY)
    link = await share_link(alice_id, photo_ids=(photo,))
    await ShareLink.update({ShareLink.revoked_at: NOW}).where(ShareLink.id == link)
    assert await ids(Scope.share(link)) == []


async def test_a_link_stops_showing_a_library_its_owner_has_left(alice) -> None:
    alice_id, library = alice
    photo = await add_photo(library, DAY)
    selection = await share_link(alice_id, photo_ids=(photo,))
    album_link = await share_link(alice_id, album_id=await album_of(alice_id, [photo]))
    assert await ids(Scope.share(selection)) == await ids(Scope.share(album_link)) == [photo]
    await Membership.delete().where((Membership.user == alice_id) & (Membership.library == library))
    assert await ids(Scope.share(selection)) == await ids(Scope.share(album_link)) == []


# --- PhotoFilter: one test per field --------------------------------------------------------------------


async def test_filter_library(alice) -> None:
    alice_id, library = alice
    other = await accounts.create_library("Second", [], alice_id)
    first, second = await add_photo(library, DAY), await add_photo(other, DAY)
    assert await ids(Scope.user(alice_id), PhotoFilter(library=other)) == [second]
    assert await ids(Scope.user(alice_id), PhotoFilter(library=library)) == [first]


async def test_filter_tags_match_any_kind_in_any_case(alice) -> None:
    alice_id, library = alice
    keyword = await add_photo(library, DAY, tag_names=("Paris",))
    place = await add_photo(library, DAY + timedelta(hours=1))
    await tag_as(place, "location", "PARIS", parent="France")
    await add_photo(library, DAY + timedelta(hours=2), tag_names=("Lyon",))
    assert sorted(await ids(Scope.user(alice_id), PhotoFilter(tags=("paris",)))) == [keyword, place]
    both = await add_photo(library, DAY + timedelta(hours=3), tag_names=("paris", "night"))
    assert await ids(Scope.user(alice_id), PhotoFilter(tags=("Paris", "NIGHT"))) == [both]
    assert await ids(Scope.user(alice_id), PhotoFilter(tags=("  ",))) == await ids(Scope.user(alice_id))


async def test_filter_state(alice) -> None:
    alice_id, library = alice
    failed, pending, done = [await add_photo(library, DAY + timedelta(hours=h)) for h in range(3)]
    await mark_step(failed, "failed")
    await mark_step(pending, "queued")
    await mark_step(done, "done")
    assert await ids(Scope.user(alice_id), PhotoFilter(state="failed")) == [failed]
    assert await ids(Scope.user(alice_id), PhotoFilter(state="pending")) == [pending]
    states = {tile.id: tile.state for tile in (await tile_page(Scope.user(alice_id))).tiles}
    assert states == {failed: "failed", pending: "pending", done: "done"}
    with pytest.raises(InvalidFilter):
        PhotoFilter(state="sleeping")


async def test_filter_date_range_is_inclusive_by_day(alice) -> None:
    alice_id, library = alice
    may_9 = await add_photo(library, datetime(2024, 5, 9, 23, 59))
    may_10 = await add_photo(library, datetime(2024, 5, 10, 0, 0))
    may_11 = await add_photo(library, datetime(2024, 5, 11, 23, 59))
    may_12 = await add_photo(library, datetime(2024, 5, 12, 0, 0))
    narrowed = PhotoFilter(taken_from=date(2024, 5, 10), taken_to=date(2024, 5, 11))
    assert await ids(Scope.user(alice_id), narrowed) == [may_11, may_10]
    assert await ids(Scope.user(alice_id), PhotoFilter(taken_to=date(2024, 5, 9))) == [may_9]
    assert await ids(Scope.user(alice_id), PhotoFilter(taken_from=date(2024, 5, 12))) == [may_12]
    with pytest.raises(InvalidFilter):
        PhotoFilter(taken_from=date(2024, 5, 12), taken_to=date(2024, 5, 1))


async def test_filter_album(alice) -> None:
    alice_id, library = alice
    inside, _ = await add_photo(library, DAY), await add_photo(library, DAY + timedelta(hours=1))
    album = await album_of(alice_id, [inside])
    assert await ids(Scope.user(alice_id), PhotoFilter(album=album)) == [inside]


async def test_filter_favourite(alice) -> None:
    alice_id, library = alice
    loved = await add_photo(library, DAY, favourite=True)
    await add_photo(library, DAY + timedelta(hours=1))
    assert await ids(Scope.user(alice_id), PhotoFilter(favourite=True)) == [loved]
    assert (await tile_page(Scope.user(alice_id), PhotoFilter(favourite=True))).tiles[0].favourite


async def test_filter_archived_and_trashed_leave_the_main_grid(alice) -> None:
    alice_id, library = alice
    kept = await add_photo(library, DAY)
    archived = await add_photo(library, DAY + timedelta(hours=1), archived_at=NOW)
    trashed = await add_photo(library, DAY + timedelta(hours=2), trashed_at=NOW)
    archived_then_trashed = await add_photo(library, DAY + timedelta(hours=3), archived_at=NOW,
                                            trashed_at=NOW)
    scope = Scope.user(alice_id)
    assert await ids(scope) == [kept]
    assert await photo_count(scope) == 1
    assert await ids(scope, PhotoFilter(archived=True)) == [archived]
    assert await ids(scope, PhotoFilter(trashed=True, archived=None)) == [archived_then_trashed, trashed]
    assert await ids(scope, PhotoFilter(trashed=True)) == [trashed]
    assert len(await ids(scope, PhotoFilter(archived=None, trashed=None))) == 4


async def test_filter_rating_is_a_minimum(alice) -> None:
    alice_id, library = alice
    await add_photo(library, DAY, rating=2)
    four = await add_photo(library, DAY + timedelta(hours=1), rating=4)
    five = await add_photo(library, DAY + timedelta(hours=2), rating=5)
    assert await ids(Scope.user(alice_id), PhotoFilter(rating=4)) == [five, four]
    with pytest.raises(InvalidFilter):
        PhotoFilter(rating=9)


async def test_filter_camera_by_make_model_or_both(alice) -> None:
    alice_id, library = alice
    canon = await add_photo(library, DAY, camera_make="Canon", camera_model="EOS R6")
    await add_photo(library, DAY + timedelta(hours=1), camera_make="SONY", camera_model="ILCE-7M3")
    for asked in ("canon", "eos r6", "Canon EOS R6"):
        assert await ids(Scope.user(alice_id), PhotoFilter(camera=asked)) == [canon], asked


# --- Paging and counts --------------------------------------------------------------------------------


async def test_keyset_pages_neither_skip_nor_repeat_photos_with_equal_dates(alice) -> None:
    alice_id, library = alice
    made = [await add_photo(library, DAY if n % 2 else DAY + timedelta(days=n)) for n in range(7)]
    seen: list[int] = []
    cursor: Cursor | None = None
    while True:
        page = await tile_page(Scope.user(alice_id), before=cursor, limit=2)
        seen.extend(tile.id for tile in page.tiles)
        if page.next is None:
            break
        cursor = Cursor.decode(page.next.encode())
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    oldest_first = await ids(Scope.user(alice_id), PhotoFilter(oldest_first=True))
    assert oldest_first == list(reversed(seen))


async def test_month_counts_follow_the_filter(alice) -> None:
    alice_id, library = alice
    for day in (1, 2, 30):
        await add_photo(library, datetime(2024, 4, day), rating=5 if day == 1 else 0)
    await add_photo(library, datetime(2024, 6, 1))
    await add_photo(library, datetime(2024, 6, 2), trashed_at=NOW)
    scope = Scope.user(alice_id)
    assert await month_counts(scope, PhotoFilter(), {"2024-04", "2024-06", "2024-05"}) == {
        "2024-04": 3, "2024-05": 0, "2024-06": 1}
    assert await month_counts(scope, PhotoFilter(rating=5), {"2024-04"}) == {"2024-04": 1}
    assert await month_counts(scope, PhotoFilter(), {"2023-12"}) == {"2023-12": 0}


async def test_detail_neighbours_stay_inside_the_filter(alice, settings) -> None:
    alice_id, library = alice
    first = await add_photo(library, DAY, favourite=True)
    await add_photo(library, DAY + timedelta(hours=1))
    third = await add_photo(library, DAY + timedelta(hours=2), favourite=True)
    scope = Scope.user(alice_id)
    everything = await photo_detail(scope, third, settings)
    assert everything is not None and everything.newer is None and everything.older != first
    favourites = await photo_detail(scope, third, settings, PhotoFilter(favourite=True))
    assert favourites is not None and favourites.older == first
    older = await photo_detail(scope, first, settings, PhotoFilter(favourite=True))
    assert older is not None and older.newer == third and older.older is None
