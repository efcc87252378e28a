"""The status shared by the dashboard's pollers: one read per second while the counts stand still, a
fresh read as soon as they move, and one read for polls that arrive together."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from arq import ArqRedis

from photonix.db import accounts
from photonix.jobs.shared_status import MAX_AGE, SharedStatus
from tests import corpus
from tests.library_files import import_into

GOOD = corpus.rows(expected="ok")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_polls_within_the_max_age_share_one_read(library: accounts.LibraryInfo,
                                                      redis: ArqRedis) -> None:
    await import_into(redis, library.id, [GOOD[0].file])
    clock = Clock()
    shared = SharedStatus(clock=clock)
    first = await shared.read(redis)
    clock.now += MAX_AGE / 2
    assert await shared.read(redis) is first
    clock.now += MAX_AGE / 2
    later = await shared.read(redis)
    assert later is not first and later.taken_at == clock.now


async def test_polls_arriving_together_share_the_read_under_way(library: accounts.LibraryInfo,
                                                                redis: ArqRedis) -> None:
    await import_into(redis, library.id, [GOOD[0].file])
    shared = SharedStatus(clock=Clock())
    one, two, three = await asyncio.gather(shared.read(redis), shared.read(redis), shared.read(redis))
    assert one is two is three


async def test_new_counts_are_read_at_once_within_the_max_age(library: accounts.LibraryInfo,
                                                              redis: ArqRedis) -> None:
    await import_into(redis, library.id, [GOOD[0].file])
    shared = SharedStatus(clock=Clock())                     # the clock never moves
    before = await shared.read(redis)
    await import_into(redis, library.id, [GOOD[1].file])
    after = await shared.read(redis)
    assert (before.totals.photos_processing, after.totals.photos_processing) == (1, 2)


async def test_forget_makes_the_next_poll_read_afresh(library: accounts.LibraryInfo, redis: ArqRedis) -> None:
    shared = SharedStatus(clock=Clock())
    first = await shared.read(redis)
    shared.forget()
    assert await shared.read(redis) is not first
