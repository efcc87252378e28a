"""`photonix web --public-only`: the share pages, their images, static files and the favicon; every other path
404."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from photonix.cli import parser
from photonix.db import share_links
from photonix.web.app import create_app
from tests.web.shares_helpers import import_photos
from tests.web.test_security import concrete, routes
from tests.web.test_share_security import SHARE_ROUTE


async def test_public_only_mode_serves_only_the_share_pages(app, settings, alice, redis, worker) -> None:
    photo, *_ = await import_photos(redis, alice, worker, count=1)
    made = await share_links.create_for_photos(alice.user_id, [photo],
                                               share_links.ShareOptions(download="display"))
    ids = {"token": made.link.token, "photo_id": photo, "size": "large", "file_path": "css/app.css"}
    public = create_app(settings, owns_database=False, public_only=True)
    async with AsyncTestClient(app=public) as client:
        assert (await client.get(f"/s/{made.link.token}")).status_code == 200
        for method, path in routes(app):        # every route of the full app
            if method != "GET":
                continue
            response = await client.get(concrete(path, ids), follow_redirects=False)
            if SHARE_ROUTE.match(path) or path.startswith("/static") or path == "/favicon.ico":
                assert response.status_code == 200, f"{path} answered {response.status_code}"
            else:
                assert response.status_code == 404, f"{path} answered {response.status_code}"
        signing_in = await client.post("/login", data={"username": "alice", "password": "x"})
        assert signing_in.status_code in (403, 404)


def test_the_web_command_takes_public_only() -> None:
    assert parser().parse_args(["web", "--public-only"]).public_only is True
    assert parser().parse_args(["web"]).public_only is False
