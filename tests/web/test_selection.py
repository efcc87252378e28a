"""POST /photos/selection/{action}: each action acts only on the viewer's photos, counts the rest, and
answers one sentence (a toast for HTMX, a flash across a 303 otherwise); the grid carries the checks."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from arq import ArqRedis
from litestar import Litestar
from litestar.testing import AsyncTestClient

from photonix.db import accounts, photos, tags
from photonix.db.tables import Album, AlbumMember, AlbumPhoto, Membership, Photo, PhotoFavourite
from photonix.web.selection import MAX_SELECTION
from photonix.web.zip_download import LEFT_OUT
from tests.web.conftest import CSRF_COOKIE, Member, csrf, sign_in
from tests.web.job_records import Document

HTMX = {"HX-Request": "true"}


async def add_photos(member: Member, names: list[str], *, month: str | None = None,
                     folder: Path | None = None) -> list[int]:
    """Photos registered in the member's library, each backed by a real file of its own bytes."""
    where = folder or member.folder
    assert where is not None
    where.mkdir(parents=True, exist_ok=True)
    ids = []
    for name in names:
        path = where / name
        path.write_bytes(f"bytes of {member.user_id}/{where.name}/{name}".encode())
        photo_id, _ = await photos.register(member.library_id, os.urandom(32).hex(), path,
                                            path.stat().st_size)
        ids.append(photo_id)
    if month:
        await Photo.update({Photo.sort_at: datetime.strptime(f"{month}-15", "%Y-%m-%d")}).where(
            Photo.id.is_in(ids))
    return ids


async def post(client: AsyncTestClient[Litestar], action: str, ids: list[int], *, htmx: bool = True,
               **fields: str | list[str]) -> object:
    data: dict[str, str | list[str]] = {"ids": [str(i) for i in ids], **fields}
    headers = {**HTMX, **csrf(client)} if htmx else {}
    if not htmx:
        data["_csrf_token"] = client.cookies[CSRF_COOKIE]
    return await client.post(f"/photos/selection/{action}", data=data, headers=headers,
                             follow_redirects=False)


def toast(html: str) -> str:
    document = Document(html)
    assert document.all("div", id="toasts"), html
    return document.text


async def user_tag_names(photo_id: int) -> set[str]:
    return {tag.name for tag in await tags.tags_of(photo_id) if tag.source == tags.USER_SOURCE}


@pytest.fixture
async def alices(alice: Member) -> list[int]:
    return await add_photos(alice, ["a1.jpg", "a2.jpg", "a3.jpg"])


@pytest.fixture
async def bobs(bob: Member) -> list[int]:
    return await add_photos(bob, ["b1.jpg"])


async def test_add_tag_tags_the_viewers_photos_and_counts_one_outside_the_scope(
        client: AsyncTestClient[Litestar], alices: list[int], bobs: list[int]) -> None:
    await sign_in(client, "alice")
    response = await post(client, "add-tag", [alices[0], alices[1], bobs[0]], tag="  Paris ")
    assert response.status_code == 200, response.text
    assert "Tagged 2 photos “Paris”; 1 was not yours to change." in toast(response.text)
    assert await user_tag_names(alices[0]) == {"Paris"} == await user_tag_names(alices[1])
    assert await user_tag_names(alices[2]) == set()
    assert await user_tag_names(bobs[0]) == set()


async def test_a_plain_form_returns_to_the_grid_with_the_sentence_as_a_flash(
        client: AsyncTestClient[Litestar], alices: list[int], bobs: list[int]) -> None:
    await sign_in(client, "alice")
    response = await post(client, "add-tag", alices + bobs, htmx=False, tag="Lyon", next="/photos/?q=x")
    assert response.status_code == 303
    assert response.headers["location"] == "/photos/?q=x"
    grid = await client.get("/photos/")
    assert "Tagged 3 photos “Lyon”; 1 was not yours to change." in Document(grid.text).text


async def test_a_plain_form_never_returns_to_another_site(
        client: AsyncTestClient[Litestar], alices: list[int]) -> None:
    await sign_in(client, "alice")
    response = await post(client, "add-tag", alices, htmx=False, tag="Lyon", next="//evil.example/")
    assert response.headers["location"] == "/photos/"


