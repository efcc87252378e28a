"""What the job dashboard's notice area says about the workers' world, read in one call: the outages
now ("Redis unreachable since 12:03"), the workers lost, and the latest repair of stuck work.

Readable while Redis is down: the outages come from the database and this process's own reads, and the
rest (which lives in Redis) is then simply empty."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from arq import ArqRedis
from redis.exceptions import RedisError

from photonix.jobs.heartbeat import WorkerBeat, worker_beats
from photonix.jobs.outages import READ_TIMEOUT_SECONDS, Outage, current_outages
from photonix.jobs.stuck_work import StuckReport, last_repair


@dataclass(frozen=True, slots=True)
class WorkerNotices:
    outages: tuple[Outage, ...]
    lost_workers: tuple[WorkerBeat, ...]      # silent past the heartbeat window, still listed a while
    last_repair: StuckReport | None           # "3 stuck steps re-queued at 12:03"

    @property
    def is_empty(self) -> bool:
        return not (self.outages or self.lost_workers or self.last_repair)


async def worker_notices(redis: ArqRedis) -> WorkerNotices:
    outages = tuple(await current_outages(redis))
    try:
        beats, repaired = await asyncio.wait_for(
            asyncio.gather(worker_beats(redis), last_repair(redis)), READ_TIMEOUT_SECONDS)
    except (RedisError, OSError, TimeoutError):
        return WorkerNotices(outages, (), None)
    return WorkerNotices(outages, tuple(beat for beat in beats if beat.lost), repaired)
