"""Pages as a browser gets them: sign-in, the grid and detail, inline rating and tags, full page vs
fragment."""

from __future__ import annotations

from html.parser import HTMLParser

from arq import ArqRedis

from photonix.web import sessions
from tests import corpus
from tests.library_files import import_into
from tests.web.conftest import Member, csrf, sign_in

PHOTO = next(row for row in corpus.rows(expected="ok") if row.gps_lat and row.datetime_original)


class Elements(HTMLParser):
    """Tag names and attributes of a document, for asserting on structure rather than strings."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))

    def all(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.found if t == tag and all(a.get(k) == v for k, v in attrs.items())]


async def imported(redis: ArqRedis, member: Member, worker) -> int:
    report = await import_into(redis, member.library_id, [PHOTO.file])
    await worker().main()
    return report.new_photo_ids[0]


async def test_pages_redirect_to_sign_in_when_signed_out(client, alice) -> None:
    response = await client.get("/photos/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    htmx = await client.get("/photos/", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/login")


async def test_wrong_password_answers_400_with_the_message_on_the_page(client, alice) -> None:
    await client.get("/login")
    response = await client.post("/login", data={"username": "alice", "password": "nope",
                                                 "_csrf_token": client.cookies["csrftoken"]})
    assert response.status_code == 400 and "Wrong user name or password" in response.text


async def test_repeated_failures_are_rate_limited_with_a_clear_message(client, alice, redis) -> None:
    await client.get("/login")
    for _ in range(5):
        await client.post("/login", data={"username": "alice", "password": "nope",
                                          "_csrf_token": client.cookies["csrftoken"]})
    response = await client.post("/login", data={"username": "alice", "password": "correct horse battery",
                                                 "_csrf_token": client.cookies["csrftoken"]})
    assert response.status_code == 429 and "Too many failed sign-ins" in response.text


async def test_sign_in_issues_a_new_session_id_not_a_planted_one(client, alice) -> None:
    client.cookies.set(sessions.COOKIE, "planted-by-an-attacker", domain="testserver.local")
    await sign_in(client, "alice")
    assert client.cookies[sessions.COOKIE] != "planted-by-an-attacker"
    assert (await client.get("/photos/")).status_code == 200


async def test_post_without_csrf_token_is_refused(client, alice, redis, worker) -> None:
    photo_id = await imported(redis, alice, worker)
    await sign_in(client, "alice")
    response = await client.post(f"/photos/{photo_id}/rating", data={"rating": "4"})
    assert response.status_code == 403
    assert (await client.get(f"/api/v1/photos/{photo_id}", headers=alice.auth)).json()["rating"] == 0


async def test_grid_shows_tiles_and_the_fragment_comes_alone(client, alice, redis, worker) -> None:
    photo_id = await imported(redis, alice, worker)
    await sign_in(client, "alice")
    full = await client.get("/photos/")
    page = Elements(full.text)
    assert page.all("a", id=f"p{photo_id}") and page.all("html")
    fragment = await client.get("/photos/", headers={"HX-Request": "true"})
    assert not Elements(fragment.text).all("html") and Elements(fragment.text).all("a", id=f"p{photo_id}")
    assert full.headers["vary"] == "HX-Request"


async def test_rating_swaps_only_its_stars(client, alice, redis, worker) -> None:
    photo_id = await imported(redis, alice, worker)
    await sign_in(client, "alice")
    response = await client.post(f"/photos/{photo_id}/rating", data={"rating": "4"},
                                 headers={**csrf(client), "HX-Request": "true"})
    fragment = Elements(response.text)
    assert response.status_code == 200 and fragment.all("form", id="rating") and not fragment.all("html")
    assert "checked" in fragment.all("input", id="rate-4")[0]
    assert (await client.get(f"/api/v1/photos/{photo_id}", headers=alice.auth)).json()["rating"] == 4
    bad = await client.post(f"/photos/{photo_id}/rating", data={"rating": "9"},
                            headers={**csrf(client), "HX-Request": "true"})
    assert bad.status_code == 422 and "0 to 5" in bad.text


async def test_plain_form_post_answers_303_back_to_the_photo(client, alice, redis, worker) -> None:
    photo_id = await imported(redis, alice, worker)
    await sign_in(client, "alice")
    response = await client.post(f"/photos/{photo_id}/rating", follow_redirects=False,
                                 data={"rating": "2", "_csrf_token": client.cookies["csrftoken"]})
    assert response.status_code == 303 and response.headers["location"] == f"/photos/{photo_id}"


async def test_user_tag_is_added_and_removed_inline(client, alice, redis, worker) -> None:
    photo_id = await imported(redis, alice, worker)
    await sign_in(client, "alice")
    added = await client.post(f"/photos/{photo_id}/tags", data={"name": "  summer   trip "},
                              headers={**csrf(client), "HX-Request": "true"})
    assert added.status_code == 200 and "summer trip" in added.text
    detail = (await client.get(f"/api/v1/photos/{photo_id}", headers=alice.auth)).json()
    [tag] = [t for t in detail["tags"] if t["source"] == "user"]
    removed = await client.post(f"/photos/{photo_id}/tags/{tag['tag_id']}/delete",
                                headers={**csrf(client), "HX-Request": "true"})
    assert removed.status_code == 200 and "summer trip" not in removed.text


async def test_detail_page_shows_exif_steps_and_neighbour_links(client, alice, redis, worker) -> None:
    photo_id = await imported(redis, alice, worker)
    await sign_in(client, "alice")
    response = await client.get(f"/photos/{photo_id}")
    assert response.status_code == 200
    assert PHOTO.camera_model.strip() in response.text
    assert "extract metadata" in response.text and Elements(response.text).all("svg")


async def test_another_users_photo_page_is_404(client, alice, bob, redis, worker) -> None:
    photo_id = await imported(redis, alice, worker)
    await sign_in(client, "bob")
    assert (await client.get(f"/photos/{photo_id}")).status_code == 404
    response = await client.post(f"/photos/{photo_id}/rating", data={"rating": "5"},
                                 headers={**csrf(client), "HX-Request": "true"})
    assert response.status_code == 404


async def test_grid_narrows_to_failed_photos_and_to_a_tag(client, alice, redis, worker) -> None:
    bad = corpus.rows(expected="fail")[0]
    report = await import_into(redis, alice.library_id, [PHOTO.file, bad.file])
    await worker().main()
    good_id, bad_id = report.new_photo_ids
    await sign_in(client, "alice")
    failed = Elements((await client.get("/photos/?state=failed")).text)
    assert failed.all("a", id=f"p{bad_id}") and not failed.all("a", id=f"p{good_id}")
    detail = (await client.get(f"/api/v1/photos/{good_id}", headers=alice.auth)).json()
    country = next(t["name"] for t in detail["tags"] if t["kind"] == "location" and not t["parent"])
    by_place = Elements((await client.get("/photos/", params={"q": country.upper()})).text)
    assert by_place.all("a", id=f"p{good_id}") and not by_place.all("a", id=f"p{bad_id}")
    nothing = await client.get("/photos/", params={"q": "no such tag"})
    assert "No photos match" in nothing.text
