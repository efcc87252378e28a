"""Settings › Trash: an admin lets the purge delete library files, and empties the trash now on a worker."""

from __future__ import annotations

from pathlib import Path

from photonix.db import accounts, photo_lifecycle, photos, trash
from photonix.db.tables import Photo
from photonix.jobs.trash_purge import enqueue_empty_trash
from tests.web.conftest import CSRF_COOKIE, Member, csrf, sign_in
from tests.web.test_metrics import scrape, value
from tests.web.test_pages import Elements

HTMX = {"HX-Request": "true"}


async def _admin(client) -> None:
    await accounts.create_user("root", "correct horse battery", is_admin=True)
    await sign_in(client, "root")


async def test_an_admin_switches_deleting_library_files(client, alice: Member) -> None:
    await _admin(client)
    page = Elements((await client.get("/settings/trash")).text)
    [switch] = page.all("button", id="switch-library-files")
    assert switch["aria-checked"] == "false"
    response = await client.post("/settings/trash/library-files", data={"enabled": "on"},
                                 headers={**csrf(client), **HTMX})
    assert Elements(response.text).all("button", id="switch-library-files", **{"aria-checked": "true"})
    assert await trash.deletes_library_files()
    plain = await client.post("/settings/trash/library-files", follow_redirects=False,
                              data={"enabled": "off", "_csrf_token": client.cookies[CSRF_COOKIE]})
    assert plain.status_code == 303 and plain.headers["location"] == "/settings/trash"
    assert not await trash.deletes_library_files()
    bad = await client.post("/settings/trash/library-files", data={"enabled": "maybe"},
                            headers={**csrf(client), **HTMX})
    assert bad.status_code == 400 and "Choose on or off." in bad.text


async def test_only_admins_open_the_trash_settings(client, alice: Member) -> None:
    await sign_in(client, "alice")                       # owns a library, but is no admin
    assert (await client.get("/settings/trash")).status_code == 403
    response = await client.post("/settings/trash/library-files", data={"enabled": "on"},
                                 headers=csrf(client))
    assert response.status_code == 403 and not await trash.deletes_library_files()


async def test_empty_trash_now_asks_for_confirmation_then_a_worker_empties_it(client, alice: Member,
                                                                            worker) -> None:
    kept, _ = await photos.register(alice.library_id, "k" * 64, Path("/nowhere/kept.jpg"), 1)
    binned, _ = await photos.register(alice.library_id, "b" * 64, Path("/nowhere/binned.jpg"), 1)
    await photo_lifecycle.trash_photos(alice.user_id, [binned])
    await _admin(client)
    assert "1 photo in the trash" in " ".join((await client.get("/settings/trash")).text.split())

    unconfirmed = await client.post("/settings/trash/empty", headers={**csrf(client), **HTMX})
    assert unconfirmed.status_code == 400 and "cannot be undone" in unconfirmed.text
    confirmed = await client.post("/settings/trash/empty", data={"confirm": "yes"},
                                  headers={**csrf(client), **HTMX})
    assert confirmed.status_code == 200 and "a worker deletes 1 photo now" in confirmed.text
    await worker().main()
    assert {row["id"] for row in await Photo.select(Photo.id)} == {kept}
    assert await trash.forgotten_files(alice.library_id) == {"/nowhere/binned.jpg": "b" * 64}


async def test_metrics_count_the_photos_purged(app, alice: Member, redis, worker) -> None:
    binned = [(await photos.register(alice.library_id, c * 64, Path(f"/nowhere/{c}.jpg"), 1))[0]
              for c in "ab"]
    await photo_lifecycle.trash_photos(alice.user_id, binned)
    assert await enqueue_empty_trash(redis)
    await worker().main()
    assert value(await scrape(app), "photonix_trash_purged_photos_total") == 2
