"""Favourite, archive, trash and restore by route: HTMX gets the fragment, a plain form a 303, and a photo
the viewer may not change answers 404 and stays as it was."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from photonix.db import accounts, photos
from photonix.db.tables import Album, AlbumMember, AlbumPhoto, Photo
from tests.web.conftest import CSRF_COOKIE, Member, csrf, sign_in
from tests.web.test_pages import Elements

HTMX = {"HX-Request": "true"}
ACTIONS = ("favourite", "unfavourite", "archive", "unarchive", "trash", "restore")


async def _photo(member: Member, name: str) -> int:
    photo_id, _ = await photos.register(member.library_id, name * 32, Path(f"/nowhere/{name}.jpg"), 1)
    return photo_id


async def _state(photo_id: int) -> tuple[bool, bool, bool]:
    """(favourite, archived, trashed)"""
    row = await Photo.select(Photo.favourite, Photo.archived_at, Photo.trashed_at).where(
        Photo.id == photo_id).first()
    assert row is not None
    return row["favourite"], row["archived_at"] is not None, row["trashed_at"] is not None


@pytest.fixture
async def signed_in(client, alice: Member) -> int:
    await sign_in(client, "alice")
    return await _photo(alice, "a")


async def test_the_heart_favourites_and_answers_itself_pressed(client, signed_in) -> None:
    response = await client.post(f"/photos/{signed_in}/favourite", headers={**csrf(client), **HTMX})
    assert response.status_code == 200
    html = Elements(response.text)
    [heart] = html.all("button", **{"data-key": "f"})
    assert heart["aria-pressed"] == "true"
    assert html.all("form", action=f"/photos/{signed_in}/unfavourite")
    # the tile's mark, swapped out of band when the tile is on the page
    assert html.all("span", id=f"fav-tile-{signed_in}", **{"data-favourite": "true", "hx-swap-oob": "true"})
    assert await _state(signed_in) == (True, False, False)

    again = await client.post(f"/photos/{signed_in}/unfavourite", headers={**csrf(client), **HTMX})
    assert Elements(again.text).all("button", **{"data-key": "f", "aria-pressed": "false"})
    assert await _state(signed_in) == (False, False, False)


async def test_archive_trash_and_restore_swap_the_actions(client, signed_in) -> None:
    archived = await client.post(f"/photos/{signed_in}/archive", headers={**csrf(client), **HTMX})
    assert Elements(archived.text).all("form", action=f"/photos/{signed_in}/unarchive")
    assert await _state(signed_in) == (False, True, False)
    trashed = await client.post(f"/photos/{signed_in}/trash", headers={**csrf(client), **HTMX})
    html = Elements(trashed.text)
    assert html.all("form", action=f"/photos/{signed_in}/restore")
    assert not html.all("form", action=f"/photos/{signed_in}/trash")
    assert await _state(signed_in) == (False, True, True)
    restored = await client.post(f"/photos/{signed_in}/restore", headers={**csrf(client), **HTMX})
    assert Elements(restored.text).all("button", **{"data-key": "Delete"})
    assert await _state(signed_in) == (False, True, False)


async def test_a_plain_form_is_answered_by_a_redirect_with_a_flash(client, signed_in) -> None:
    token = {"_csrf_token": client.cookies[CSRF_COOKIE]}
    response = await client.post(f"/photos/{signed_in}/trash", data=token, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/photos/{signed_in}"
    page = await client.get(f"/photos/{signed_in}")
    assert "Moved to the trash" in page.text
    assert Elements(page.text).all("form", action=f"/photos/{signed_in}/restore")

    from_a_view = await client.post(f"/photos/{signed_in}/restore", follow_redirects=False,
                                    data={**token, "next": "/photos/trash"})
    assert from_a_view.headers["location"] == "/photos/trash"
    elsewhere = await client.post(f"/photos/{signed_in}/archive", follow_redirects=False,
                                  data={**token, "next": "https://example.org/photos"})
    assert elsewhere.headers["location"] == f"/photos/{signed_in}"


async def test_the_detail_page_has_the_heart_and_the_trash_on_their_keys(client, signed_in) -> None:
    html = Elements((await client.get(f"/photos/{signed_in}")).text)
    assert html.all("button", **{"data-key": "f", "aria-keyshortcuts": "f", "aria-pressed": "false"})
    assert html.all("button", **{"data-key": "Delete", "aria-keyshortcuts": "Delete"})
    assert html.all("form", action=f"/photos/{signed_in}/archive")


@pytest.mark.parametrize("action", ACTIONS)
async def test_a_photo_of_another_library_answers_404_and_is_untouched(client, signed_in, bob: Member,
                                                                       action: str) -> None:
    theirs = await _photo(bob, "b")
    await Photo.update({Photo.favourite: True}).where(Photo.id == theirs)   # so "un-" acts would show
    before = await _state(theirs)
    response = await client.post(f"/photos/{theirs}/{action}", headers={**csrf(client), **HTMX})
    assert response.status_code == 404
    missing = await client.post(f"/photos/{theirs + 1000}/{action}", headers={**csrf(client), **HTMX})
    assert missing.status_code == 404
    assert await _state(theirs) == before


@pytest.mark.parametrize("action", ACTIONS)
async def test_without_the_csrf_token_nothing_changes(client, signed_in, action: str) -> None:
    response = await client.post(f"/photos/{signed_in}/{action}", headers=HTMX)
    assert response.status_code == 403
    assert await _state(signed_in) == (False, False, False)


def _tile_ids(html: str) -> set[str]:
    return {str(a["id"]) for a in Elements(html).all("a") if (a.get("class") or "").startswith("tile")}


async def test_archived_and_trashed_photos_leave_the_main_grid_for_their_views(client, alice: Member,
                                                                               signed_in) -> None:
    archived, trashed = signed_in, await _photo(alice, "t")
    kept = await _photo(alice, "k")
    for photo_id, action in ((archived, "archive"), (trashed, "trash")):
        response = await client.post(f"/photos/{photo_id}/{action}", headers={**csrf(client), **HTMX})
        assert response.status_code == 200
    assert _tile_ids((await client.get("/photos/")).text) == {f"p{kept}"}
    assert _tile_ids((await client.get("/photos/archive")).text) == {f"p{archived}"}
    assert _tile_ids((await client.get("/photos/trash")).text) == {f"p{trashed}"}
    await client.post(f"/photos/{trashed}/restore", headers={**csrf(client), **HTMX})
    await client.post(f"/photos/{archived}/unarchive", headers={**csrf(client), **HTMX})
    assert _tile_ids((await client.get("/photos/")).text) == {f"p{p}" for p in (archived, trashed, kept)}
    assert _tile_ids((await client.get("/photos/trash")).text) == set()


async def test_a_favourite_is_marked_on_its_tile_and_listed_in_favourites(client, alice: Member,
                                                                          signed_in) -> None:
    other = await _photo(alice, "o")
    await client.post(f"/photos/{signed_in}/favourite", headers={**csrf(client), **HTMX})
    grid = Elements((await client.get("/photos/")).text)
    assert grid.all("span", id=f"fav-tile-{signed_in}", **{"data-favourite": "true"})
    assert grid.all("span", id=f"fav-tile-{other}", **{"data-favourite": "false"})
    assert _tile_ids((await client.get("/photos/favourites")).text) == {f"p{signed_in}"}


@pytest.mark.parametrize("action", ACTIONS)
async def test_a_viewer_of_a_shared_album_gets_403_and_no_buttons(client, alice: Member, bob: Member,
                                                                  action: str) -> None:
    photo_id = await _photo(alice, "a")
    now = datetime.now(UTC)
    album = (await Album.insert(Album(owner=alice.user_id, title="Trip", created_at=now, updated_at=now))
             .returning(Album.id))[0]["id"]
    await AlbumPhoto.insert(AlbumPhoto(album=album, photo=photo_id, added_at=now))
    await AlbumMember.insert(AlbumMember(album=album, user=bob.user_id, role="viewer"))
    await sign_in(client, "bob")
    page = await client.get(f"/photos/{photo_id}")
    assert page.status_code == 200
    html = Elements(page.text)
    assert not html.all("button", **{"data-key": "f"})
    assert not html.all("form", action=f"/photos/{photo_id}/trash")
    response = await client.post(f"/photos/{photo_id}/{action}", headers={**csrf(client), **HTMX})
    assert response.status_code == 403
    assert await _state(photo_id) == (False, False, False)


async def test_restore_all_from_the_trash_view_restores_only_the_viewers_photos(client, bob: Member,
                                                                               signed_in) -> None:
    theirs = await _photo(bob, "b")
    await Photo.update({Photo.trashed_at: datetime.now(UTC)}).where(Photo.id.is_in([signed_in, theirs]))
    trash_view = Elements((await client.get("/photos/trash")).text)
    assert trash_view.all("form", action="/photos/trash/restore-all")
    assert trash_view.all("form", action="/photos/trash/empty")          # Alice owns her library
    response = await client.post("/photos/trash/restore-all", follow_redirects=False,
                                 data={"_csrf_token": client.cookies[CSRF_COOKIE]})
    assert response.status_code == 303 and response.headers["location"] == "/photos/trash"
    assert "Restored 1 photo from the trash." in (await client.get("/photos/trash")).text
    assert await _state(signed_in) == (False, False, False)
    assert await _state(theirs) == (False, False, True)


async def test_empty_trash_in_the_view_is_for_owners_and_purges_their_libraries_only(
        client, alice: Member, bob: Member, signed_in, worker) -> None:
    theirs = await _photo(bob, "b")
    await Photo.update({Photo.trashed_at: datetime.now(UTC)}).where(Photo.id.is_in([signed_in, theirs]))
    unconfirmed = await client.post("/photos/trash/empty", headers=csrf(client), follow_redirects=False)
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.text
    confirmed = await client.post("/photos/trash/empty", follow_redirects=False,
                                  data={"confirm": "yes", "_csrf_token": client.cookies[CSRF_COOKIE]})
    assert confirmed.status_code == 303
    await worker().main()
    assert {row["id"] for row in await Photo.select(Photo.id)} == {theirs}


async def test_a_member_who_owns_no_library_may_not_empty_the_trash(client, alice: Member) -> None:
    carol = await accounts.create_user("carol", "correct horse battery")
    await accounts.add_member(alice.library_id, carol, role="member")
    photo_id = await _photo(alice, "a")
    await Photo.update({Photo.trashed_at: datetime.now(UTC)}).where(Photo.id == photo_id)
    await sign_in(client, "carol")
    assert not Elements((await client.get("/photos/trash")).text).all("form", action="/photos/trash/empty")
    refused = await client.post("/photos/trash/empty", data={"confirm": "yes"}, headers=csrf(client))
    assert refused.status_code == 403
    assert await _state(photo_id) == (False, False, True)
