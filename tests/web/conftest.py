"""An in-process test client on create_app(settings), and users with tokens in separate libraries."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from arq import ArqRedis, Worker
from litestar import Litestar
from litestar.testing import AsyncTestClient

from photonix.config import Settings
from photonix.db import accounts, tags
from photonix.web.app import create_app
from tests import corpus
from tests.library_files import import_into


@dataclass(frozen=True)
class Member:
    user_id: int
    library_id: int
    token: str
    folder: Path | None = None        # where import_into puts its files (tests.library_files)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="session")
def app(settings: Settings, database: None) -> Litestar:
    return create_app(settings, owns_database=False)


@pytest.fixture
async def client(app: Litestar, clean: None) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


async def make_member(name: str, folder: Path | None = None) -> Member:
    """A user with a token and a library of their own, whose folder is `folder` (none: uploads only)."""
    user_id = await accounts.create_user(name, "correct horse battery")
    library_id = await accounts.create_library(f"{name}'s library", [folder] if folder else [], user_id)
    return Member(user_id, library_id, await accounts.create_token(user_id, "tests"), folder)


CSRF_COOKIE = "csrftoken"


async def sign_in(client: AsyncTestClient[Litestar], username: str,
                  password: str = "correct horse battery") -> None:
    """Sign in through the real form: GET /login sets the CSRF cookie, POST /login sends it back."""
    await client.get("/login")
    response = await client.post("/login", follow_redirects=False, data={
        "username": username, "password": password, "_csrf_token": client.cookies[CSRF_COOKIE]})
    assert response.status_code == 303, response.text


def csrf(client: AsyncTestClient[Litestar]) -> dict[str, str]:
    """The header HTMX sends with every request (base.html's hx-headers)."""
    return {"x-csrftoken": client.cookies[CSRF_COOKIE]}


@pytest.fixture
async def alice(clean: None, tmp_path_factory: pytest.TempPathFactory) -> Member:
    return await make_member("alice", tmp_path_factory.mktemp("alice"))


@pytest.fixture
async def bob(clean: None, tmp_path_factory: pytest.TempPathFactory) -> Member:
    return await make_member("bob", tmp_path_factory.mktemp("bob"))


@pytest.fixture
async def alices_photo(alice: Member, redis: ArqRedis, worker: Callable[..., Worker]) -> dict[str, int | str]:
    """Alice's one imported photo with a private tag: the ids a crawl fills into route templates."""
    report = await import_into(redis, alice.library_id, [corpus.rows(expected="ok")[0].file])
    await worker().main()
    photo_id = report.new_photo_ids[0]
    tag_id = await tags.add_user_tag(photo_id, "private")
    return {"photo_id": photo_id, "tag_id": tag_id, "size": "square", "file_path": "css/app.css"}
