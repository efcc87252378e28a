"""Failed photos say what they are and why they failed: the tile names its file and failing step, the photo
page explains the missing preview in words (the raw text one click away) under the name the user uploaded,
the API gives no thumbnail URL that would 404, and what is no photo is refused at upload by its content."""

from __future__ import annotations

import re
from html import unescape

from photonix.db.tables import User
from photonix.media.error_sentences import plain_error, technical_error
from tests import corpus
from tests.web.conftest import Member, sign_in
from tests.web.test_pages import Elements
from tests.web.test_upload import Rows, stored_originals, upload

GOOD = corpus.rows(expected="ok", folder="orientation")[0]
TRUNCATED = "image file is truncated (1 bytes not processed)"


def cut_in_half(row: corpus.Row) -> bytes:
    """A real JPEG cut off while copying: its header is fine, its pixels end early."""
    data = row.file.read_bytes()
    return data[: len(data) // 2]


def text_of(html: str) -> str:
    """The page's text, tags dropped and spaces folded, entities decoded."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


async def uploaded_and_failed(client, member: Member, worker, name: str = "Beach day.jpg") -> int:
    """A cut-off JPEG uploaded under `name`, its pipeline run to the end: the id of the failed photo."""
    response = await upload(client, member.library_id, [("files", (name, cut_in_half(GOOD), "image/jpeg"))])
    [row] = Rows(response.text).rows
    assert row["outcome"] == "uploaded", row
    await worker().main()
    return int(row["href"].removeprefix("/photos/"))


def test_a_raw_library_error_becomes_a_sentence_for_people() -> None:
    assert plain_error(f"IMG_1.JPG: {TRUNCATED}") == (
        "The file ends early: it was cut off while copying or downloading")
    assert plain_error("a.jpg: not an image format we can read").startswith("This is not a photo")
    assert plain_error("gave up after 3 tries: a.jpg: storage unavailable (EIO)") == (
        "The disk or server holding the file did not answer (gave up after 3 tries)")
    assert plain_error("something nobody foresaw.") == "something nobody foresaw."     # its own words
    assert plain_error("not run: make_thumbnails failed") == (
        "Not run, because make thumbnails failed before it")
    assert technical_error("not a RAW file") == ""          # says nothing the sentence does not
    assert technical_error(f"0123456789ab_Beach_day.jpg: {TRUNCATED}") == f"Beach_day.jpg: {TRUNCATED}"
    assert plain_error("") == ""


async def test_a_failed_photo_tile_names_its_file_and_failing_step(client, alice: Member, worker) -> None:
    await sign_in(client, "alice")
    photo_id = await uploaded_and_failed(client, alice, worker, name="Beach <day> & night.jpg")
    html = (await client.get("/photos/")).text
    tile = html[html.index(f'id="tile-{photo_id}"'):]
    tile = tile[:tile.index('class="tile-check"')]
    assert not Elements(tile).all("img")
    # The name as uploaded (escaped: the tile loop has autoescape off), its type, and the step that failed.
    assert "Beach &lt;day&gt; &amp; night.jpg" in tile and "<day>" not in tile
    assert re.search(r'class="file-type"[^>]*>JPG<', tile)
    assert "make thumbnails failed" in text_of(tile)


async def test_a_failed_photo_page_says_why_there_is_no_preview(client, alice: Member, worker) -> None:
    await sign_in(client, "alice")
    photo_id = await uploaded_and_failed(client, alice, worker)
    html = (await client.get(f"/photos/{photo_id}")).text
    text = text_of(html)
    assert "No preview yet" not in text
    assert "No preview: make thumbnails failed." in text
    assert "The file ends early: it was cut off while copying or downloading" in text
    # The library's own words stay one click away.
    technical = html[html.index('<details class="technical">'):]
    assert "image file is truncated" in technical[:technical.index("</details>")]
    # What ran, not a ratio: the classifiers after the thumbnails never ran.
    summary = re.search(r'Processing · <span id="processing-summary">([^<]+)</span>', html)
    assert summary and re.fullmatch(r"1 failed, \d+ not run, \d+ ok", summary[1]), summary
    # The name the user uploaded, never the stored one with its random prefix (but in an admin's Path row).
    assert "<title>Beach day.jpg" in html and "Beach day.jpg" in text
    without_path = re.sub(r'<dd class="path">[^<]*</dd>', "", html)
    assert not re.search(r"[0-9a-f]{12}_Beach", without_path)


async def test_a_failed_photos_error_is_a_sentence_on_the_failures_view_too(client, alice: Member,
                                                                          worker) -> None:
    await sign_in(client, "alice")
    await uploaded_and_failed(client, alice, worker)
    await User.update({User.is_admin: True}).where(User.id == alice.user_id)     # /jobs is the admins'
    html = (await client.get("/jobs/failures")).text
    assert "The file ends early: it was cut off while copying or downloading" in text_of(html)
    assert '<details class="technical">' in html and "image file is truncated" in html


async def test_the_api_gives_a_failed_photo_no_thumbnail_url(client, alice: Member, worker) -> None:
    await sign_in(client, "alice")
    failed_id = await uploaded_and_failed(client, alice, worker)
    good = await upload(client, alice.library_id,
                        [("files", ("good.jpg", GOOD.file.read_bytes(), "image/jpeg"))])
    good_id = int(Rows(good.text).rows[0]["href"].removeprefix("/photos/"))
    await worker().main()
    listed = (await client.get("/api/v1/photos", headers=alice.auth)).json()["items"]
    items = {item["id"]: item for item in listed}
    assert items[failed_id]["state"] == "failed" and items[failed_id]["thumbnail_url"] is None
    assert (await client.get(items[good_id]["thumbnail_url"])).status_code == 200
    detail = (await client.get(f"/api/v1/photos/{failed_id}", headers=alice.auth)).json()
    assert detail["file_name"] == "Beach day.jpg" and detail["thumbnails"] == {}
    [failed_step] = [step for step in detail["steps"] if step["state"] == "failed"]
    assert "image file is truncated" in failed_step["error"]        # the raw text, kept
    assert failed_step["error_message"] == "The file ends early: it was cut off while copying or downloading"


async def test_a_text_file_named_jpg_is_refused_at_upload(client, alice: Member, settings) -> None:
    await sign_in(client, "alice")
    before = stored_originals(settings)
    response = await upload(client, alice.library_id,
                            [("files", ("holiday.jpg", b"Dear all, the photos follow.\n", "image/jpeg"))])
    assert response.status_code == 422
    assert Rows(response.text).rows == [{
        "outcome": "failed", "href": "",
        "text": "holiday.jpg: this is not a photo — its content is text, whatever its name says"}]
    pdf = await upload(client, alice.library_id,
                       [("files", ("scan.jpg", b"%PDF-1.7\n%\xe2\xe3", "image/jpeg"))])
    assert pdf.status_code == 422 and "its content is a PDF document" in Rows(pdf.text).rows[0]["text"]
    assert stored_originals(settings) == before
