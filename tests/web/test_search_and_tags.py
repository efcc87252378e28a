"""The grid's search and the photo page's tags as people meet them: month headers count what the search
shows, "1 photo" in the singular, suggestions under the header's search box grouped by kind, a tag in
another case is the same tag, shared tags and ratings say who set them, and a place shows once with its
country."""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser

from photonix.classifiers.base import ScoredTag
from photonix.db import accounts, tags
from photonix.web.filters import counted
from tests.photo_rows import add_photo, tag_as
from tests.web.conftest import Member, csrf, sign_in
from tests.web.test_pages import Elements
from tests.web.test_photo_views import tile_ids

DAY = datetime(2024, 5, 10, 12, 0)
VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}


def texts(html: str, tag: str, **attrs: str) -> list[str]:
    """The text of each element of this tag (and these attribute values), spaces collapsed."""

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.depth = 0
            self.found: list[list[str]] = []

        def handle_starttag(self, name: str, attributes: list[tuple[str, str | None]]) -> None:
            if name in VOID:
                return
            if self.depth:
                self.depth += 1
            elif name == tag and all(value in (dict(attributes).get(key) or "").split()
                                     for key, value in attrs.items()):
                self.depth = 1
                self.found.append([])

        def handle_endtag(self, name: str) -> None:
            if self.depth:
                self.depth -= 1

        def handle_data(self, data: str) -> None:
            if self.depth:
                self.found[-1].append(data)

    parser = Text()
    parser.feed(html)
    return [" ".join("".join(parts).split()) for parts in parser.found]


def test_counts_read_in_the_singular_for_one() -> None:
    assert (counted(1, "photo"), counted(0, "photo"), counted(2345, "photo")) == (
        "1 photo", "0 photos", "2,345 photos")


async def test_a_month_with_one_photo_says_1_photo(client, alice: Member) -> None:
    await add_photo(alice.library_id, DAY)
    await sign_in(client, "alice")
    [header] = texts((await client.get("/photos/")).text, "h2", id="h-2024-05")
    assert header == "May 2024 · 1 photo"


async def test_month_headers_count_only_what_the_search_shows(client, alice: Member) -> None:
    rome = await add_photo(alice.library_id, DAY, tag_names=("Rome",))
    for hour in (1, 2):
        await add_photo(alice.library_id, DAY.replace(hour=hour), tag_names=("Paris",))
    await sign_in(client, "alice")
    assert texts((await client.get("/photos/")).text, "h2", id="h-2024-05") == ["May 2024 · 3 photos"]
    searched = (await client.get("/photos/?q=rom")).text
    assert tile_ids(searched) == [rome]
    assert texts(searched, "h2", id="h-2024-05") == ["May 2024 · 1 photo"]
    assert 'data-count="1"' in searched         # "select this month" selects what is shown


async def test_the_search_box_keeps_the_search_and_the_grid_links_carry_it(client, alice: Member) -> None:
    june = await add_photo(alice.library_id, datetime(2019, 6, 3), camera_make="Ricoh", camera_model="GR III")
    await add_photo(alice.library_id, datetime(2020, 6, 3), camera_make="Ricoh", camera_model="GR III")
    await sign_in(client, "alice")
    answer = await client.get("/photos/", params={"q": "ricoh june 2019"})
    assert tile_ids(answer.text) == [june]
    [box] = Elements(answer.text).all("input", name="q")
    assert box["value"] == "ricoh june 2019"
    assert "Search: ricoh june 2019" in answer.text         # the removable chip


async def test_the_header_search_box_asks_for_suggestions_as_you_type(client, alice: Member) -> None:
    await sign_in(client, "alice")
    page = (await client.get("/photos/")).text
    [box] = Elements(page).all("input", name="q")
    assert "Walk the suggestions" in page                   # the ? dialog lists the box's keys (keys.js)
    assert box["hx-get"] == "/photos/suggest"
    assert box["hx-trigger"] == "input changed delay:200ms"
    assert box["hx-target"] == "#search-suggestions"


async def test_search_suggestions_group_matches_by_kind(client, alice: Member, bob: Member) -> None:
    first = await add_photo(alice.library_id, DAY, tag_names=("Roma trip",), camera_make="Rollei",
                            camera_model="35")
    second = await add_photo(alice.library_id, DAY)
    await tag_as(second, "location", "Rome", parent="Italy")
    await tag_as(first, "object", "Rocket")
    await tag_as(first, "color", "Rose")
    bobs = await add_photo(bob.library_id, DAY)
    await tag_as(bobs, "location", "Rotterdam", parent="Netherlands")
    await sign_in(client, "alice")
    answer = await client.get("/photos/suggest", params={"q": "RO"})
    assert answer.status_code == 200
    assert texts(answer.text, "h2") == ["Search", "Places", "Objects", "Colours", "Tags", "Cameras"]
    links = {a["href"]: text for a, text in zip(Elements(answer.text).all("a"), texts(answer.text, "a"),
                                                 strict=True)}
    assert links["/photos/?tag=Rome"] == "Italy › Rome 1 photo"
    assert links["/photos/?tag=Roma+trip"] == "Roma trip 1 photo"
    assert links["/photos/?camera=Rollei+35"] == "Rollei 35 1 photo"
    assert "Rotterdam" not in answer.text                   # bob's photos are not alice's suggestions
    picked = await client.get("/photos/?tag=Rome")
    assert tile_ids(picked.text) == [second]


