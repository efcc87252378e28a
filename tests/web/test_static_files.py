"""Static files: content-hashed URLs cached for a year, revalidation (304) without the hash, the favicon,
and /schema drawn from our own files only."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qs, urlsplit

from photonix.resources import STATIC_DIR
from tests.web.conftest import Member, sign_in
from tests.web.test_pages import Elements

YEAR = "public, max-age=31536000, immutable"


def linked_files(html: str) -> list[str]:
    """Every stylesheet, script and icon a page links, as written in the page."""
    page = Elements(html)
    return [a["href"] or "" for a in page.all("link") if a.get("rel") in ("stylesheet", "icon")] + \
           [a["src"] or "" for a in page.all("script") if a.get("src")]


def digest_of(name: str) -> str:
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]


async def test_static_files_are_cached_for_a_year_under_a_content_hashed_url(client, alice: Member) -> None:
    await sign_in(client, "alice")
    links = [*linked_files((await client.get("/photos/")).text),
             *linked_files((await client.get("/login")).text)]
    assert any("css/app.css" in link for link in links) and any("js/keys.js" in link for link in links)
    for link in links:
        url = urlsplit(link)
        name = url.path.removeprefix("/static/")
        assert url.path.startswith("/static/") and parse_qs(url.query) == {"v": [digest_of(name)]}, link
        response = await client.get(link)
        assert response.status_code == 200 and response.content == (STATIC_DIR / name).read_bytes(), link
        assert response.headers["cache-control"] == YEAR, link


async def test_a_static_file_without_its_hash_is_revalidated_and_answers_304_while_unchanged(client) -> None:
    for url in ("/static/css/app.css", "/static/css/app.css?v=0000000000"):   # no version, an old one
        response = await client.get(url)
        assert response.status_code == 200 and response.headers["cache-control"] == "no-cache"
        assert response.headers["etag"] == f'"{digest_of("css/app.css")}"'
        again = await client.get(url, headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
    changed = await client.get("/static/css/app.css", headers={"If-None-Match": '"0000000000"'})
    assert changed.status_code == 200 and changed.content


async def test_only_files_of_the_static_folder_are_served(client) -> None:
    for path in ("/static/nothing.css", "/static/../pyproject.toml", "/static/%2e%2e/pyproject.toml",
                 "/static/css", "/static/"):
        assert (await client.get(path)).status_code == 404, path


async def test_the_favicon_answers(client, alice: Member) -> None:
    ico = await client.get("/favicon.ico")
    assert ico.status_code == 200 and ico.content[:4] == b"\x00\x00\x01\x00"       # an ICO's header
    assert ico.headers["content-type"].startswith("image/") and "max-age" in ico.headers["cache-control"]
    await sign_in(client, "alice")
    for path in ("/photos/", "/login", "/s/no-such-link"):
        icons = [a["href"] or "" for a in Elements((await client.get(path)).text).all("link", rel="icon")]
        assert len(icons) == 1 and icons[0].startswith("/static/favicon.svg?v="), path
        svg = await client.get(icons[0])
        assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
        # Same origin: the Content-Security-Policy's img-src 'self' lets the browser load it.
        assert "img-src 'self'" in svg.headers["content-security-policy"]


async def test_the_schema_page_loads_nothing_from_outside(client, alice: Member) -> None:
    await sign_in(client, "alice")
    response = await client.get("/schema")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert not re.search(r"(https?:)?//[a-z0-9]", response.text, re.IGNORECASE), "an outside URL"
    links = linked_files(response.text)
    assert any("swagger-ui-bundle.js" in link for link in links)
    assert any("js/schema.js" in link for link in links)
    for link in links:
        assert (await client.get(link)).status_code == 200, link
    spec_url = Elements(response.text).all("div", id="swagger-ui")[0]["data-spec-url"]
    assert "/api/v1/photos" in (await client.get(spec_url or "")).json()["paths"]
    # Its stylesheet draws icons as data: SVGs; only this page's policy lets images come from data:.
    assert "img-src 'self' data:;" in response.headers["content-security-policy"]
    assert "data:" not in (await client.get("/photos/")).headers["content-security-policy"]
    # The viewer's own start-up script: no validator badge (which would call validator.swagger.io).
    assert "validatorUrl: null" in (STATIC_DIR / "js/schema.js").read_text()
