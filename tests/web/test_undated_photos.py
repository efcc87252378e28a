"""Photos without a trustworthy capture date (none at all, or only the time the file was copied or uploaded)
go in an "Undated" section at the end of the timeline, not under their import month; paging and the
section's count stay right."""

from __future__ import annotations

import importlib
import io
import re
from datetime import datetime

from PIL import Image

from photonix.db import keyset
from photonix.db.photo_filter import MAIN_GRID
from photonix.db.photo_reads import month_counts, tile_page
from photonix.db.photo_values import UNDATED
from photonix.db.scope import Scope
from photonix.db.tables import Photo
from photonix.media.dates import UNDATED_SORT_AT, sort_at_for
from tests.photo_rows import add_photo, mark_step
from tests.web.conftest import Member, sign_in
from tests.web.test_upload import Rows, upload

MIGRATION = importlib.import_module("piccolo_migrations.photonix_2026_12_01t15_10_00_000000")


def png_without_a_date() -> bytes:
    """A real image that says nothing of when it was taken (no EXIF, no date in its name)."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


def section_titles(html: str) -> list[str]:
    """The grid's section headings, as read: "June 2019 · 1 photo"."""
    return [" ".join(re.sub(r"<[^>]+>", " ", title).split())
            for title in re.findall(r'<h2 id="h-[^"]+">(.*?)</h2>', html, re.S)]


def test_only_a_date_from_the_photo_itself_sorts_it() -> None:
    taken = datetime(2019, 6, 1, 10)
    assert sort_at_for(taken, "exif_original") == taken
    assert sort_at_for(taken, "file_name") == taken
    assert sort_at_for(taken, "file_time") == UNDATED_SORT_AT     # when it was copied, not taken
    assert sort_at_for(None, None) == UNDATED_SORT_AT


async def test_undated_photos_come_last_under_undated(client, alice: Member, worker) -> None:
    await sign_in(client, "alice")
    dated_ids = [await add_photo(alice.library_id, datetime(2019, 6, 1, 10), thumbnail=(720, 480)),
                 await add_photo(alice.library_id, datetime(2008, 8, 3, 9), thumbnail=(720, 480))]
    response = await upload(client, alice.library_id,
                            [("files", ("scan.png", png_without_a_date(), "image/png"))])
    [row] = Rows(response.text).rows
    await worker().main()
    undated_id = int(row["href"].removeprefix("/photos/"))
    assert (await Photo.select(Photo.date_source).where(Photo.id == undated_id).first()) == {
        "date_source": "file_time"}

    html = (await client.get("/photos/")).text
    import_month = datetime.now().strftime("%B %Y")
    assert section_titles(html) == ["June 2019 · 1 photo", "August 2008 · 1 photo", "Undated · 1 photo"]
    assert import_month not in " ".join(section_titles(html))
    undated = html[html.index('id="h-undated"'):]
    assert f'id="tile-{undated_id}"' in undated and 'value="undated"' in undated
    page = (await client.get(f"/photos/{undated_id}")).text
    assert "it is listed under Undated" in page
    dated_page = (await client.get(f"/photos/{dated_ids[0]}")).text
    assert "Undated" not in dated_page


async def test_paging_walks_dated_then_undated_photos_once_and_counts_undated(alice: Member) -> None:
    dated = [await add_photo(alice.library_id, datetime(2020, month, 1)) for month in (3, 2, 1)]
    undated = [await add_photo(alice.library_id, UNDATED_SORT_AT) for _ in range(3)]
    scope = Scope.user(alice.user_id)
    seen: list[int] = []
    before: keyset.Cursor | None = None
    while True:
        page = await tile_page(scope, MAIN_GRID, before=before, limit=2)
        seen.extend(tile.id for tile in page.tiles)
        if page.next is None:
            break
        before = keyset.Cursor.decode(page.next.encode())      # as the next page's URL carries it
    assert seen == [*dated, *sorted(undated, reverse=True)]
    assert await month_counts(scope, MAIN_GRID, {UNDATED, "2020-02"}) == {UNDATED: 3, "2020-02": 1}


async def test_the_migration_moves_processed_photos_without_a_date_to_undated(alice: Member) -> None:
    import_time = datetime(2026, 12, 1, 9)
    from_file_time = await add_photo(alice.library_id, import_time, date_source="file_time")
    dated = await add_photo(alice.library_id, datetime(2015, 5, 5), date_source="exif_original")
    waiting = await add_photo(alice.library_id, import_time, taken_at=None)
    for photo_id in (from_file_time, dated):
        await mark_step(photo_id, "done")
    await mark_step(waiting, "queued")          # its metadata step has not run: its date may still come

    await MIGRATION.undo()
    await MIGRATION.apply()

    rows = await Photo.select(Photo.id, Photo.sort_at).where(Photo.library == alice.library_id)
    assert {row["id"]: row["sort_at"] for row in rows} == {
        from_file_time: UNDATED_SORT_AT, dated: datetime(2015, 5, 5), waiting: import_time}
