"""What the job-list tests share: an admin's library filled by a real import and a real worker, and
clients signed in as the people who look at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from arq import ArqRedis, Worker
from litestar import Litestar
from litestar.testing import AsyncTestClient

from photonix.config import Settings
from photonix.db import accounts
from photonix.db.tables import TABLES
from photonix.jobs.flow import Chain
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.pool import WorkerPool
from photonix.jobs.worker import build_worker
from tests.library_files import import_into
from tests.web.conftest import sign_in

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class People:
    """An admin who owns the library, a member of it, and a user of another library."""

    library_id: int
    other_library_id: int
    admin: str = "root"
    member: str = "mia"
    stranger: str = "sam"


async def empty_records(redis: ArqRedis) -> None:
    """What the `clean` fixture does, for module-scoped fixtures that import once for many tests."""
    for table in reversed(TABLES):
        await table.delete(force=True)
    await redis.flushdb()


async def people_with_a_library(folder: Path, other_folder: Path) -> People:
    admin = await accounts.create_user("root", PASSWORD, is_admin=True)
    library_id = await accounts.create_library("Family", [folder], admin)
    member = await accounts.create_user("mia", PASSWORD)
    await accounts.add_member(library_id, member)
    stranger = await accounts.create_user("sam", PASSWORD)
    other_library_id = await accounts.create_library("Sam's", [other_folder], stranger)
    return People(library_id, other_library_id)


async def imported(redis: ArqRedis, settings: Settings, pool: WorkerPool, library_id: int, files: list[Path],
                   pipeline: Chain = PIPELINE) -> list[int]:
    """Import the files through the real importer, and drain the queue with a real burst-mode worker."""
    report = await import_into(redis, library_id, files, pipeline)
    worker: Worker = build_worker(settings, pipeline=pipeline, burst=True, pool=pool)
    await worker.main()
    return report.new_photo_ids


@asynccontextmanager
async def signed_in(app: Litestar, username: str | None) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A browser of its own, signed in as username (None: nobody)."""
    async with AsyncTestClient(app=app) as client:
        if username is not None:
            await sign_in(client, username, PASSWORD)
        yield client


class Document(HTMLParser):
    """Elements with their attributes and text, for asserting on structure rather than strings."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.texts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.texts.append(" ".join(data.split()))

    def all(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [found for name, found in self.elements
                if name == tag and all(found.get(key.rstrip("_")) == value for key, value in attrs.items())]

    def links(self) -> list[str]:
        return [attrs["href"] for attrs in self.all("a") if "href" in attrs]

    def has_class(self, tag: str, name: str) -> list[dict[str, str]]:
        return [found for found in self.all(tag) if name in found.get("class", "").split()]

    @property
    def text(self) -> str:
        return " ".join(self.texts)


Reader = Callable[[str], Document]
