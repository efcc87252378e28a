"""Search and tags on the read model: the search box's words compile into PhotoFilter (tag prefixes, file
names, cameras, lenses, years, months and seasons), month counts follow the search, people's tags are one
tag whatever their case, and the migration merges the spellings already stored."""

from __future__ import annotations

import importlib
from datetime import datetime

import pytest

from photonix.db import accounts, photos, tags
from photonix.db.migration_sql import run_sql
from photonix.db.photo_filter import InvalidFilter, PhotoFilter
from photonix.db.photo_reads import month_counts, tile_page
from photonix.db.photo_search import parse_search
from photonix.db.scope import Scope
from photonix.db.search_suggestions import suggestions
from photonix.db.tables import Photo, PhotoTag, Tag
from photonix.media.dates import UNDATED_SORT_AT
from tests.photo_rows import add_photo, tag_as, user_with_library

MIGRATION = importlib.import_module("piccolo_migrations.photonix_2026_12_01t15_00_00_000000")


@pytest.fixture
async def alice(clean: None) -> tuple[int, int]:
    return await user_with_library("alice")


async def found(user_id: int, search: str) -> set[int]:
    page = await tile_page(Scope.user(user_id), PhotoFilter(search=search), limit=500)
    return {tile.id for tile in page.tiles}


async def test_month_headers_count_only_what_the_search_shows(alice) -> None:
    user_id, library = alice
    rome = await add_photo(library, datetime(2024, 5, 3), tag_names=("Rome",))
    await add_photo(library, datetime(2024, 5, 4), tag_names=("Paris",))
    await add_photo(library, datetime(2024, 5, 5))
    scope = Scope.user(user_id)
    assert await month_counts(scope, PhotoFilter(), ["2024-05"]) == {"2024-05": 3}
    assert await found(user_id, "rome") == {rome}
    assert await month_counts(scope, PhotoFilter(search="rome"), ["2024-05"]) == {"2024-05": 1}
    assert await month_counts(scope, PhotoFilter(tags=("Paris",)), ["2024-05"]) == {"2024-05": 1}


async def test_a_search_matches_the_first_letters_of_a_tag_in_any_case(alice) -> None:
    user_id, library = alice
    day = datetime(2024, 5, 3)
    place = await add_photo(library, day)
    await tag_as(place, "location", "Rome", parent="Italy")
    keyword = await add_photo(library, day, tag_names=("romantic dinner",))
    await add_photo(library, day, tag_names=("Paris",))
    await add_photo(library, day, tag_names=("Aroma",))        # "rom" inside a word is not a prefix
    assert await found(user_id, "ROM") == {place, keyword}
    assert await found(user_id, "rome") == {place}


async def test_a_search_finds_a_file_name_a_camera_and_a_lens(alice) -> None:
    user_id, library = alice
    day = datetime(2024, 5, 3)
    named = await add_photo(library, day, original_path="/library/2024/Beach_Sunset.jpg")
    in_folder = await add_photo(library, day, original_path="/library/sunset trip/IMG_1.jpg")
    canon = await add_photo(library, day, camera_make="Canon", camera_model="EOS R5")
    lens = await add_photo(library, day, lens="RF 24-70mm F2.8 L IS USM")
    uploaded = await add_photo(library, day, original_path="/data/originals/1/2024-05/3f9a0c1b2d4e_a.jpg",
                               original_name="Grandma's birthday.JPG")
    assert await found(user_id, "sunset") == {named}            # the file's name, not its folder's
    assert in_folder not in await found(user_id, "sunset")
    assert await found(user_id, "eos r5") == {canon}
    assert await found(user_id, "canon eos") == {canon}
    assert await found(user_id, "24-70") == {lens}
    assert await found(user_id, "grandma") == {uploaded}     # the name it was uploaded under


async def test_searching_a_year_or_a_month_word_finds_photos_taken_then(alice) -> None:
    user_id, library = alice
    june_2019 = await add_photo(library, datetime(2019, 6, 14, 9))
    july_2019 = await add_photo(library, datetime(2019, 7, 30, 23))
    march_2019 = await add_photo(library, datetime(2019, 3, 1))
    june_2021 = await add_photo(library, datetime(2021, 6, 1))
    december_2019 = await add_photo(library, datetime(2019, 12, 24))
    january_2020 = await add_photo(library, datetime(2020, 1, 5))
    await add_photo(library, UNDATED_SORT_AT, taken_at=None)          # undated: in no month, no season
    assert await found(user_id, "2019") == {june_2019, july_2019, march_2019, december_2019}
    assert await found(user_id, "June 2019") == {june_2019}
    assert await found(user_id, "june") == {june_2019, june_2021}
    assert await found(user_id, "summer") == {june_2019, july_2019, june_2021}
    assert await found(user_id, "summer 2019") == {june_2019, july_2019}
    assert await found(user_id, "winter 2019") == {december_2019, january_2020}
    assert await found(user_id, "jun 2021") == {june_2021}
    assert await found(user_id, "january") == {january_2020}
    assert await found(user_id, "winter") == {december_2019, january_2020}
    assert await found(user_id, "1800") == set()            # not a year: no photos taken then


async def test_date_words_narrow_the_rest_of_the_search_and_a_tag_may_hold_them(alice) -> None:
    user_id, library = alice
    rome_2019 = await add_photo(library, datetime(2019, 6, 2), tag_names=("Rome",))
    await add_photo(library, datetime(2022, 6, 2), tag_names=("Rome",))
    holiday = await add_photo(library, datetime(2010, 1, 1), tag_names=("Holiday 2008",))
    assert await found(user_id, "rome 2019") == {rome_2019}
    assert await found(user_id, "holiday 2008") == {holiday}    # the whole text is a tag's name