async def test_remove_tag_removes_only_the_viewers_own_tag_of_that_name(
        client: AsyncTestClient[Litestar], alices: list[int], bobs: list[int]) -> None:
    for photo_id in (*alices, *bobs):
        await tags.add_user_tag(photo_id, "Paris")
    await sign_in(client, "alice")
    response = await post(client, "remove-tag", [alices[0], alices[1], bobs[0]], tag="paris")
    assert "Removed “paris” from 2 photos; 1 was not yours to change." in toast(response.text)
    assert await user_tag_names(alices[0]) == set() == await user_tag_names(alices[1])
    assert await user_tag_names(alices[2]) == {"Paris"} == await user_tag_names(bobs[0])


async def test_rate_rates_in_scope_and_a_bad_rating_is_422_with_its_message(
        client: AsyncTestClient[Litestar], alices: list[int], bobs: list[int]) -> None:
    await sign_in(client, "alice")
    response = await post(client, "rate", [alices[0], bobs[0]], rating="4")
    assert "Rated 1 photo ★★★★; 1 was not yours to change." in toast(response.text)
    swapped = Document(response.text).all("span", id=f"stars-{alices[0]}")     # the tile's ★ in place
    assert [(span["hx-swap-oob"], "hidden" in span) for span in swapped] == [("true", False)]
    assert not Document(response.text).all("span", id=f"stars-{bobs[0]}")
    ratings = {row["id"]: row["rating"] for row in await Photo.select(Photo.id, Photo.rating)}
    assert ratings == {alices[0]: 4, alices[1]: 0, alices[2]: 0, bobs[0]: 0}

    refused = await post(client, "rate", [alices[1]], rating="7")
    assert refused.status_code == 422
    assert "A rating is 0 to 5 stars." in toast(refused.text)
    plain = await post(client, "rate", [alices[1]], htmx=False, rating="seven")
    assert plain.status_code == 422
    assert "A rating is 0 to 5 stars." in Document(plain.text).text
    assert await Photo.select(Photo.rating).where(Photo.id == alices[1]).first() == {"rating": 0}


async def test_reprocess_is_for_owners_a_member_gets_403_and_nothing_is_queued(
        client: AsyncTestClient[Litestar], alice: Member, alices: list[int], bobs: list[int]) -> None:
    carol = await accounts.create_user("carol", "correct horse battery")
    await Membership.insert(Membership(user=carol, library=alice.library_id, role="member"))
    await sign_in(client, "carol")
    refused = await post(client, "reprocess", alices[:2])
    assert refused.status_code == 403
    assert "owners" in toast(refused.text)
    versions = {row["id"]: row["version"] for row in await Photo.select(Photo.id, Photo.version)}
    assert set(versions.values()) == {1}


async def test_reprocess_bumps_the_owners_photos_only(
        client: AsyncTestClient[Litestar], alices: list[int], bobs: list[int], redis: ArqRedis) -> None:
    await sign_in(client, "alice")
    response = await post(client, "reprocess", [alices[0], bobs[0]])
    assert "Reprocessing 1 photo; 1 was not yours to change." in toast(response.text)
    versions = {row["id"]: row["version"] for row in await Photo.select(Photo.id, Photo.version)}
    assert versions == {alices[0]: 2, alices[1]: 1, alices[2]: 1, bobs[0]: 1}
    assert await redis.exists(f"arq:job:extract_metadata:{alices[0]}:2")
    assert not await redis.exists(f"arq:job:extract_metadata:{bobs[0]}:2")


async def test_only_ids_outside_the_scope_answer_404_and_change_nothing(
        client: AsyncTestClient[Litestar], alices: list[int], bobs: list[int]) -> None:
    await sign_in(client, "alice")
    response = await post(client, "add-tag", [bobs[0], 2**31 - 1], tag="Paris")
    assert response.status_code == 404
    assert "None of these photos are here." in toast(response.text)
    plain = await post(client, "rate", bobs, htmx=False, rating="3")
    assert plain.status_code == 404
    assert await user_tag_names(bobs[0]) == set()
    assert await Photo.select(Photo.rating).where(Photo.id == bobs[0]).first() == {"rating": 0}


async def test_an_unknown_action_is_404_and_a_bad_id_or_no_id_is_422(
        client: AsyncTestClient[Litestar], alices: list[int]) -> None:
    await sign_in(client, "alice")
    assert (await post(client, "explode", alices)).status_code == 404
    bad = await client.post("/photos/selection/add-tag", data={"ids": ["1", "x"], "tag": "a"},
                            headers={**HTMX, **csrf(client)})
    assert bad.status_code == 422
    assert "not a number" in toast(bad.text)
    none = await post(client, "add-tag", [], tag="a")
    assert none.status_code == 422
    assert "Select at least one photo." in toast(none.text)