async def test_suggestions_name_the_dates_a_search_holds_and_nothing_for_an_empty_box(client,
                                                                                     alice: Member) -> None:
    await sign_in(client, "alice")
    dated = await client.get("/photos/suggest", params={"q": "jun 2019"})
    assert texts(dated.text, "h2") == ["Search", "Dates"]
    assert "Taken in June 2019" in texts(dated.text, "a")
    season = await client.get("/photos/suggest", params={"q": "Summer"})
    assert "Taken in summer" in texts(season.text, "a")
    empty = await client.get("/photos/suggest", params={"q": "  "})
    assert empty.status_code == 200 and texts(empty.text, "a") == []


async def test_a_user_tag_differing_only_in_case_is_the_same_tag(client, alice: Member) -> None:
    first = await add_photo(alice.library_id, DAY, tag_names=("Holiday 2008",))
    second = await add_photo(alice.library_id, DAY.replace(hour=1))
    await sign_in(client, "alice")
    added = await client.post(f"/photos/{second}/tags", data={"name": "holiday 2008"},
                              headers={**csrf(client), "HX-Request": "true"})
    assert added.status_code == 200
    assert "Holiday 2008" in added.text and "holiday 2008" not in added.text     # the first spelling
    assert sorted(tile_ids((await client.get("/photos/?tag=HOLIDAY+2008")).text)) == sorted([first, second])
    suggested = await client.get("/photos/suggest", params={"q": "holi"})
    assert [text for text in texts(suggested.text, "a") if "Holiday" in text] == ["Holiday 2008 2 photos"]


async def test_a_tag_added_by_another_member_says_who(client, alice: Member) -> None:
    carol = await accounts.create_user("carol", "correct horse battery")
    await accounts.add_member(alice.library_id, carol)
    photo = await add_photo(alice.library_id, DAY)
    await sign_in(client, "carol")
    await client.post(f"/photos/{photo}/tags", data={"name": "Beach"}, headers=csrf(client))
    rated = await client.post(f"/photos/{photo}/rating", data={"rating": "4"},
                              headers={**csrf(client), "HX-Request": "true"})
    assert texts(rated.text, "p", **{"class": "rated-by"}) == ["Rated by you"]     # the answer says it too
    carols_page = (await client.get(f"/photos/{photo}")).text
    assert texts(carols_page, "small", **{"class": "added-by"}) == []      # her own tag needs no name
    assert texts(carols_page, "p", **{"class": "rated-by"}) == ["Rated by you"]
    await client.post("/logout", headers=csrf(client))
    await sign_in(client, "alice")
    page = (await client.get(f"/photos/{photo}")).text
    assert "Your tags" not in page and "Shared tags" in texts(page, "h3")
    [chip] = texts(page, "li", **{"class": "generic"})
    assert chip.startswith("Beach added by carol")
    assert texts(page, "p", **{"class": "rated-by"}) == ["Rated by carol"]
    [note] = texts(page, "p", **{"class": "shared-note"})
    assert "everyone in its library" in note and "Favourites are yours alone" in note
    detail = (await client.get(f"/api/v1/photos/{photo}", headers=alice.auth)).json()
    assert detail["rated_by"] == "carol"
    assert [(t["name"], t["added_by"]) for t in detail["tags"]] == [("Beach", "carol")]


async def test_a_place_and_its_country_show_as_one_chip(client, alice: Member) -> None:
    photo = await add_photo(alice.library_id, DAY)
    # as the location classifier writes them: the country, and the city under it
    await tags.replace_classifier_tags(photo, "location", 1, [
        ScoredTag("location", "Italy", 1.0), ScoredTag("location", "Rome", 1.0, parent="Italy")])
    await tag_as(photo, "location", "Alps")                 # a place with no child shown stays
    await sign_in(client, "alice")
    page = (await client.get(f"/photos/{photo}")).text
    chips = sorted(re.sub(r"\s+", " ", chip) for chip in texts(page, "li", **{"class": "location"}))
    assert chips == ["Alps", "Italy › Rome"]