async def test_a_search_of_wildcards_matches_them_literally(alice) -> None:
    user_id, library = alice
    day = datetime(2024, 5, 3)
    percent = await add_photo(library, day, tag_names=("100% fun",))
    await add_photo(library, day, tag_names=("100 fun",))
    underscore = await add_photo(library, day, tag_names=("a_b",))
    await add_photo(library, day, tag_names=("axb",))
    assert await found(user_id, "100%") == {percent}
    assert await found(user_id, "a_b") == {underscore}


def test_date_words_are_parsed_apart_from_the_rest() -> None:
    parsed = parse_search("Rome  June 2019")
    assert (parsed.text, parsed.rest) == ("Rome June 2019", "Rome")
    assert (parsed.months, parsed.years) == ((6,), (2019,))
    assert parse_search("summer").months == (6, 7, 8)
    assert not parse_search("IMG_2019.jpg").has_dates


def test_an_overlong_search_is_refused() -> None:
    with pytest.raises(InvalidFilter):
        PhotoFilter(search="x" * 201)


def test_the_unfiltered_grid_has_no_search_clause() -> None:
    # The main grid must not get slower: no search, no tag subquery, no LIKE.
    unfiltered = str(PhotoFilter().where())             # archived/trashed only
    assert "photo_tag" not in unfiltered and "LIKE" not in unfiltered
    assert "photo_tag" in str(PhotoFilter(search="x").where())


def test_a_search_of_date_words_alone_is_ranges_of_the_grids_date() -> None:
    # Its index serves them: no text matching of every photo (bench/web.py --search measures it).
    dated = str(PhotoFilter(search="june 2019").where())
    assert "sort_at" in dated and "LIKE" not in dated


async def test_search_suggestions_group_matches_by_kind(alice) -> None:
    user_id, library = alice
    day = datetime(2024, 5, 3)
    first = await add_photo(library, day, tag_names=("Roma trip",), camera_make="Ricoh",
                            camera_model="GR III")
    second = await add_photo(library, day)
    await tag_as(second, "location", "Rome", parent="Italy")
    await tag_as(first, "object", "Rocket")
    others_user, others_library = await user_with_library("bob")
    hidden = await add_photo(others_library, day)
    await tag_as(hidden, "location", "Rotterdam", parent="Netherlands")     # bob's: alice never sees it
    got = {(s.kind, s.name, s.parent, s.photos) for s in await suggestions(Scope.user(user_id), "ro")}
    assert got == {("generic", "Roma trip", None, 1), ("location", "Rome", "Italy", 1),
                   ("object", "Rocket", None, 1)}
    cameras = await suggestions(Scope.user(user_id), "gr iii")
    assert [(s.kind, s.name) for s in cameras] == [("camera", "Ricoh GR III")]
    assert await suggestions(Scope.user(others_user), "rom") == []


async def test_a_user_tag_differing_only_in_case_is_the_same_tag(alice) -> None:
    _, library = alice
    first = await add_photo(library, datetime(2008, 8, 1))
    second = await add_photo(library, datetime(2008, 8, 2))
    one = await tags.add_user_tag(first, "Holiday 2008")
    other = await tags.add_user_tag(second, "holiday 2008")
    assert one == other
    assert [row["name"] for row in await Tag.select(Tag.name).where(Tag.id == one)] == ["Holiday 2008"]
    assert await tags.add_user_tag(first, "HOLIDAY 2008") == one        # no second row on the photo
    assert await PhotoTag.count().where(PhotoTag.photo == first) == 1


async def test_the_migration_merges_tags_differing_only_in_case_keeping_the_first_spelling(alice) -> None:
    _, library = alice
    photo = await add_photo(library, datetime(2008, 8, 1))
    other = await add_photo(library, datetime(2008, 8, 2))
    await MIGRATION.undo()
    try:
        # as the old code stored them: one tag per spelling
        for name in ("Holiday 2008", "holiday 2008", "HOLIDAY 2008"):
            await run_sql("INSERT INTO tag (kind, name, key) VALUES ('generic', {}, {})",
                          name, f"generic//{name}")
        ids = {row["name"]: row["id"] for row in await run_sql("SELECT id, name FROM tag")}
        for photo_id, name in ((photo, "Holiday 2008"), (photo, "holiday 2008"), (other, "HOLIDAY 2008")):
            await run_sql("INSERT INTO photo_tag (photo, tag, score, source) VALUES ({}, {}, 1.0, 'user')",
                          photo_id, ids[name])
    finally:
        await MIGRATION.apply()
    rows = await Tag.select(Tag.id, Tag.name, Tag.key)
    assert [(row["name"], row["key"]) for row in rows] == [("Holiday 2008", "generic//holiday 2008")]
    carried = await PhotoTag.select(PhotoTag.photo, PhotoTag.tag).order_by(PhotoTag.photo)
    assert [(row["photo"], row["tag"]) for row in carried] == [(photo, rows[0]["id"]), (other, rows[0]["id"])]
    assert await tags.add_user_tag(other, "holiday 2008") == rows[0]["id"]


async def test_who_added_a_tag_and_who_rated_are_stored(alice) -> None:
    user_id, library = alice
    carol = await accounts.create_user("carol", "correct horse battery")
    await accounts.add_member(library, carol)
    photo = await add_photo(library, datetime(2024, 5, 3))
    await tags.add_user_tag(photo, "Beach", added_by=carol)
    assert [(t.name, t.added_by, t.added_by_name) for t in await tags.tags_of(photo)] == [
        ("Beach", carol, "carol")]
    assert await photos.set_rating(user_id, photo, 4)
    assert (await Photo.select(Photo.rated_by).where(Photo.id == photo).first()) == {"rated_by": user_id}
