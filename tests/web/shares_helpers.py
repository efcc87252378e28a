"""What the share-link tests share: photos in Alice's library, a link made through the real form, and the
signed-out stranger who opens it."""

from __future__ import annotations

from collections.abc import Callable

from arq import ArqRedis, Worker
from litestar import Litestar
from litestar.testing import AsyncTestClient

from photonix.db import share_links
from photonix.db.share_links import ShareLinkInfo
from tests import corpus
from tests.library_files import import_into
from tests.web.conftest import CSRF_COOKIE, Member
from tests.web.test_pages import Elements as PageElements

# Photos with a place and a capture date, so location and metadata switches have something to hide.
PHOTOS = [row for row in corpus.rows(expected="ok") if row.gps_lat and row.datetime_original][:3]


async def import_photos(redis: ArqRedis, member: Member, worker: Callable[..., Worker],
        count: int = 3) -> list[int]:
    report = await import_into(redis, member.library_id, [row.file for row in PHOTOS[:count]])
    await worker().main()
    assert len(report.new_photo_ids) == count
    return list(report.new_photo_ids)


async def make_link(client: AsyncTestClient[Litestar], owner: Member, *, photos: list[int] | None = None,
                    album: int | None = None, **fields: str) -> ShareLinkInfo:
    """A link made through POST /shares/new as the signed-in owner; the link as the database holds it."""
    data: dict[str, str | list[str]] = {"create": "1", "_csrf_token": client.cookies[CSRF_COOKIE],
                                        "ids": [str(p) for p in photos or []], **fields}
    if album is not None:
        data["album"] = str(album)
    response = await client.post("/shares/new", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    link_id = int(response.headers["location"].rsplit("/", 1)[1])
    link = await share_links.link_of(owner.user_id, link_id)
    assert link is not None
    return link


def sign_out(client: AsyncTestClient[Litestar]) -> None:
    """The same client as a stranger: no session, no grants, no CSRF cookie."""
    client.cookies.clear()


class Elements(PageElements):
    """A page's elements, with its images' sources and its OpenGraph tags."""

    def sources(self) -> set[str]:
        return {a["src"] or "" for a in self.all("img")}

    def meta(self, prop: str) -> str | None:
        found = [a.get("content") for t, a in self.found if t == "meta" and a.get("property") == prop]
        return found[0] if found else None
