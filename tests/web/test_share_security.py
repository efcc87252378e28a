"""A share token opens exactly what was shared: a crawl of every route with it, ids outside the share,
password guessing, grants that open one link only, and the token kept out of the logs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx
import pytest

from photonix.db import share_links
from photonix.web import share_ratelimit
from tests.web.conftest import CSRF_COOKIE, sign_in
from tests.web.shares_helpers import import_photos, make_link, sign_out
from tests.web.test_security import PUBLIC, concrete, request, routes

SHARE_ROUTE = re.compile(r"^/s/\{token:str\}")


async def test_a_crawl_with_a_share_token_reaches_only_the_shared_photos(
        app, client, alice, bob, redis, worker) -> None:
    shared, unshared, _ = await import_photos(redis, alice, worker)
    (bobs,) = await import_photos(redis, bob, worker, count=1)
    await sign_in(client, "alice")
    # Alice's other link holds both photos; the crawl runs with the token of the one holding `shared` only.
    link = await make_link(client, alice, photos=[shared, unshared], download="original")
    only = await make_link(client, alice, photos=[shared], download="original")
    sign_out(client)
    await client.get(f"/s/{only.token}")            # a visit, as a stranger
    reached = []
    for method, path in routes(app):
        if PUBLIC.match(path):
            continue
        ids = {"token": only.token, "photo_id": shared, "size": "large", "link_id": link.id, "tag_id": 1}
        response = await request(client, method, concrete(path, ids))
        if 200 <= response.status_code < 300:
            reached.append((method, path))
            assert SHARE_ROUTE.match(path), f"{method} {path} answered {response.status_code}"
        if SHARE_ROUTE.match(path) and "photo_id" in path:
            for outside in (unshared, bobs):
                other = await request(client, method, concrete(path, {**ids, "photo_id": outside}))
                assert other.status_code == 404, f"{method} {path} with photo {outside}: {other.status_code}"
    share_gets = {path for method, path in routes(app) if SHARE_ROUTE.match(path) and method == "GET"}
    assert {path for _, path in reached} == share_gets


async def test_a_password_link_opens_only_after_the_password_and_only_for_that_link(
        client, alice, redis, worker) -> None:
    photo, *_ = await import_photos(redis, alice, worker, count=1)
    await sign_in(client, "alice")
    locked = await make_link(client, alice, photos=[photo], password="open sesame", download="original")
    other = await make_link(client, alice, photos=[photo], password="another one")
    sign_out(client)
    form = await client.get(f"/s/{locked.token}")
    assert form.status_code == 200 and 'type="password"' in form.text
    assert "/thumbnail/" not in form.text           # not even the link preview's image
    for path in (f"/photos/{photo}", f"/photos/{photo}/thumbnail/large", f"/photos/{photo}/download"):
        assert (await client.get(f"/s/{locked.token}{path}")).status_code == 401, path
    wrong = await client.post(f"/s/{locked.token}/password",
                              data={"password": "nope", "_csrf_token": client.cookies[CSRF_COOKIE]})
    assert wrong.status_code == 401 and "That password isn" in wrong.text
    right = await client.post(f"/s/{locked.token}/password", follow_redirects=False,
                              data={"password": "open sesame", "_csrf_token": client.cookies[CSRF_COOKIE]})
    assert right.status_code == 303
    assert f"Path=/s/{locked.token}" in right.headers["set-cookie"]
    assert (await client.get(f"/s/{locked.token}")).status_code == 200
    assert (await client.get(f"/s/{locked.token}/photos/{photo}/download")).status_code == 200
    assert (await client.get(f"/s/{other.token}/photos/{photo}/thumbnail/large")).status_code == 401
    # A new password voids what the old one opened.
    await share_links.update(alice.user_id, locked.id, share_links.ShareOptions(
        password="changed now", expiry="keep", download="original"))
    assert (await client.get(f"/s/{locked.token}/photos/{photo}/thumbnail/large")).status_code == 401


async def test_password_guessing_is_limited_per_link_and_address(client, alice, redis, worker) -> None:
    photo, *_ = await import_photos(redis, alice, worker, count=1)
    await sign_in(client, "alice")
    link = await make_link(client, alice, photos=[photo], password="open sesame")
    sign_out(client)
    await client.get(f"/s/{link.token}")
    for _ in range(share_ratelimit.PAIR_LIMIT):
        wrong = await client.post(f"/s/{link.token}/password",
                                  data={"password": "guess", "_csrf_token": client.cookies[CSRF_COOKIE]})
        assert wrong.status_code == 401
    limited = await client.post(f"/s/{link.token}/password",
                                data={"password": "open sesame", "_csrf_token": client.cookies[CSRF_COOKIE]})
    assert limited.status_code == 429 and "Too many wrong passwords" in limited.text
    assert int(limited.headers["retry-after"]) > 0
    assert (await client.get(f"/s/{link.token}/photos/{photo}/thumbnail/large")).status_code == 401


async def test_one_address_guessing_across_many_links_is_limited_too(client, alice, redis, worker) -> None:
    photo, *_ = await import_photos(redis, alice, worker, count=1)
    await sign_in(client, "alice")
    links = [await make_link(client, alice, photos=[photo], password=f"secret {n}") for n in range(5)]
    sign_out(client)
    await client.get(f"/s/{links[0].token}")
    tries = 0
    for link in links:
        for _ in range(share_ratelimit.PAIR_LIMIT - 1):     # under each link's own limit
            if tries == share_ratelimit.ADDRESS_LIMIT:
                break
            response = await client.post(f"/s/{link.token}/password", data={
                "password": "guess", "_csrf_token": client.cookies[CSRF_COOKIE]})
            assert response.status_code == 401
            tries += 1
    response = await client.post(f"/s/{links[-1].token}/password",
                                 data={"password": "secret 4", "_csrf_token": client.cookies[CSRF_COOKIE]})
    assert response.status_code == 429


@pytest.fixture
def served(settings, tmp_path):
    """`photonix web` in its own process on this test's database and Redis; (base URL, its log file)."""
    log = tmp_path / "web.log"
    port = 20000 + os.getpid() % 20000
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PHOTONIX_")},
           "PHOTONIX_DATA_DIR": str(settings.data_dir), "PHOTONIX_DATABASE_URL": settings.database_url,
           "PHOTONIX_REDIS_URL": settings.redis_url or "", "PHOTONIX_LOG_LEVEL": "debug",
           "PHOTONIX_SECURE_COOKIES": "false", "PHOTONIX_PORT": str(port), "PHOTONIX_HOST": "127.0.0.1"}
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "photonix", "web"], env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code < 500:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield base, log
    process.terminate()
    process.wait(timeout=30)


async def test_share_tokens_never_appear_in_the_logs(client, alice, redis, worker, served) -> None:
    base, log = served
    photo, *_ = await import_photos(redis, alice, worker, count=1)
    await sign_in(client, "alice")
    link = await make_link(client, alice, photos=[photo], password="open sesame")
    async with httpx.AsyncClient(base_url=base) as stranger:
        await stranger.get(f"/s/{link.token}")
        await stranger.post(f"/s/{link.token}/password", data={"password": "wrong",
                                                             "_csrf_token": stranger.cookies["csrftoken"]})
        await stranger.get(f"/s/{link.token}/photos/{photo}/thumbnail/large")
        await stranger.get(f"/s/{link.token}/photos/999999")
        await stranger.get(f"/s/{link.token}/no-such-route")
    written = log.read_text()
    assert "share_password_refused" in written and "/s/<token>" in written     # the requests were logged
    assert link.token not in written
