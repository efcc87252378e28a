"""The first import as a newcomer meets it: an empty grid shows how far the import has come (waiting for a
worker, looking, photos found, processed and failed), never a terminal command while it runs; once photos
are found the page comes back with them; a folder without photos says so and which files are read."""

from __future__ import annotations

import shutil
from collections.abc import Callable

from arq import ArqRedis, Worker

from photonix.jobs.scan import enqueue_scan
from tests import corpus
from tests.web.conftest import Member, sign_in
from tests.web.test_pages import Elements


def put_in_folder(member: Member, rows: list[corpus.Row]) -> None:
    assert member.folder is not None
    for number, row in enumerate(rows):
        shutil.copy(row.file, member.folder / f"{number}-{row.file.name}")


async def test_an_empty_grid_shows_the_first_imports_progress_instead_of_a_terminal_command(
        client, alice: Member, redis: ArqRedis, worker: Callable[..., Worker]) -> None:
    put_in_folder(alice, [corpus.rows(expected="ok")[0], corpus.rows(expected="fail")[0]])
    await enqueue_scan(redis, alice.library_id)
    await sign_in(client, "alice")
    waiting = (await client.get("/photos/")).text
    assert "waiting for a worker" in waiting and str(alice.folder) in waiting
    assert "photonix import" not in waiting and "No photos yet" not in waiting
    polling = Elements(waiting).all("div", id="import-progress")
    assert polling and polling[0]["hx-trigger"] == "every 2s"

    await worker().main()                          # the scan, then every photo's pipeline
    asked = await client.get("/photos/import-progress?empty=true", headers={"HX-Request": "true"})
    assert asked.headers.get("HX-Refresh") == "true"          # photos found: the page comes back with them
    assert "2 found" in asked.text and "1 processed" in asked.text and "1 failed" in asked.text
    grid = (await client.get("/photos/")).text
    assert len([a for a in Elements(grid).all("a") if "tile" in (a.get("class") or "").split()]) == 2


async def test_a_folder_without_photos_says_so_and_what_is_read(client, alice: Member, redis: ArqRedis,
                                                               worker: Callable[..., Worker]) -> None:
    assert alice.folder is not None
    (alice.folder / "notes.txt").write_text("not a photo")
    await enqueue_scan(redis, alice.library_id)
    await worker().main()
    await sign_in(client, "alice")
    page = (await client.get("/photos/")).text
    assert "No photos found" in page and "HEIC" in page and str(alice.folder) in page
    assert 'hx-trigger="every 2s"' not in page                 # nothing under way: no polling


async def test_a_grid_with_work_under_way_loads_the_progress_line_and_an_idle_one_does_not(
        client, alice: Member, redis: ArqRedis, worker: Callable[..., Worker]) -> None:
    put_in_folder(alice, corpus.rows(expected="ok")[:2])
    await enqueue_scan(redis, alice.library_id)
    await sign_in(client, "alice")
    await worker().main()
    idle = (await client.get("/photos/")).text
    assert "/photos/import-progress" not in idle                # done: the grid page asks nothing more
    line = await client.get("/photos/import-progress")
    assert line.status_code == 200 and 'hx-trigger' not in line.text
    [quiet] = Elements(line.text).all("div", id="import-progress")
    assert "hidden" in quiet                                    # the work is over: the line goes


async def test_without_a_session_the_progress_asks_to_sign_in(client) -> None:
    answer = await client.get("/photos/import-progress", follow_redirects=False)
    assert answer.status_code in (303, 401)
