"""Pages and the API on the one read model: the search box and the API's tag filter agree, the favourites,
archive and trash views list the right photos, neighbours stay inside a view, a thumbnail costs one query,
and /schema documents the typed answers, the bearer scheme and the 401/404 answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from photonix.config import Settings
from photonix.db import accounts, photos
from photonix.db.tables import Photo
from tests.photo_rows import add_photo, album_of, tag_as
from tests.web.conftest import Member, csrf, sign_in
from tests.web.test_pages import Elements

DAY = datetime(2024, 5, 10, 12, 0)
NOW = datetime.now(UTC)


def tile_ids(html: str) -> list[int]:
    tiles = [a for a in Elements(html).all("a") if "tile" in (a.get("class") or "").split()]
    return [int(str(a["id"])[1:]) for a in tiles]


async def api_ids(client, member: Member, query: str) -> list[int]:
    answer = await client.get(f"/api/v1/photos?{query}", headers=member.auth)
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


async def test_the_search_box_and_the_api_tag_filter_give_the_same_photos(client, alice: Member) -> None:
    keyword = await add_photo(alice.library_id, DAY, tag_names=("Paris",))
    place = await add_photo(alice.library_id, DAY + timedelta(hours=1))
    await tag_as(place, "location", "PARIS", parent="France")
    await add_photo(alice.library_id, DAY + timedelta(hours=2), tag_names=("Lyon",))
    await sign_in(client, "alice")
    grid = tile_ids((await client.get("/photos/?q=paris")).text)
    assert sorted(grid) == sorted([keyword, place])
    for spelled in ("paris", "Paris", "PARIS"):
        assert await api_ids(client, alice, f"tag={spelled}") == grid, spelled


async def test_a_hostile_search_stays_text_in_the_tile_links(client, alice: Member) -> None:
    # The tiles render with autoescape off (partials/photo_grid.html): what the visitor typed must still
    # arrive in the links as the text it was, never as markup.
    hostile = '"><img src=x onerror=alert(1)>&copy=1'
    photo_id = await add_photo(alice.library_id, DAY, tag_names=(hostile,))
    await sign_in(client, "alice")
    answer = await client.get("/photos/", params={"q": hostile, "order": "oldest"})
    assert "onerror=alert(1)>" not in answer.text and "&copy=" not in answer.text
    links = Elements(answer.text).all("a", id=f"p{photo_id}")
    assert len(links) == 1
    href = urlsplit(str(links[0]["href"]))
    assert href.path == f"/photos/{photo_id}"
    assert parse_qs(href.query) == {"q": [hostile], "order": ["oldest"]}


async def test_archived_and_trashed_photos_leave_the_main_grid_for_their_own_views(client, alice) -> None:
    kept = await add_photo(alice.library_id, DAY)
    loved = await add_photo(alice.library_id, DAY + timedelta(hours=1), favourite_of=(alice.user_id,))
    archived = await add_photo(alice.library_id, DAY + timedelta(hours=2), archived_at=NOW)
    trashed = await add_photo(alice.library_id, DAY + timedelta(hours=3), trashed_at=NOW)
    await sign_in(client, "alice")
    assert tile_ids((await client.get("/photos/")).text) == [loved, kept]
    assert tile_ids((await client.get("/photos/favourites")).text) == [loved]
    assert tile_ids((await client.get("/photos/?favourite=1")).text) == [loved]
    assert tile_ids((await client.get("/photos/archive")).text) == [archived]
    assert tile_ids((await client.get("/photos/trash")).text) == [trashed]
    assert await api_ids(client, alice, "") == [loved, kept]
    assert await api_ids(client, alice, "trashed=true") == [trashed]
    assert await api_ids(client, alice, "archived=true") == [archived]
    nav = {a["href"] for a in Elements((await client.get("/photos/")).text).all("a")}
    assert {"/photos/favourites", "/photos/archive", "/photos/trash"} <= nav


async def test_an_empty_view_says_so(client, alice) -> None:
    await add_photo(alice.library_id, DAY)
    await sign_in(client, "alice")
    page = (await client.get("/photos/trash")).text
    assert "The trash is empty." in page and not tile_ids(page)


async def test_a_photo_opened_from_favourites_steps_through_favourites_only(client, alice) -> None:
    first = await add_photo(alice.library_id, DAY, favourite_of=(alice.user_id,))
    await add_photo(alice.library_id, DAY + timedelta(hours=1))
    last = await add_photo(alice.library_id, DAY + timedelta(hours=2), favourite_of=(alice.user_id,))
    await sign_in(client, "alice")
    links = Elements((await client.get("/photos/favourites")).text).all("a", id=f"p{last}")
    assert links and links[0]["href"] == f"/photos/{last}?favourite=1"
    page = Elements((await client.get(f"/photos/{last}?favourite=1")).text)
    assert [a["href"] for a in page.all("a", rel="next")] == [f"/photos/{first}?favourite=1"]
    assert any(a["href"] == f"/photos/favourites#p{last}" for a in page.all("a"))


@pytest.mark.parametrize("query", ["rating=9", "from=2024-05-10&to=2024-05-01", "state=sleeping",
                                   "from=yesterday"])
async def test_a_bad_filter_answers_400_on_the_page_and_the_api(client, alice, query: str) -> None:
    assert (await client.get(f"/api/v1/photos?{query}", headers=alice.auth)).status_code == 400
    await sign_in(client, "alice")
    assert (await client.get(f"/photos/?{query}")).status_code == 400


async def test_the_api_takes_every_grid_filter(client, alice) -> None:
    await add_photo(alice.library_id, datetime(2023, 1, 1), rating=5, camera_make="Canon",
                    favourite_of=(alice.user_id,))
    wanted = await add_photo(alice.library_id, DAY, rating=5, camera_make="Canon", camera_model="EOS R6",
                             favourite_of=(alice.user_id,))
    await add_photo(alice.library_id, DAY, rating=2, camera_make="Canon", favourite_of=(alice.user_id,))
    query = "rating=4&camera=canon%20eos%20r6&favourite=true&from=2024-05-01&to=2024-05-31&order=oldest"
    assert await api_ids(client, alice, query) == [wanted]
    assert await api_ids(client, alice, f"library={alice.library_id}&rating=5&from=2024-01-01") == [wanted]


async def test_an_album_member_sees_the_photo_but_cannot_change_it(client, alice) -> None:
    photo = await add_photo(alice.library_id, DAY)
    await add_photo(alice.library_id, DAY + timedelta(hours=1))
    carol = await accounts.create_user("carol", "correct horse battery")
    await album_of(alice.user_id, [photo], members=(carol,))
    await sign_in(client, "carol")
    assert tile_ids((await client.get("/photos/")).text) == [photo]
    page = await client.get(f"/photos/{photo}")
    assert page.status_code == 200
    assert not Elements(page.text).all("form", id="rating")     # no controls for what they may not change
    rated = await client.post(f"/photos/{photo}/rating", data={"rating": "4"}, headers=csrf(client))
    assert rated.status_code == 403
    assert (await Photo.select(Photo.rating).where(Photo.id == photo).first()) == {"rating": 0}


async def test_a_thumbnail_request_is_one_query(client, alice, settings: Settings,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    photo = await add_photo(alice.library_id, DAY)
    thumbnail = settings.derivatives_dir / "one-query" / "medium.jpg"
    thumbnail.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (72, 48), (90, 120, 150)).save(thumbnail, "JPEG")
    await photos.save_thumbnails(photo, [("medium", thumbnail, 72, 48)])
    await sign_in(client, "alice")
    statements = await statements_of(monkeypatch, client, f"/photos/{photo}/thumbnail/medium")
    photo_statements = [sql for sql in statements if "user_session" not in sql and "photonix_user" not in sql]
    assert len(photo_statements) == 1, photo_statements
    assert "photo_file" in photo_statements[0] and "membership" in photo_statements[0]


async def statements_of(monkeypatch: pytest.MonkeyPatch, client, url: str) -> list[str]:
    """The SQL statements the engine runs while the app answers `url` (200 expected), through Piccolo's own
    query log hook."""
    engine = Photo._meta.db
    seen: list[str] = []
    monkeypatch.setattr(engine, "log_queries", True)
    # on the class: PostgresEngine has __slots__, so its instances take no attribute of their own
    monkeypatch.setattr(type(engine), "print_query", lambda self, query_id, query: seen.append(query))
    answer = await client.get(url)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/jpeg"
    return seen


async def test_the_schema_documents_typed_answers_the_bearer_scheme_and_errors(client, alice) -> None:
    schema = (await client.get("/schema/openapi.json", headers=alice.auth)).json()
    assert {"PhotoOut", "PhotoList", "PhotoSummary"} <= set(schema["components"]["schemas"])
    assert schema["components"]["securitySchemes"]["BearerToken"] == {
        "type": "http", "scheme": "bearer",
        "description": "an API token from `photonix token create` or the Account page"}
    one = schema["paths"]["/api/v1/photos/{photo_id}"]["get"]
    assert {"401", "404"} <= set(one["responses"]) and one["security"] == [{"BearerToken": []}]
    listed = schema["paths"]["/api/v1/photos"]["get"]
    names = {parameter["name"] for parameter in listed["parameters"]}
    assert names >= {"library", "tag", "state", "from", "to", "album", "favourite", "archived", "trashed",
                     "rating", "camera", "before"}
    assert "401" in listed["responses"]


