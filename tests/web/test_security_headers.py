"""Every response carries the CSP and the other security headers; file routes are sandboxed; templates
hold no inline script, event handler or style, so the policy needs no 'unsafe-inline'."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from arq import ArqRedis
from litestar.testing import AsyncTestClient

from photonix.config import Settings
from photonix.web.app import create_app
from photonix.web.security_headers import content_security_policy, tile_source
from tests import corpus
from tests.conftest import make_settings
from tests.library_files import import_into
from tests.web.conftest import Member, sign_in
from tests.web.test_pages import Elements

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
INLINE = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|<style[\s>]", re.IGNORECASE)


def directives(header: str) -> dict[str, str]:
    return {d.strip().split(" ", 1)[0]: d.strip().partition(" ")[2] for d in header.split(";") if d.strip()}


def assert_secured(response) -> dict[str, str]:
    policy = directives(response.headers["content-security-policy"])
    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    return policy


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_hold_no_inline_script_handler_or_style(template: Path) -> None:
    assert not INLINE.search(template.read_text()), INLINE.search(template.read_text())


def test_every_tile_ratio_has_its_class() -> None:
    css = (ROOT / "static/css/ratios.css").read_text()
    defined = {int(n): float(r) for n, r in re.findall(r"\.r(\d+) \{ --r: ([\d.]+); \}", css)}
    assert defined == {n: n / 100 for n in range(50, 301)}


async def test_pages_errors_and_static_files_carry_the_headers(client, alice: Member) -> None:
    for path in ("/login", "/no-such-page", "/static/css/app.css", "/healthz"):
        response = await client.get(path)
        assert "sandbox" not in assert_secured(response), path
    await sign_in(client, "alice")
    assert_secured(await client.get("/photos/"))


async def test_photo_files_are_sandboxed(client, alice: Member, redis: ArqRedis, worker) -> None:
    report = await import_into(redis, alice.library_id, [corpus.rows(expected="ok")[0].file])
    await worker().main()
    photo_id = report.new_photo_ids[0]
    for path in (f"/photos/{photo_id}/original", f"/photos/{photo_id}/thumbnail/square"):
        response = await client.get(path, headers=alice.auth)
        assert response.status_code == 200 and "sandbox" in assert_secured(response), path
    await sign_in(client, "alice")
    grid = Elements((await client.get("/photos/")).text)
    [tile] = grid.all("div", id=f"tile-{photo_id}")        # the tile's box (its link and check inside)
    assert tile.get("style") is None and re.search(r"\br\d+\b", tile["class"] or "")


@pytest.mark.parametrize("tile_url, source", [
    ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
    ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
    ("https://maps.example.org:8443/tiles/{z}/{x}/{y}.png", "https://maps.example.org:8443"),
])
def test_a_configured_tile_host_is_allowed_as_an_image_source(settings: Settings, tile_url, source) -> None:
    urls = {"database": settings.database_url, "redis": settings.redis_url or ""}
    with_map = make_settings(settings.data_dir, urls, PHOTONIX_MAP_TILE_URL=tile_url)
    assert tile_source(tile_url) == source
    assert directives(content_security_policy(with_map))["img-src"] == f"'self' {source}"
    assert directives(content_security_policy(settings))["img-src"] == "'self'"


async def test_the_app_sends_the_tile_host_in_img_src(settings: Settings, clean) -> None:
    urls = {"database": settings.database_url, "redis": settings.redis_url or ""}
    with_map = make_settings(settings.data_dir, urls,
                             PHOTONIX_MAP_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png")
    async with AsyncTestClient(app=create_app(with_map, owns_database=False)) as client:
        policy = assert_secured(await client.get("/login"))
    assert policy["img-src"] == "'self' https://tiles.example.org"