async def test_a_selection_needs_the_csrf_token_and_a_session(
        client: AsyncTestClient[Litestar], app: Litestar, alices: list[int]) -> None:
    await sign_in(client, "alice")
    forged = await client.post("/photos/selection/add-tag", data={"ids": [str(alices[0])], "tag": "x"},
                               headers=HTMX)
    assert forged.status_code == 403
    assert await user_tag_names(alices[0]) == set()
    async with AsyncTestClient(app=app) as stranger:
        await stranger.get("/login")
        response = await stranger.post("/photos/selection/add-tag", follow_redirects=False,
                                       data={"ids": [str(alices[0])], "tag": "x"}, headers=csrf(stranger))
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")
    assert await user_tag_names(alices[0]) == set()


async def test_more_ids_than_the_cap_answer_413_before_anything_is_done(
        client: AsyncTestClient[Litestar], alices: list[int]) -> None:
    await sign_in(client, "alice")
    too_many = [*alices, *range(10_000, 10_000 + MAX_SELECTION)]
    response = await post(client, "add-tag", too_many, tag="Paris")
    assert response.status_code == 413
    assert f"Select at most {MAX_SELECTION:,} photos at once" in toast(response.text)
    assert await user_tag_names(alices[0]) == set()


async def test_a_month_expands_to_the_viewers_photos_of_that_month_in_the_list_they_were_looking_at(
        client: AsyncTestClient[Litestar], alice: Member, bob: Member) -> None:
    july = await add_photos(alice, ["j1.jpg", "j2.jpg", "j3.jpg", "archived.jpg"], month="2021-07")
    june = await add_photos(alice, ["june.jpg"], month="2021-06")
    bobs_july = await add_photos(bob, ["bj.jpg"], month="2021-07")
    await Photo.update({Photo.archived_at: datetime(2026, 1, 1, tzinfo=UTC)}).where(Photo.id == july[3])
    await tags.add_user_tag(july[0], "beach")
    await tags.add_user_tag(july[1], "Beach")
    await sign_in(client, "alice")

    narrowed = await post(client, "rate", [], months="2021-07", in_tag="beach", rating="5")
    assert "Rated 2 photos ★★★★★." in toast(narrowed.text)
    whole = await post(client, "add-tag", [june[0]], months="2021-07", tag="summer")
    assert "Tagged 4 photos “summer”." in toast(whole.text)          # the main grid: not the archived one
    assert all([await user_tag_names(i) >= {"summer"} for i in (*july[:3], *june)])
    assert await user_tag_names(july[3]) == set() == await user_tag_names(bobs_july[0])
    archive = await post(client, "add-tag", [], months="2021-07", in_archived="1", tag="kept")
    assert "Tagged 1 photo “kept”." in toast(archive.text)
    assert await user_tag_names(july[3]) == {"kept"}
    ratings = {row["id"]: row["rating"] for row in await Photo.select(Photo.id, Photo.rating)}
    assert ratings == {july[0]: 5, july[1]: 5, july[2]: 0, july[3]: 0, june[0]: 0, bobs_july[0]: 0}
    assert (await post(client, "rate", [], months="July", rating="1")).status_code == 422
    assert (await post(client, "rate", [], months="2021-07", in_rating="9", rating="1")).status_code == 422


async def test_a_viewer_through_an_album_may_download_but_not_change_the_photos(
        client: AsyncTestClient[Litestar], alice: Member, bob: Member, alices: list[int]) -> None:
    album = await Album.insert(Album(owner=alice.user_id, title="Trip", created_at=datetime.now(UTC),
                                     updated_at=datetime.now(UTC))).returning(Album.id)
    album_id = album[0]["id"]
    await AlbumPhoto.insert(AlbumPhoto(album=album_id, photo=alices[0], added_at=datetime.now(UTC)))
    await AlbumMember.insert(AlbumMember(album=album_id, user=bob.user_id, role="viewer"))
    await sign_in(client, "bob")
    refused = await post(client, "add-tag", [alices[0], alices[1]], tag="mine")
    assert refused.status_code == 403
    assert await user_tag_names(alices[0]) == set()
    download = await post(client, "download", [alices[0], alices[1]], htmx=False)
    assert download.status_code == 200
    assert download.headers["x-photonix-not-yours"] == "1"
    assert [info.filename for info in zipfile.ZipFile(io.BytesIO(download.content)).infolist()] == ["a1.jpg"]


