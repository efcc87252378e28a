"""Bad input at the edges: ids past 64 bits, huge pages, empty filters, errors that keep their details."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from arq import ArqRedis
from litestar import post
from litestar.params import FromPath
from litestar.testing import AsyncTestClient

from photonix.config import Settings
from photonix.db import accounts
from photonix.web.app import create_app
from tests import corpus
from tests.library_files import import_into
from tests.web.conftest import Member, csrf, sign_in
from tests.web.test_pages import Elements

TOO_BIG = "9223372036854775808"        # 2**63: one past the largest id a 64-bit column holds
PHOTOS = corpus.rows(expected="ok", folder="orientation")[:2]


async def imported(redis: ArqRedis, member: Member) -> list[int]:
    """Photo rows without running the pipeline: the API lists photos in every state."""
    report = await import_into(redis, member.library_id, [row.file for row in PHOTOS])
    return report.new_photo_ids


@pytest.mark.parametrize("method, url", [
    ("GET", f"/api/v1/photos/{TOO_BIG}"),
    ("POST", f"/api/v1/photos/{TOO_BIG}/reprocess"),
    ("GET", f"/api/v1/photos?library={TOO_BIG}"),
    ("GET", "/api/v1/photos?page=184467440737095518"),
    ("GET", "/api/v1/photos/2147483648"),                  # past PostgreSQL's 32-bit serial
    ("GET", f"/photos/{TOO_BIG}/original"),
    ("GET", f"/photos/{TOO_BIG}/thumbnail/square"),
])
async def test_an_id_or_page_past_64_bits_answers_400_on_the_api(client, alice: Member, method, url) -> None:
    response = await client.request(method, url, headers=alice.auth)
    assert response.status_code == 400, response.text


@pytest.mark.parametrize("method, url", [
    ("GET", f"/photos/{TOO_BIG}"),
    ("POST", f"/photos/{TOO_BIG}/rating"),
    ("POST", f"/photos/{TOO_BIG}/tags"),
    ("POST", f"/photos/1/tags/{TOO_BIG}/delete"),
    ("POST", f"/photos/{TOO_BIG}/reprocess"),
    ("GET", f"/upload?library={TOO_BIG}"),
    ("GET", f"/photos/?before=2020-01-01T00:00:00_{TOO_BIG}"),
    ("GET", "/photos/?before=2020-01-01T00:00:00%2B05:00_5"),
])
async def test_an_id_past_64_bits_never_answers_500_on_pages(client, alice: Member, method, url) -> None:
    await sign_in(client, "alice")
    response = await client.request(method, url, data={"rating": "3", "name": "x"},
                                    headers={**csrf(client), **alice.auth})
    assert response.status_code in (200, 400, 404), response.text


@pytest.mark.parametrize("action", ["scan", "folders", "members"])
async def test_a_library_id_past_64_bits_answers_400_in_settings(client, clean, action: str) -> None:
    await accounts.create_user("root", "correct horse battery", is_admin=True)
    await sign_in(client, "root")
    response = await client.post(f"/settings/libraries/{TOO_BIG}/{action}", headers=csrf(client),
                                 data={"folder": "/tmp", "username": "root"})
    assert response.status_code == 400, response.text


async def test_an_upload_naming_a_library_past_64_bits_answers_404(client, alice: Member) -> None:
    await sign_in(client, "alice")
    response = await client.post("/upload", data={"library": TOO_BIG}, headers=csrf(client),
                                 files=[("files", ("a.jpg", PHOTOS[0].file.read_bytes(), "image/jpeg"))])
    assert response.status_code == 404


@pytest.mark.parametrize("query", ["tag=", "tag=%20", "state=", "tag=&state="])
async def test_an_empty_api_filter_is_no_filter(client, alice: Member, redis, query: str) -> None:
    ids = await imported(redis, alice)
    listed = (await client.get(f"/api/v1/photos?{query}", headers=alice.auth)).json()
    assert sorted(item["id"] for item in listed["items"]) == sorted(ids)


@pytest.mark.parametrize("query", ["q=", "q=%20%20", "state=", "q=&state="])
async def test_an_empty_grid_filter_is_no_filter(client, alice: Member, redis, query: str) -> None:
    ids = await imported(redis, alice)
    await sign_in(client, "alice")
    grid = Elements((await client.get(f"/photos/?{query}")).text)
    assert all(grid.all("a", id=f"p{photo_id}") for photo_id in ids)


async def test_a_405_keeps_its_allow_header_on_pages_and_the_api(client, alice: Member) -> None:
    await sign_in(client, "alice")
    page = await client.delete("/photos/", headers=csrf(client))
    assert page.status_code == 405 and "GET" in page.headers["allow"]
    assert Elements(page.text).all("html")
    api = await client.delete("/api/v1/photos", headers=alice.auth)
    assert api.status_code == 405 and "GET" in api.headers["allow"]


async def test_a_validation_error_keeps_its_per_field_messages(client, alice: Member) -> None:
    api = await client.get("/api/v1/photos?per_page=0&page=x", headers=alice.auth)
    assert api.status_code == 400
    assert {problem["key"] for problem in api.json()["extra"]} >= {"per_page"}
    await sign_in(client, "alice")
    page = await client.get(f"/photos/{TOO_BIG}")
    assert page.status_code == 400
    assert any("photo_id" in item for item in ListItems(page.text).items)


class ListItems(HTMLParser):
    """The text of every <li> in a document."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.items: list[str] = []
        self._inside = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "li":
            self.items.append("")
            self._inside = True

    def handle_endtag(self, tag: str) -> None:
        self._inside = self._inside and tag != "li"

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.items[-1] += data


async def test_a_page_path_containing_api_still_needs_the_csrf_token(settings: Settings, clean,
                                                                     alice: Member) -> None:
    """The API's CSRF exemption is for paths that start with /api/, not for any path that contains it."""

    @post("/photos/{photo_id:int}/api/touch", sync_to_thread=False)
    def touch(photo_id: FromPath[int]) -> dict[str, int]:
        return {"touched": photo_id}

    app = create_app(settings, owns_database=False)
    app.register(touch)
    async with AsyncTestClient(app=app) as test_client:
        await sign_in(test_client, "alice")
        assert (await test_client.post("/photos/1/api/touch")).status_code == 403
        assert (await test_client.post("/photos/1/api/touch", headers=csrf(test_client))).status_code == 201


async def test_a_nul_character_in_a_filter_never_answers_500(client, alice: Member) -> None:
    """PostgreSQL refuses NUL in text: the filter must not reach it as a query parameter."""
    assert (await client.get("/api/v1/photos?tag=a%00b", headers=alice.auth)).status_code in (200, 400)
    await sign_in(client, "alice")
    assert (await client.get("/photos/?q=a%00b")).status_code in (200, 400)
    response = await client.post("/photos/1/tags", data={"name": "a\x00b"}, headers=csrf(client))
    assert response.status_code == 400
    await client.post("/logout", headers=csrf(client))
    response = await client.post("/login", data={"username": "al\x00ice", "password": "x",
                                                 "_csrf_token": client.cookies["csrftoken"]})
    assert response.status_code == 400
