"""Browser upload: files become processed photos, duplicates and refusals say so; rows or a full page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from photonix.config import Settings
from photonix.db import stepruns
from photonix.web.app import create_app
from photonix.web.upload import MIB, refusal
from tests import corpus
from tests.conftest import make_settings
from tests.web.conftest import Member, csrf, sign_in
from tests.web.test_pages import Elements

PHOTOS = corpus.rows(expected="ok", folder="orientation")[:2]
HTMX = {"HX-Request": "true"}
Files = list[tuple[str, tuple[str, bytes, str]]]


class Rows(HTMLParser):
    """The upload rows of a page or fragment: (outcome, text, link) per <li data-outcome>."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.rows: list[dict[str, str]] = []
        self._in_row = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "li" and found.get("data-outcome"):
            self.rows.append({"outcome": found["data-outcome"] or "", "text": "", "href": ""})
            self._in_row = True
        elif tag == "a" and self._in_row:
            self.rows[-1]["href"] = found.get("href") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self._in_row = False

    def handle_data(self, data: str) -> None:
        if self._in_row:
            self.rows[-1]["text"] = " ".join((self.rows[-1]["text"] + " " + data).split())


def photo_files(*rows: corpus.Row) -> Files:
    return [("files", (row.file.name, row.file.read_bytes(), "image/jpeg")) for row in rows]


async def upload(client: AsyncTestClient[Litestar], library_id: int, files: Files, *, htmx: bool = True):
    """POST /upload as upload.js does (CSRF header, HX-Request), or as the plain form does (token field)."""
    if htmx:
        return await client.post("/upload", data={"library": str(library_id)}, files=files,
                                 headers={**csrf(client), **HTMX})
    return await client.post("/upload", files=files, data={
        "library": str(library_id), "_csrf_token": client.cookies["csrftoken"]})


def stored_originals(settings: Settings) -> set[Path]:
    return {path for path in settings.originals_dir.rglob("*") if path.is_file()}


def loads_script(page: Elements, path: str) -> bool:
    """Whether the page loads this static script (under its content-hashed URL)."""
    return any(str(script.get("src") or "").split("?")[0] == path for script in page.all("script"))


async def test_upload_page_offers_only_the_viewers_libraries(client, alice: Member, bob: Member) -> None:
    await sign_in(client, "alice")
    page = Elements((await client.get("/upload")).text)
    assert [option["value"] for option in page.all("option")] == [str(alice.library_id)]
    assert page.all("form", id="upload-form", enctype="multipart/form-data")
    assert page.all("input", type="file", name="files") and loads_script(page, "/static/js/upload.js")
    assert not loads_script(Elements((await client.get("/photos/")).text), "/static/js/upload.js")


async def test_two_photos_upload_and_finish_processing(client, alice: Member, worker) -> None:
    await sign_in(client, "alice")
    response = await upload(client, alice.library_id, photo_files(*PHOTOS))
    rows = Rows(response.text).rows
    assert response.status_code == 200
    assert [(r["outcome"], r["text"]) for r in rows] == [
        ("uploaded", f"{row.file.name} Uploaded — processing") for row in PHOTOS]
    photo_ids = [int(r["href"].removeprefix("/photos/")) for r in rows]
    assert len(set(photo_ids)) == 2
    await worker().main()
    for photo_id in photo_ids:
        steps = await stepruns.current_steps(photo_id)
        assert steps and {step.state for step in steps} <= {"done", "skipped"}


async def test_the_same_file_again_is_already_in_library_and_kept_once(client, alice: Member,
                                                                        settings) -> None:
    await sign_in(client, "alice")
    before = stored_originals(settings)
    first = Rows((await upload(client, alice.library_id, photo_files(PHOTOS[0]))).text).rows
    again = await upload(client, alice.library_id, photo_files(PHOTOS[0]))
    [row] = Rows(again.text).rows
    assert again.status_code == 200 and row["outcome"] == "known" and "Already in library" in row["text"]
    assert row["href"] == first[0]["href"]
    assert len(stored_originals(settings) - before) == 1


async def test_a_text_file_is_refused_with_its_sentence_and_422(client, alice: Member, settings) -> None:
    await sign_in(client, "alice")
    before = stored_originals(settings)
    response = await upload(client, alice.library_id, [("files", ("IMG.txt", b"not a photo", "text/plain"))])
    assert response.status_code == 422
    assert Rows(response.text).rows == [
        {"outcome": "failed", "text": "IMG.txt: not a photo type Photonix reads", "href": ""}]
    assert stored_originals(settings) == before


async def test_one_good_file_among_refused_ones_answers_200(client, alice: Member) -> None:
    await sign_in(client, "alice")
    response = await upload(client, alice.library_id,
                            [("files", ("notes.txt", b"x", "text/plain")), *photo_files(PHOTOS[0])])
    assert response.status_code == 200
    assert [r["outcome"] for r in Rows(response.text).rows] == ["failed", "uploaded"]


