"""Album routes as a browser uses them: the list (the route the old Photonix never matched), create, rename
and describe in place, delete (photos stay), another user's album (404), a viewer (403) and a contributor,
ids outside the viewer's photos (ignored and counted), covers and sort orders, the photo page's panel."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from photonix.db import album_members, album_photos, albums, photos
from photonix.db.tables import Photo
from photonix.web.flash import COOKIE as FLASH
from tests.web.conftest import Member, csrf, sign_in
from tests.web.test_pages import Elements

JULY = datetime(2021, 7, 1, 12, 0)
Client = AsyncTestClient[Litestar]


async def add_photo(member: Member, n: int, taken: datetime) -> int:
    content_hash = f"{member.user_id:04d}{n:060d}"
    photo_id, _ = await photos.register(member.library_id, content_hash, Path(f"/x/{n}.jpg"), 1)
    await Photo.update({Photo.sort_at: taken, Photo.taken_at: taken}).where(Photo.id == photo_id)
    return photo_id


@pytest.fixture
async def alices_photos(alice: Member) -> list[int]:
    """Four photos of Alice's, oldest first, a day apart from 1 July 2021."""
    return [await add_photo(alice, n, JULY + timedelta(days=n)) for n in range(4)]


def tile_ids(html: str) -> list[int]:
    """The grid's photos, in page order."""
    return [int(a["id"][1:]) for a in Elements(html).all("a") if re.fullmatch(r"p\d+", a.get("id") or "")]