async def test_the_zip_holds_exactly_the_permitted_originals_and_no_file_a_link_leads_to(
        client: AsyncTestClient[Litestar], alice: Member, bob: Member, tmp_path: Path) -> None:
    assert alice.folder is not None
    mine = await add_photos(alice, ["IMG_1.JPG", "other.jpg"])
    same_name = await add_photos(alice, ["IMG_1.JPG"], folder=alice.folder / "2021")
    secret = tmp_path / "outside" / "secret.jpg"
    secret.parent.mkdir()
    secret.write_bytes(b"not for the zip")
    link = alice.folder / "link.jpg"
    link.symlink_to(secret)
    linked, _ = await photos.register(alice.library_id, "e" * 64, link, 10)
    bobs = await add_photos(bob, ["b.jpg"])
    await sign_in(client, "alice")

    response = await post(client, "download", [*mine, *same_name, linked, *bobs], htmx=False)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["x-photonix-not-yours"] == "1"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    contents = {info.filename: archive.read(info) for info in archive.infolist()}
    assert set(contents) == {"IMG_1.JPG", "IMG_1 (2).JPG", "other.jpg", LEFT_OUT}
    originals = {(alice.folder / name).read_bytes() for name in ("IMG_1.JPG", "2021/IMG_1.JPG", "other.jpg")}
    assert {contents["IMG_1.JPG"], contents["IMG_1 (2).JPG"], contents["other.jpg"]} == originals
    assert b"not for the zip" not in response.content
    assert b"link.jpg" in contents[LEFT_OUT]
    assert (bob.folder / "b.jpg").read_bytes() not in response.content      # type: ignore[operator]


async def test_the_grid_carries_a_check_per_tile_a_month_check_and_the_bar(
        client: AsyncTestClient[Litestar], alice: Member) -> None:
    ids = await add_photos(alice, ["g1.jpg", "g2.jpg"], month="2020-02")
    await sign_in(client, "alice")
    document = Document((await client.get("/photos/")).text)
    checks = document.has_class("input", "tile-check")
    assert sorted(int(check["value"]) for check in checks) == sorted(ids)
    assert all(check["form"] == "selection" and check["name"] == "ids" for check in checks)
    months = document.has_class("input", "month-check")
    assert [(m["value"], m["data-count"], m["form"]) for m in months] == [("2020-02", "2", "selection")]
    bar = document.all("form", id="selection")
    assert bar and bar[0]["method"] == "post"
    actions = {button["formaction"] for button in document.all("button") if "formaction" in button}
    assert {"/photos/selection/add-tag", "/photos/selection/remove-tag", "/photos/selection/rate",
            "/photos/selection/download", "/photos/selection/reprocess"} <= actions
    assert document.all("input", name="_csrf_token")


async def test_favourite_archive_trash_and_restore_act_on_the_viewers_photos_and_leave_the_list(
        client: AsyncTestClient[Litestar], alices: list[int], bobs: list[int]) -> None:
    await sign_in(client, "alice")
    loved = await post(client, "favourite", [alices[0], bobs[0]])
    assert "Added 1 photo to your favourites; 1 was not yours to change." in toast(loved.text)
    hearts = Document(loved.text).all("span", id=f"fav-tile-{alices[0]}")
    assert [(heart["hx-swap-oob"], heart["data-favourite"]) for heart in hearts] == [("true", "true")]

    archived = await post(client, "archive", [alices[1]])
    assert "Archived 1 photo." in toast(archived.text)
    assert Document(archived.text).all("div", id=f"tile-{alices[1]}", **{"hx-swap-oob": "delete"})
    trashed = await post(client, "trash", [alices[2], bobs[0]])
    assert "Moved 1 photo to the trash; 1 was not yours to change." in toast(trashed.text)

    loved_ids = {row["photo"] for row in await PhotoFavourite.select(PhotoFavourite.photo)}   # Alice's only
    states = {row["id"]: (row["id"] in loved_ids, row["archived_at"] is not None,
                          row["trashed_at"] is not None)
              for row in await Photo.select(Photo.id, Photo.archived_at, Photo.trashed_at)}
    assert states == {alices[0]: (True, False, False), alices[1]: (False, True, False),
                      alices[2]: (False, False, True), bobs[0]: (False, False, False)}

    restored = await post(client, "restore", [alices[2]], in_trashed="1")        # from the trash view
    assert "Restored 1 photo from the trash." in toast(restored.text)
    assert Document(restored.text).all("div", id=f"tile-{alices[2]}", **{"hx-swap-oob": "delete"})
    kept = await post(client, "unarchive", [alices[1]])                         # from the main grid
    assert "Took 1 photo out of the archive." in toast(kept.text)
    assert not Document(kept.text).all("div", id=f"tile-{alices[1]}")
    assert await Photo.count().where(Photo.trashed_at.is_null() & Photo.archived_at.is_null()) == 4