def test_size_check_refuses_only_what_is_over_the_limit() -> None:
    assert refusal("a.jpg", 2 * MIB, max_upload_mb=2) is None
    assert refusal("a.jpg", 2 * MIB + 1, max_upload_mb=2) == "a.jpg: 2.0 MB is over the 2 MB upload limit"
    assert refusal("a.jpg", 0, max_upload_mb=2) == "a.jpg: the file is empty"
    assert refusal("RAW.CR2", 1, max_upload_mb=2) is None


@pytest.fixture
async def small_limit_client(settings: Settings, clean: None) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A second app on the same database and Redis whose upload limit is 1 MB."""
    urls = {"database": settings.database_url, "redis": settings.redis_url or ""}
    small = make_settings(settings.data_dir, urls, PHOTONIX_MAX_UPLOAD_MB="1")
    async with AsyncTestClient(app=create_app(small, owns_database=False)) as test_client:
        yield test_client


async def test_an_oversize_file_is_refused_with_its_sentence(small_limit_client, alice: Member) -> None:
    await sign_in(small_limit_client, "alice")
    over = [("files", ("big.jpg", b"\xff" * (MIB + MIB // 2), "image/jpeg"))]
    response = await upload(small_limit_client, alice.library_id, over)
    assert response.status_code == 422
    assert [r["text"] for r in Rows(response.text).rows] == ["big.jpg: 1.5 MB is over the 1 MB upload limit"]


async def test_a_body_over_the_request_limit_is_refused_in_words(small_limit_client, alice: Member) -> None:
    await sign_in(small_limit_client, "alice")
    huge = [("files", ("huge.jpg", b"\xff" * (3 * MIB), "image/jpeg"))]
    fragment = await upload(small_limit_client, alice.library_id, huge)
    assert fragment.status_code == 413 and "too big" in Rows(fragment.text).rows[0]["text"]
    page = await upload(small_limit_client, alice.library_id, huge, htmx=False)
    assert page.status_code == 413 and Elements(page.text).all("html")


async def test_another_users_library_answers_404(client, alice: Member, bob: Member, settings) -> None:
    await sign_in(client, "alice")
    before = stored_originals(settings)
    response = await upload(client, bob.library_id, photo_files(PHOTOS[0]))
    assert response.status_code == 404
    assert stored_originals(settings) == before


async def test_post_without_csrf_token_is_refused(client, alice: Member) -> None:
    await sign_in(client, "alice")
    response = await client.post("/upload", data={"library": str(alice.library_id)},
                                 files=photo_files(PHOTOS[0]))
    assert response.status_code == 403


async def test_signed_out_upload_goes_to_sign_in(client, alice: Member) -> None:
    response = await client.get("/upload", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_htmx_gets_the_rows_alone_and_the_plain_form_a_full_page(client, alice: Member) -> None:
    await sign_in(client, "alice")
    fragment = await upload(client, alice.library_id, photo_files(PHOTOS[0]))
    assert not Elements(fragment.text).all("html") and Rows(fragment.text).rows
    assert fragment.headers["vary"] == "HX-Request"
    full = await upload(client, alice.library_id, photo_files(PHOTOS[1]), htmx=False)
    page = Elements(full.text)
    assert full.status_code == 200 and page.all("html") and page.all("form", id="upload-form")
    assert [r["outcome"] for r in Rows(full.text).rows] == ["uploaded"]


async def test_upload_rows_turn_into_finished_photos_when_their_pipeline_ends(
        client, alice: Member, bob: Member, worker) -> None:
    truncated = next(row for row in corpus.rows(expected="fail") if row.path == "bad/truncated_50pct.jpg")
    await sign_in(client, "bob")
    [bobs] = Rows((await upload(client, bob.library_id, photo_files(PHOTOS[0]))).text).rows
    client.cookies.clear()
    await sign_in(client, "alice")
    response = await upload(client, alice.library_id, photo_files(PHOTOS[1], truncated))
    good, bad = (int(row["href"].removeprefix("/photos/")) for row in Rows(response.text).rows)
    pending = Elements(response.text).all("input", name="pending")
    assert [field["value"] for field in pending] == [str(good), str(bad)]   # what the page's poll sends
    poller = [span for span in Elements((await client.get("/upload")).text).all("span")
              if span.get("hx-get") == "/upload/rows"]
    assert poller and poller[0]["hx-trigger"] == "every 2s"

    asked = {"pending": [str(good), str(bad), bobs["href"].removeprefix("/photos/")]}
    before = Elements((await client.get("/upload/rows", params=asked)).text)
    assert [span["id"] for span in before.all("span")] == [f"upload-state-{good}", f"upload-state-{bad}"]
    await worker().main()
    after = await client.get("/upload/rows", params=asked)
    states = Elements(after.text)
    assert all(span["hx-swap-oob"] == "true" for span in states.all("span"))
    assert not states.all("input", name="pending")                    # settled: nothing left to ask
    assert states.all("img", src=f"/photos/{good}/thumbnail/square")
    assert "Done — open the photo" in after.text and "Failed" in after.text and "see why" in after.text
    assert f"upload-state-{bobs['href'].removeprefix('/photos/')}" not in after.text   # bob's stays unknown
    assert (await client.get("/upload/rows")).text.strip() == ""       # no uploads pending: an empty answer
