"""An in-process test client on create_app(settings), and users with tokens in separate libraries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from photonix.config import Settings
from photonix.db import accounts
from photonix.web.app import create_app


@dataclass(frozen=True)
class Member:
    user_id: int
    library_id: int
    token: str

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


async def make_member(name: str) -> Member:
    user_id = await accounts.create_user(name, "correct horse battery")
    library_id = await accounts.create_library(f"{name}'s library", [], user_id)
    return Member(user_id, library_id, await accounts.create_token(user_id, "tests"))


@pytest.fixture
async def alice(clean: None) -> Member:
    return await make_member("alice")


@pytest.fixture
async def bob(clean: None) -> Member:
    return await make_member("bob")