def album_id_of(response) -> int:
    match = re.fullmatch(r"/albums/(\d+)", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


@pytest.mark.parametrize("path", ["/albums", "/albums/", "/albums?page=2", "/albums/?sort=title"])
async def test_the_album_list_route_matches_with_or_without_a_query_string(client: Client, alice: Member,
                                                                          path: str) -> None:
    await sign_in(client, "alice")
    response = await client.get(path)
    assert response.status_code == 200
    assert Elements(response.text).all("form", action="/albums")
    assert "No albums yet" in response.text


async def test_create_then_the_list_shows_cover_title_count_and_date_range(client: Client, alice: Member,
                                                                            alices_photos: list[int]) -> None:
    await sign_in(client, "alice")
    created = await client.post("/albums", data={"title": "  Lake   Annecy ", "description": "July"},
                                headers=csrf(client), follow_redirects=False)
    assert created.status_code == 303
    album_id = album_id_of(created)
    await album_photos.add_photos(alice.user_id, album_id, alices_photos[1:3])
    listed = await client.get("/albums")
    card = Elements(listed.text).all("a", href=f"/albums/{album_id}")
    assert card and "Lake Annecy" in listed.text
    assert "2 photos" in listed.text and "2–3 Jul 2021" in listed.text
    assert Elements(listed.text).all("img", src=f"/photos/{alices_photos[2]}/thumbnail/square")


async def test_a_title_outside_1_to_200_characters_is_refused_with_the_message(client: Client,
                                                                               alice: Member) -> None:
    await sign_in(client, "alice")
    for title in ("", " ", "x" * 201):
        refused = await client.post("/albums", data={"title": title}, headers=csrf(client))
        assert refused.status_code == 422
        assert "1 to 200 characters" in refused.text
    assert await albums.albums_of(alice.user_id) == []


async def test_rename_and_describe_in_place_and_as_a_plain_form(client: Client, alice: Member) -> None:
    await sign_in(client, "alice")
    album_id = await albums.create_album(alice.user_id, "Summer")
    editor = await client.get(f"/albums/{album_id}?edit=details",
                              headers={"HX-Request": "true", "HX-Target": "album-head"})
    assert editor.status_code == 200 and "<html" not in editor.text
    assert Elements(editor.text).all("input", name="title", value="Summer")
    swapped = await client.post(f"/albums/{album_id}/details",
                                data={"title": "Lake Annecy", "description": "Two weeks"},
                                headers={**csrf(client), "HX-Request": "true", "HX-Target": "album-head"})
    assert swapped.status_code == 200 and "<html" not in swapped.text
    assert Elements(swapped.text).all("header", id="album-head") and "Lake Annecy" in swapped.text
    plain = await client.post(f"/albums/{album_id}/details", data={"title": "Annecy", "description": ""},
                              headers=csrf(client), follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == f"/albums/{album_id}"
    assert FLASH in plain.cookies
    shown = await albums.album_summary(alice.user_id, album_id)
    assert (shown.title, shown.description) == ("Annecy", "")
    refused = await client.post(f"/albums/{album_id}/details", data={"title": "  "},
                                headers={**csrf(client), "HX-Request": "true", "HX-Target": "album-head"})
    assert refused.status_code == 422 and "1 to 200 characters" in refused.text
    assert (await albums.album_summary(alice.user_id, album_id)).title == "Annecy"


async def test_delete_removes_the_album_and_keeps_its_photos(client: Client, alice: Member,
                                                             alices_photos: list[int]) -> None:
    await sign_in(client, "alice")
    album_id = await albums.create_album(alice.user_id, "Doomed")
    await album_photos.add_photos(alice.user_id, album_id, alices_photos)
    page = await client.get(f"/albums/{album_id}")
    assert Elements(page.text).all("form", action=f"/albums/{album_id}/delete")
    deleted = await client.post(f"/albums/{album_id}/delete", headers=csrf(client), follow_redirects=False)
    assert deleted.status_code == 303 and deleted.headers["location"] == "/albums"
    assert (await client.get(f"/albums/{album_id}")).status_code == 404
    for photo_id in alices_photos:
        assert (await client.get(f"/photos/{photo_id}")).status_code == 200


async def test_another_users_album_answers_404_to_every_route(client: Client, alice: Member, bob: Member,
                                                              alices_photos: list[int]) -> None:
    album_id = await albums.create_album(alice.user_id, "Alice only")
    await album_photos.add_photos(alice.user_id, album_id, alices_photos[:1])
    await sign_in(client, "bob")
    assert (await client.get(f"/albums/{album_id}")).status_code == 404
    assert "Alice only" not in (await client.get("/albums")).text
    for action, data in (("details", {"title": "Bob's"}), ("delete", {}),
                         ("sort", {"sort_order": "date_asc"}),
                         ("cover", {"photo": str(alices_photos[0])}), ("photos", {"photos": "1"}),
                         ("members", {"username": "bob", "role": "viewer"})):
        response = await client.post(f"/albums/{album_id}/{action}", data=data, headers=csrf(client))
        assert response.status_code == 404, action
    assert (await albums.album_summary(alice.user_id, album_id)).title == "Alice only"


async def test_a_viewer_cannot_change_the_album_and_a_contributor_can_add(client: Client, alice: Member,
                                                                          bob: Member,
                                                                          alices_photos: list[int]) -> None:
    album_id = await albums.create_album(alice.user_id, "Shared")
    await album_photos.add_photos(alice.user_id, album_id, alices_photos[:1])
    bobs_photo = await add_photo(bob, 1, JULY)
    await sign_in(client, "alice")
    shared = await client.post(f"/albums/{album_id}/members", data={"username": "bob", "role": "viewer"},
                               headers={**csrf(client), "HX-Request": "true"})
    assert shared.status_code == 200 and "Shared with bob as viewer" in shared.text
    await sign_in(client, "bob")
    assert "Shared" in (await client.get("/albums")).text
    page = await client.get(f"/albums/{album_id}")
    assert page.status_code == 200 and not Elements(page.text).all("form", action=f"/albums/{album_id}/sort")
    for action, data in (("details", {"title": "Bob's"}), ("delete", {}),
                         ("sort", {"sort_order": "date_asc"}),
                         ("cover", {}), ("photos", {"photos": str(bobs_photo)}),
                         ("members", {"username": "carol", "role": "viewer"})):
        response = await client.post(f"/albums/{album_id}/{action}", data=data, headers=csrf(client))
        assert response.status_code == 403, action
    added = await client.post(f"/photos/{bobs_photo}/albums", data={"album": str(album_id)},
                              headers=csrf(client))
    assert added.status_code == 403

    await album_members.share_album(alice.user_id, album_id, "bob", "contributor")
    added = await client.post(f"/photos/{bobs_photo}/albums", data={"album": str(album_id)},
                              headers={**csrf(client), "HX-Request": "true"})
    assert added.status_code == 200 and "Added to Shared" in added.text
    assert (await albums.album_summary(alice.user_id, album_id)).photo_count == 2
    still_owner_only = await client.post(f"/albums/{album_id}/details", data={"title": "Bob's"},
                                         headers=csrf(client))
    assert still_owner_only.status_code == 403


async def test_ids_the_viewer_may_not_see_are_ignored_and_counted(client: Client, alice: Member, bob: Member,
                                                                  alices_photos: list[int]) -> None:
    bobs_photo = await add_photo(bob, 1, JULY)
    album_id = await albums.create_album(alice.user_id, "Mine")
    await sign_in(client, "alice")
    ids = f"{alices_photos[0]}, {bobs_photo} {alices_photos[1]} 99999999 nonsense"
    response = await client.post(f"/albums/{album_id}/photos", data={"photos": ids}, headers=csrf(client),
                                 follow_redirects=False)
    assert response.status_code == 303
    page = await client.get(f"/albums/{album_id}")          # the flash cookie rides along
    assert "Added 2 photos. 3 could not be added" in page.text
    assert sorted(tile_ids(page.text)) == sorted(alices_photos[:2])
    assert bobs_photo not in tile_ids(page.text)


async def test_a_cover_is_chosen_from_the_albums_photos_only(client: Client, alice: Member,
                                                             alices_photos: list[int]) -> None:
    album_id = await albums.create_album(alice.user_id, "Covered")
    await album_photos.add_photos(alice.user_id, album_id, alices_photos[:3])
    await sign_in(client, "alice")
    page = await client.get(f"/albums/{album_id}")
    assert Elements(page.text).all("form", action=f"/albums/{album_id}/cover")
    chosen = await client.post(f"/albums/{album_id}/cover", data={"photo": str(alices_photos[0])},
                               headers=csrf(client), follow_redirects=False)
    assert chosen.status_code == 303
    listed = await client.get("/albums")
    assert Elements(listed.text).all("img", src=f"/photos/{alices_photos[0]}/thumbnail/square")
    outside = await client.post(f"/albums/{album_id}/cover", data={"photo": str(alices_photos[3])},
                                headers=csrf(client))
    assert outside.status_code == 404
    reset = await client.post(f"/albums/{album_id}/cover", data={}, headers=csrf(client),
                              follow_redirects=False)
    assert reset.status_code == 303
    assert (await albums.album_summary(alice.user_id, album_id)).cover_id == alices_photos[2]


async def test_the_album_grid_follows_each_sort_order(client: Client, alice: Member,
                                                      alices_photos: list[int]) -> None:
    album_id = await albums.create_album(alice.user_id, "Ordered")
    added_order = [alices_photos[i] for i in (2, 0, 3, 1)]
    await album_photos.add_photos(alice.user_id, album_id, added_order)
    await sign_in(client, "alice")
    assert tile_ids((await client.get(f"/albums/{album_id}")).text) == alices_photos[::-1]
    for sort_order, expected in (("date_asc", alices_photos), ("manual", added_order)):
        response = await client.post(f"/albums/{album_id}/sort", data={"sort_order": sort_order},
                                     headers=csrf(client), follow_redirects=False)
        assert response.status_code == 303
        assert tile_ids((await client.get(f"/albums/{album_id}")).text) == expected
    moved = await client.post(f"/albums/{album_id}/photos/{added_order[1]}/move", data={"to": "earlier"},
                              headers=csrf(client), follow_redirects=False)
    assert moved.status_code == 303
    assert tile_ids((await client.get(f"/albums/{album_id}")).text) == [added_order[1], added_order[0],
                                                                        *added_order[2:]]
    reordered = await client.post(f"/albums/{album_id}/order", data={"photos": f"{alices_photos[3]}"},
                                  headers=csrf(client), follow_redirects=False)
    assert reordered.status_code == 303
    assert tile_ids((await client.get(f"/albums/{album_id}")).text)[0] == alices_photos[3]
    bad = await client.post(f"/albums/{album_id}/sort", data={"sort_order": "random"}, headers=csrf(client))
    assert bad.status_code == 422 and "Choose newest first" in bad.text


async def test_the_photo_page_adds_to_a_new_or_existing_album_and_removes(client: Client, alice: Member,
                                                                          alices_photos: list[int]) -> None:
    photo_id = alices_photos[0]
    await sign_in(client, "alice")
    detail = await client.get(f"/photos/{photo_id}")
    assert Elements(detail.text).all("div", id="photo-albums")
    hx = {**csrf(client), "HX-Request": "true"}
    empty = await client.post(f"/photos/{photo_id}/albums", data={"album": "new", "title": ""}, headers=hx)
    assert empty.status_code == 422 and "1 to 200 characters" in empty.text
    made = await client.post(f"/photos/{photo_id}/albums", data={"album": "new", "title": "Picnic"},
                             headers=hx)
    assert made.status_code == 200 and "Added to Picnic" in made.text
    [listed] = await album_photos.albums_with_photo(alice.user_id, photo_id)
    album_id = listed.id
    assert (listed.title, listed.may_edit, listed.is_cover) == ("Picnic", True, False)
    panel = await client.get(f"/photos/{photo_id}/albums", headers={"HX-Request": "true"})
    assert Elements(panel.text).all("a", href=f"/albums/{album_id}")
    assert not Elements(panel.text).all("option", value=str(album_id))      # it is in there already
    other = await client.get(f"/photos/{alices_photos[1]}/albums", headers={"HX-Request": "true"})
    assert Elements(other.text).all("option", value=str(album_id))
    cover = Elements(panel.text).all("form", action=f"/albums/{album_id}/cover")
    assert cover and Elements(panel.text).all("input", name="back", value=f"/photos/{photo_id}")
    made_cover = await client.post(f"/albums/{album_id}/cover", headers=csrf(client), follow_redirects=False,
                                   data={"photo": str(photo_id), "back": f"/photos/{photo_id}"})
    assert made_cover.status_code == 303 and made_cover.headers["location"] == f"/photos/{photo_id}"
    assert (await album_photos.albums_with_photo(alice.user_id, photo_id))[0].is_cover
    elsewhere = await client.post(f"/albums/{album_id}/cover", headers=csrf(client), follow_redirects=False,
                                  data={"photo": str(photo_id), "back": "//evil.example/"})
    assert elsewhere.headers["location"] == f"/albums/{album_id}"
    plain = await client.post(f"/photos/{alices_photos[1]}/albums", data={"album": str(album_id)},
                              headers=csrf(client), follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == f"/photos/{alices_photos[1]}"
    removed = await client.post(f"/photos/{photo_id}/albums/{album_id}/remove", headers=hx)
    assert removed.status_code == 200 and "In no album yet" in removed.text
    assert (await albums.album_summary(alice.user_id, album_id)).photo_count == 1


async def test_sharing_with_an_unknown_user_says_so_beside_the_form(client: Client, alice: Member) -> None:
    album_id = await albums.create_album(alice.user_id, "Shared")
    await sign_in(client, "alice")
    response = await client.post(f"/albums/{album_id}/members",
                                 data={"username": "nobody", "role": "viewer"},
                                 headers={**csrf(client), "HX-Request": "true"})
    assert response.status_code == 422
    assert "no user named" in response.text and Elements(response.text).all("div", id="album-members")


async def test_the_sidebar_links_to_albums(client: Client, alice: Member) -> None:
    await sign_in(client, "alice")
    assert Elements((await client.get("/photos/")).text).all("a", href="/albums")


async def test_a_long_album_scrolls_on_through_the_grid_fragment(client: Client, alice: Member) -> None:
    many = [await add_photo(alice, n, JULY + timedelta(hours=n)) for n in range(125)]
    album_id = await albums.create_album(alice.user_id, "Long")
    await album_photos.add_photos(alice.user_id, album_id, many)
    await sign_in(client, "alice")
    first = await client.get(f"/albums/{album_id}")
    more = Elements(first.text).all("a", **{"class": "more"})
    assert more and str(more[0]["href"]).startswith(f"/albums/{album_id}?before=")
    rest = await client.get(str(more[0]["href"]), headers={"HX-Request": "true"})
    assert rest.status_code == 200 and "<html" not in rest.text
    assert tile_ids(first.text) + tile_ids(rest.text) == many[::-1]
    assert not Elements(rest.text).all("a", **{"class": "more"})


async def test_the_album_list_reads_every_album_in_one_statement(client: Client, alice: Member,
                                                                 alices_photos: list[int],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(5):
        album_id = await albums.create_album(alice.user_id, f"Album {n}")
        await album_photos.add_photos(alice.user_id, album_id, alices_photos[:n])
    await sign_in(client, "alice")
    engine = Photo._meta.db
    seen: list[str] = []
    monkeypatch.setattr(engine, "log_queries", True)
    # On the class: PostgreSQL's engine takes no attributes of its own (slots).
    monkeypatch.setattr(type(engine), "print_query", lambda _, query_id, query: seen.append(str(query)))
    listed = await client.get("/albums")
    monkeypatch.setattr(engine, "log_queries", False)
    assert listed.status_code == 200 and listed.text.count('class="album-card"') == 5
    album_statements = [sql for sql in seen if "album" in sql]
    assert len(album_statements) == 1, album_statements


async def test_a_photo_opened_from_an_album_leads_back_to_it(client: Client, alice: Member,
                                                             alices_photos: list[int]) -> None:
    album_id = await albums.create_album(alice.user_id, "Way back")
    await album_photos.add_photos(alice.user_id, album_id, alices_photos[:2])
    await sign_in(client, "alice")
    grid = await client.get(f"/albums/{album_id}")
    link = f"/photos/{alices_photos[1]}?album={album_id}"
    assert Elements(grid.text).all("a", href=link)
    detail = await client.get(link)
    assert Elements(detail.text).all("a", href=f"/albums/{album_id}#p{alices_photos[1]}")
    older_in_the_album = f"/photos/{alices_photos[0]}?album={album_id}"
    assert Elements(detail.text).all("a", href=older_in_the_album)
