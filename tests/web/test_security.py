"""A crawl of every route as a stranger, as a user of another library, and without the CSRF token."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.web.conftest import sign_in

PUBLIC = re.compile(r"^/(login|welcome|healthz|metrics|static|schema|favicon\.ico)")
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


def routes(app: Litestar) -> list[tuple[str, str]]:
    """(method, path template) of every route handler the app serves."""
    found = []
    for route in app.routes:
        for method in sorted(getattr(route, "methods", set()) - {"HEAD", "OPTIONS"}):
            found.append((method, route.path))
    return sorted(set(found))


def concrete(path: str, ids: dict[str, int | str]) -> str:
    return re.sub(r"\{(\w+):\w+\}", lambda m: str(ids.get(m.group(1), "1")), path)


async def request(client: AsyncTestClient[Litestar], method: str, url: str, **kwargs: object):
    return await client.request(method, url, follow_redirects=False, **kwargs)


async def test_a_stranger_gets_no_2xx_outside_the_public_pages(app, client, alices_photo) -> None:
    for method, path in routes(app):
        if PUBLIC.match(path):
            continue
        response = await request(client, method, concrete(path, alices_photo))
        assert not 200 <= response.status_code < 300, f"{method} {path} answered {response.status_code}"


async def test_a_user_of_another_library_cannot_reach_alices_photo(app, client, bob, alices_photo) -> None:
    await sign_in(client, "bob")
    token = client.cookies["csrftoken"]
    for method, path in routes(app):
        if PUBLIC.match(path) or "photo_id" not in path:
            continue
        headers = {"x-csrftoken": token, "Authorization": f"Bearer {bob.token}"}
        response = await request(client, method, concrete(path, alices_photo), headers=headers)
        assert response.status_code == 404, f"{method} {path} answered {response.status_code}"
    grid = await client.get("/photos/")
    assert f'id="p{alices_photo["photo_id"]}"' not in grid.text


async def test_every_mutation_without_the_csrf_token_is_refused(app, client, alice, alices_photo) -> None:
    await sign_in(client, "alice")
    for method, path in routes(app):
        if method not in MUTATING or path.startswith(("/api/", "/login", "/welcome")):
            continue
        response = await request(client, method, concrete(path, alices_photo),
                                 data={"rating": "3", "name": "x"})
        assert response.status_code == 403, f"{method} {path} answered {response.status_code}"
    detail = (await client.get(f"/api/v1/photos/{alices_photo['photo_id']}", headers=alice.auth)).json()
    assert detail["rating"] == 0
    assert [t["name"] for t in detail["tags"] if t["source"] == "user"] == ["private"]


@pytest.mark.parametrize("path", [
    "/photos/{photo_id}/thumbnail/..%2F..%2F..%2Fetc%2Fpasswd",
    "/photos/{photo_id}/thumbnail/../../../../etc/passwd",
    "/static/..%2F..%2Fphotonix%2Fconfig.py",
    "/static/../photonix/config.py",
])
async def test_path_traversal_on_file_routes_is_refused(client, alice, alices_photo, path: str) -> None:
    await sign_in(client, "alice")
    response = await request(client, "GET", path.format(**alices_photo))
    assert response.status_code in (400, 404)
    assert "root:" not in response.text and "Settings" not in response.text