async def test_add_to_a_new_or_an_existing_album_only_the_viewers_photos(
        client: AsyncTestClient[Litestar], alice: Member, bob: Member, alices: list[int],
        bobs: list[int]) -> None:
    await Photo.update({Photo.trashed_at: datetime.now(UTC)}).where(Photo.id == alices[2])
    await sign_in(client, "alice")
    created = await post(client, "add-to-album", [*alices, *bobs], new_album="  Paris  ", to_album="")
    assert "Added 2 photos to “Paris”; 2 were not yours to change." in toast(created.text)
    [paris] = await Album.select(Album.id, Album.owner).where(Album.title == "Paris")
    assert paris["owner"] == alice.user_id
    in_album = await AlbumPhoto.select(AlbumPhoto.photo).where(AlbumPhoto.album == paris["id"])
    assert sorted(row["photo"] for row in in_album) == alices[:2]

    again = await post(client, "add-to-album", [alices[0]], to_album=str(paris["id"]))
    assert "Added 1 photo to “Paris”." in toast(again.text)
    bobs_album = await Album.insert(Album(owner=bob.user_id, title="Bob's", created_at=datetime.now(UTC),
                                          updated_at=datetime.now(UTC))).returning(Album.id)
    refused = await post(client, "add-to-album", [alices[0]], to_album=str(bobs_album[0]["id"]))
    assert refused.status_code == 404
    assert not await AlbumPhoto.exists().where(AlbumPhoto.album == bobs_album[0]["id"])
    neither = await post(client, "add-to-album", [alices[0]])
    assert neither.status_code == 422
    assert "Choose an album" in toast(neither.text)


async def test_an_album_page_selects_too_and_its_months_expand_within_the_album(
        client: AsyncTestClient[Litestar], alice: Member) -> None:
    july = await add_photos(alice, ["in.jpg", "out.jpg"], month="2021-07")
    album = await Album.insert(Album(owner=alice.user_id, title="Trip", created_at=datetime.now(UTC),
                                     updated_at=datetime.now(UTC))).returning(Album.id)
    album_id = album[0]["id"]
    await AlbumPhoto.insert(AlbumPhoto(album=album_id, photo=july[0], added_at=datetime.now(UTC)))
    await sign_in(client, "alice")
    document = Document((await client.get(f"/albums/{album_id}")).text)
    assert [int(check["value"]) for check in document.has_class("input", "tile-check")] == [july[0]]
    assert document.all("input", name="in_album", value=str(album_id))
    assert document.all("form", id="selection")

    response = await post(client, "add-tag", [], months="2021-07", in_album=str(album_id), tag="trip")
    assert "Tagged 1 photo “trip”." in toast(response.text)
    assert await user_tag_names(july[0]) == {"trip"}
    assert await user_tag_names(july[1]) == set()


async def test_share_opens_the_share_form_for_the_viewers_selected_photos(
        client: AsyncTestClient[Litestar], alices: list[int], bobs: list[int]) -> None:
    await sign_in(client, "alice")
    grid = Document((await client.get("/photos/")).text)
    assert [b["formaction"] for b in grid.all("button") if b.get("formaction") == "/shares/new"]
    # What the bar's plain Share… button sends: every field of the form, to the shares slice's form.
    response = await client.post("/shares/new", data={
        "ids": [str(alices[0]), str(alices[1]), str(bobs[0])], "tag": "", "rating": "0", "in_tag": "x",
        "to_album": "1", "new_album": "", "months": [], "next": "/photos/",
        "_csrf_token": client.cookies[CSRF_COOKIE]})
    assert response.status_code == 200
    form = Document(response.text)
    assert sorted(int(field["value"]) for field in form.all("input", name="ids")) == alices[:2]
    assert "Share 2 photos" in form.text
