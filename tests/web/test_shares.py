"""Share links from the owner's side (/shares: make, list, edit, revoke) and what a stranger then sees."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta

from photonix.db import share_links
from photonix.db.tables import Album, AlbumMember, AlbumPhoto, Photo, ShareLink
from tests.photo_rows import add_photo
from tests.web.conftest import CSRF_COOKIE, make_member, sign_in
from tests.web.shares_helpers import PHOTOS, Elements, import_photos, make_link, sign_out


async def test_a_photo_link_opens_for_a_stranger_showing_that_photo_only(client, alice, redis,
        worker) -> None:
    first, second, _ = await import_photos(redis, alice, worker)
    await sign_in(client, "alice")
    form = await client.get(f"/shares/new?photo={first}")
    assert form.status_code == 200 and "Share a photo" in form.text
    link = await make_link(client, alice, photos=[first])
    assert len(link.token) >= 32 and link.kind == "photo"
    assert link.expires_at is not None and link.expires_at - datetime.now(UTC) > timedelta(days=29)
    listing = await client.get("/shares/")
    assert f"/s/{link.token}" in listing.text and "A photo" in listing.text

    sign_out(client)
    page = await client.get(f"/s/{link.token}")
    assert page.status_code == 200
    sources = Elements(page.text).sources()
    assert f"/s/{link.token}/photos/{first}/thumbnail/large" in sources
    assert not any(f"/{second}/" in src for src in sources)
    assert "alice" not in page.text.lower()         # neither the owner nor "alice's library"
    elements = Elements(page.text)
    assert elements.meta("og:title") == "A shared photo"
    assert elements.meta("og:image") == f"http://testserver.local/s/{link.token}/photos/{first}/thumbnail/medium"
    assert {"name": "robots", "content": "noindex, nofollow"} in elements.all("meta")
    assert (await client.get(f"/s/{link.token}/photos/{first}/thumbnail/large")).status_code == 200
    assert (await client.get(f"/s/{link.token}/photos/{second}/thumbnail/large")).status_code == 404


async def test_a_selection_post_opens_the_form_and_leaves_out_photos_the_owner_cannot_see(
        client, alice, bob, redis, worker) -> None:
    mine = await import_photos(redis, alice, worker, count=2)
    bobs = await import_photos(redis, bob, worker, count=1)
    await sign_in(client, "alice")
    ids = [*mine, *bobs]
    opened = await client.post("/shares/new", data={"_csrf_token": client.cookies[CSRF_COOKIE],
                                                    "ids": [str(i) for i in ids]})
    assert opened.status_code == 200 and "Share 2 photos" in opened.text
    assert await ShareLink.count() == 0             # only the form: nothing shared yet
    made = await client.post("/shares/new", data={"create": "1", "_csrf_token": client.cookies[CSRF_COOKIE],
                                                  "ids": [str(i) for i in ids]})
    assert made.status_code == 200 and "1 photo you cannot share" in made.text
    link = (await share_links.links_of(alice.user_id))[0]
    assert link.photo_count == 2 and link.kind == "selection"


async def test_sharing_a_whole_month_from_the_bar_takes_all_its_photos_not_only_the_loaded_ones(
        client, alice) -> None:
    # "Select this month" sends months=YYYY-MM (its tiles may not be loaded yet); the form lists them all,
    # within the list the selection was made in (here: the main grid, so the archived one stays out).
    july = [await add_photo(alice.library_id, datetime(2021, 7, day, 12)) for day in (1, 15, 31)]
    await add_photo(alice.library_id, datetime(2021, 7, 20, 12), archived_at=datetime.now(UTC))
    august = await add_photo(alice.library_id, datetime(2021, 8, 1, 12))
    await sign_in(client, "alice")
    token = client.cookies[CSRF_COOKIE]
    opened = await client.post("/shares/new", data={"_csrf_token": token, "months": "2021-07",
                                                    "ids": [str(august)]})
    assert opened.status_code == 200 and "Share 4 photos" in opened.text
    listed = {int(str(field["value"])) for field in Elements(opened.text).all("input", name="ids")}
    assert listed == {*july, august}
    not_a_month = await client.post("/shares/new", data={"_csrf_token": token, "months": "July"})
    assert not_a_month.status_code == 400


async def test_a_custom_slug_must_be_well_formed_free_and_not_reserved(client, alice, bob, redis,
        worker) -> None:
    photo, *_ = await import_photos(redis, alice, worker, count=1)
    await sign_in(client, "alice")
    base = {"create": "1", "ids": str(photo)}
    for slug, message in (("Bad Slug!", "3 to 64 characters"), ("ab", "3 to 64 characters"),
                          ("shares", "is reserved")):
        response = await client.post("/shares/new", data={**base, "slug": slug,
                                                          "_csrf_token": client.cookies[CSRF_COOKIE]})
        assert response.status_code == 422 and message in response.text, slug
    link = await make_link(client, alice, photos=[photo], slug="summer-2024")
    assert link.token == "summer-2024"
    taken = await client.post("/shares/new", data={**base, "slug": "summer-2024",
                                                   "_csrf_token": client.cookies[CSRF_COOKIE]})
    assert taken.status_code == 422 and "is taken" in taken.text
    assert (await client.get("/s/summer-2024")).status_code == 200


async def test_never_expiring_is_a_choice_and_options_can_be_edited_later(client, alice, redis,
        worker) -> None:
    photo, *_ = await import_photos(redis, alice, worker, count=1)
    await sign_in(client, "alice")
    link = await make_link(client, alice, photos=[photo], expiry="never")
    assert link.expires_at is None
    edited = await client.post(f"/shares/{link.id}", follow_redirects=False, data={
        "_csrf_token": client.cookies[CSRF_COOKIE], "expiry": "7d", "title": "Our trip",
        "download": "display", "show_metadata": "on", "max_views": "3", "password": "open sesame"})
    assert edited.status_code == 303
    changed = await share_links.link_of(alice.user_id, link.id)
    assert changed is not None
    assert changed.title == "Our trip" and changed.download == "display" and changed.show_metadata
    assert not changed.show_location and changed.max_views == 3 and changed.has_password
    assert changed.expires_at is not None and changed.expires_at - datetime.now(UTC) < timedelta(days=8)
    kept = await client.post(f"/shares/{link.id}", follow_redirects=False, data={
        "_csrf_token": client.cookies[CSRF_COOKIE], "expiry": "keep", "download": "display"})
    assert kept.status_code == 303
    again = await share_links.link_of(alice.user_id, link.id)
    assert again is not None and again.expires_at == changed.expires_at and again.has_password
    bad = await client.post(f"/shares/{link.id}", data={"_csrf_token": client.cookies[CSRF_COOKIE],
                                                       "max_views": "lots"})
    assert bad.status_code == 422 and "view limit" in bad.text


async def test_only_the_owner_sees_edits_or_revokes_a_link(client, alice, bob, redis, worker) -> None:
    photo, *_ = await import_photos(redis, alice, worker, count=1)
    await sign_in(client, "alice")
    link = await make_link(client, alice, photos=[photo])
    await sign_in(client, "bob")
    token = client.cookies[CSRF_COOKIE]
    assert (await client.get(f"/shares/{link.id}")).status_code == 404
    edited = await client.post(f"/shares/{link.id}", data={"_csrf_token": token, "title": "x"})
    assert edited.status_code == 404
    assert (await client.post(f"/shares/{link.id}/revoke", data={"_csrf_token": token})).status_code == 404
    assert link.id not in {other.id for other in await share_links.links_of(bob.user_id)}
    assert (await client.get(f"/shares/new?photo={photo}")).status_code == 404


async def test_revoking_kills_the_link_with_a_410(client, alice, redis, worker) -> None:
    photo, *_ = await import_photos(redis, alice, worker, count=1)
    await sign_in(client, "alice")
    link = await make_link(client, alice, photos=[photo])
    revoked = await client.post(f"/shares/{link.id}/revoke", follow_redirects=False,
                                data={"_csrf_token": client.cookies[CSRF_COOKIE]})
    assert revoked.status_code == 303
    assert "revoked" in (await client.get("/shares/")).text
    sign_out(client)
    page = await client.get(f"/s/{link.token}")
    assert page.status_code == 410 and "turned off" in page.text
    assert (await client.get(f"/s/{link.token}/photos/{photo}/thumbnail/large")).status_code == 410


async def test_an_expired_link_answers_410_and_an_unknown_one_404(client, alice, redis, worker) -> None:
    photo, *_ = await import_photos(redis, alice, worker, count=1)
    await sign_in(client, "alice")
    link = await make_link(client, alice, photos=[photo])
    await ShareLink.update({ShareLink.expires_at: datetime.now(UTC) - timedelta(minutes=1)}).where(
        ShareLink.id == link.id)
    sign_out(client)
    page = await client.get(f"/s/{link.token}")
    assert page.status_code == 410 and "expired" in page.text
    unknown = await client.get("/s/" + "x" * 32)
    assert unknown.status_code == 404 and "exist" in unknown.text


async def test_a_link_with_a_view_limit_is_used_up_after_that_many_visits(client, alice, redis,
        worker) -> None:
    photo, *_ = await import_photos(redis, alice, worker, count=1)
    await sign_in(client, "alice")
    link = await make_link(client, alice, photos=[photo], max_views="2")
    for _ in range(2):
        sign_out(client)                    # a new browser each time: a new visit
        assert (await client.get(f"/s/{link.token}")).status_code == 200
        # the same browser comes back (reloads, thumbnails): not another view
        assert (await client.get(f"/s/{link.token}")).status_code == 200
        assert (await client.get(f"/s/{link.token}/photos/{photo}/thumbnail/medium")).status_code == 200
    sign_out(client)
    used_up = await client.get(f"/s/{link.token}")
    assert used_up.status_code == 410 and "used up" in used_up.text
    assert (await client.get(f"/s/{link.token}/photos/{photo}/thumbnail/medium")).status_code == 410
    counted = await share_links.by_token(link.token)
    assert counted is not None and counted.views == 2 and counted.last_viewed_at is not None


async def test_metadata_and_location_show_only_when_switched_on(client, alice, redis, worker) -> None:
    photo, *_ = await import_photos(redis, alice, worker, count=1)
    await sign_in(client, "alice")
    hidden = await make_link(client, alice, photos=[photo])
    shown = await make_link(client, alice, photos=[photo], show_metadata="on", show_location="on")
    sign_out(client)
    bare = (await client.get(f"/s/{hidden.token}")).text
    full = (await client.get(f"/s/{shown.token}")).text
    assert "Camera" not in bare and "Camera" in full
    gps = f"{float(PHOTOS[0].gps_lat):.5f}"
    assert gps not in bare and gps in full


async def test_an_album_link_is_made_by_the_album_owner_only(client, alice, bob, redis, worker) -> None:
    photos = await import_photos(redis, alice, worker, count=2)
    now = datetime.now(UTC)
    album = (await Album.insert(Album(owner=alice.user_id, title="Holiday", created_at=now,
                                      updated_at=now)).returning(Album.id))[0]["id"]
    await AlbumPhoto.insert(*(AlbumPhoto(album=album, photo=p, position=i, added_at=now)
                              for i, p in enumerate(photos)))
    await AlbumMember.insert(AlbumMember(album=album, user=bob.user_id, role="contributor"))
    carol = await make_member("carol")
    await sign_in(client, "bob")
    refused = await client.post("/shares/new", data={"_csrf_token": client.cookies[CSRF_COOKIE],
                                                     "create": "1", "album": str(album)})
    assert refused.status_code == 403
    await sign_in(client, "carol")
    assert carol.user_id and (await client.post("/shares/new", data={
        "_csrf_token": client.cookies[CSRF_COOKIE], "create": "1", "album": str(album)})).status_code == 404
    await sign_in(client, "alice")
    link = await make_link(client, alice, album=album, download="original")
    assert link.kind == "album" and link.display_title() == "Holiday"
    sign_out(client)
    page = await client.get(f"/s/{link.token}")
    assert page.status_code == 200 and "Holiday" in page.text
    assert {f"/s/{link.token}/photos/{p}/thumbnail/medium" for p in photos} <= Elements(page.text).sources()
    archive = await client.get(f"/s/{link.token}/download")
    assert archive.status_code == 200 and archive.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.content)) as opened:
        names = sorted(name.split(".")[0] for name in opened.namelist())
        assert names == sorted(f"photo-{p}" for p in photos)
        assert opened.testzip() is None


async def test_a_photo_put_in_the_trash_leaves_every_link_that_showed_it(
        client, alice, redis, worker) -> None:
    kept, trashed, _ = await import_photos(redis, alice, worker)
    await sign_in(client, "alice")
    link = await make_link(client, alice, photos=[kept, trashed])
    await Photo.update({Photo.trashed_at: datetime.now(UTC)}).where(Photo.id == trashed)
    sign_out(client)
    sources = Elements((await client.get(f"/s/{link.token}")).text).sources()
    assert any(f"/photos/{kept}/" in src for src in sources)
    assert not any(f"/photos/{trashed}/" in src for src in sources)
    assert (await client.get(f"/s/{link.token}/photos/{trashed}/thumbnail/medium")).status_code == 404
    assert (await client.get(f"/s/{link.token}/photos/{trashed}")).status_code == 404


async def _album_of(owner, photos: list[int]) -> int:
    now = datetime.now(UTC)
    album = (await Album.insert(Album(owner=owner.user_id, title="Party", created_at=now,
                                      updated_at=now)).returning(Album.id))[0]["id"]
    await AlbumPhoto.insert(*(AlbumPhoto(album=album, photo=p, position=i, added_at=now)
                              for i, p in enumerate(photos)))
    return int(album)


async def test_a_guest_adds_photos_to_a_shared_album_under_their_name(client, alice, redis, worker) -> None:
    first, *_ = await import_photos(redis, alice, worker, count=1)
    album = await _album_of(alice, [first])
    await sign_in(client, "alice")
    closed = await make_link(client, alice, album=album)
    link = await make_link(client, alice, album=album, allow_upload="on")
    sign_out(client)
    page = await client.get(f"/s/{link.token}")
    assert "Add your photos to this album" in page.text
    assert "Add your photos" not in (await client.get(f"/s/{closed.token}")).text
    guest_file = PHOTOS[1].file
    files = {"files": (guest_file.name, guest_file.read_bytes(), "image/jpeg")}
    nameless = await client.post(f"/s/{link.token}/upload", files=files,
                                 data={"_csrf_token": client.cookies[CSRF_COOKIE], "guest_name": " "})
    assert nameless.status_code == 422 and "Say who you are" in nameless.text
    refused = await client.post(f"/s/{closed.token}/upload", files=files,
                                data={"_csrf_token": client.cookies[CSRF_COOKIE], "guest_name": "Grandma"})
    assert refused.status_code == 404
    sent = await client.post(f"/s/{link.token}/upload", files=files, follow_redirects=False,
                             data={"_csrf_token": client.cookies[CSRF_COOKIE], "guest_name": "Grandma"})
    assert sent.status_code == 303 and sent.headers["location"] == f"/s/{link.token}?added=1"
    added = await AlbumPhoto.select(AlbumPhoto.photo, AlbumPhoto.guest_name, AlbumPhoto.added_by).where(
        (AlbumPhoto.album == album) & (AlbumPhoto.photo != first))
    assert [(row["guest_name"], row["added_by"]) for row in added] == [("Grandma", None)]
    await worker().main()                   # the guest's photo goes through the whole pipeline
    guest_photo = added[0]["photo"]
    assert (await client.get(f"/s/{link.token}/photos/{guest_photo}/thumbnail/medium")).status_code == 200
    assert (await client.get(f"/s/{link.token}?added=1")).text.count("Thank you") == 1
