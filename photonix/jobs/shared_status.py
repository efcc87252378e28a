"""The dashboard's status shared by everyone polling it: read at most once per MAX_AGE in a process while
the step counts stay the same, and polls that arrive while a read is under way wait for it instead of
starting their own.

Every open /jobs tab polls every 2 s, each poll a dozen database and Redis reads. With the status shared,
a poll that finds a fresh one reads only the step counts (a few rows of the tallies) and renders: ten
admins cost what one does. The counts are always current (any change to them reads the status afresh),
the rest (pace, workers, queue depth) is at most a second old, well inside the poll interval. What this
process changes itself (a pause, a retry: any POST) shows at once: the web app calls forget() before such
a response leaves."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from arq import ArqRedis

from photonix.db import step_tally
from photonix.jobs.status import JobsStatus, jobs_status

MAX_AGE = timedelta(seconds=1)

Counts = dict[str, dict[str, int]]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SharedStatus:
    """One process's latest JobsStatus with the step counts it was read at, and the read under way."""

    def __init__(self, max_age: timedelta = MAX_AGE, clock: Callable[[], datetime] = _utc_now) -> None:
        self._max_age = max_age
        self._clock = clock
        self._latest: tuple[Counts, JobsStatus] | None = None
        self._reading: tuple[Counts, asyncio.Future[JobsStatus]] | None = None
        self._generation = 0              # bumped by forget(): a read begun before it is not kept

    async def read(self, redis: ArqRedis | None) -> JobsStatus:
        """The status, read at most max_age ago and at the step counts the tallies hold now."""
        counted = await step_tally.step_counts()
        now = self._clock()
        if self._latest is not None:
            at_counts, latest = self._latest
            if at_counts == counted and timedelta(0) <= now - latest.taken_at < self._max_age:
                return latest
        if self._reading is None or self._reading[0] != counted:
            self._reading = (counted, asyncio.ensure_future(self._read(redis, now, counted)))
        # shield: a poller that gives up (its client went away) must not cancel the others' read.
        return await asyncio.shield(self._reading[1])

    async def _read(self, redis: ArqRedis | None, now: datetime, counted: Counts) -> JobsStatus:
        generation = self._generation
        try:
            status = await jobs_status(redis, now, counted=counted)
        finally:
            if self._reading is not None and self._reading[0] is counted:
                self._reading = None
        if generation == self._generation:
            self._latest = (counted, status)
        return status

    def forget(self) -> None:
        """Something changed (an action of this process): the next poll reads afresh, not joining a read
        that began before the change."""
        self._latest = None
        self._reading = None
        self._generation += 1
