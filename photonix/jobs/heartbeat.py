"""Worker heartbeats in Redis: what each live worker says about itself, and which went silent.

ARQ's health check key covers a whole queue; a beat per worker lets the dashboard list every worker and
mark one lost when it stops beating. Each worker writes one JSON value under its own key, with a TTL
long enough that a lost worker stays listed (as lost) for a while after its last beat."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from arq import ArqRedis
from redis.asyncio.client import Pipeline

BEAT_KEY_PREFIX = "photonix:worker:"
# Every worker that beat lately, by id with its last beat's time: listing workers reads this, not a SCAN
# of the whole keyspace (which holds a key per queued job: 100k while a big import waits).
WORKER_INDEX_KEY = "photonix:workers"
WORKER_INDEX_KEPT_SECONDS = 3600      # ids silent this long leave the index (their beat key expired long ago)
BEATS_BEFORE_LOST = 3                 # a worker silent for this many beat intervals is lost
LOST_LISTED_SECONDS = 600             # how long a lost worker stays on the dashboard


@dataclass(frozen=True, slots=True)
class RunningJob:
    """A step a worker is running now."""

    photo_id: int
    step: str
    started_at: datetime
    job_id: str = ""                   # the ARQ job (`step:photo:version`), for whoever takes over


@dataclass(frozen=True, slots=True)
class WorkerBeat:
    """One worker as its last beat described it; `lost` when it is silent past the heartbeat window."""

    worker_id: str
    host: str
    pid: int
    version: str
    concurrency: int
    pool_size: int
    rss_bytes: int
    started_at: datetime
    last_beat: datetime
    beat_seconds: float
    jobs_done: int
    jobs_failed: int
    running: tuple[RunningJob, ...]
    lost: bool = False


def beat_key(worker_id: str) -> str:
    return BEAT_KEY_PREFIX + worker_id


def encode_beat(beat: WorkerBeat) -> str:
    fields = asdict(beat)
    fields.pop("lost")
    return json.dumps(fields, default=lambda value: value.isoformat())


def decode_beat(raw: bytes | str, now: datetime) -> WorkerBeat:
    fields: dict[str, Any] = json.loads(raw)
    fields.pop("lost", None)
    running = tuple(RunningJob(int(job["photo_id"]), str(job["step"]),
                               datetime.fromisoformat(job["started_at"]), str(job.get("job_id", "")))
                    for job in fields.pop("running"))
    beat = WorkerBeat(**{**fields, "started_at": datetime.fromisoformat(fields["started_at"]),
                         "last_beat": datetime.fromisoformat(fields["last_beat"]), "running": running})
    silent_for = now - beat.last_beat
    return replace(beat, lost=silent_for > timedelta(seconds=beat.beat_seconds * BEATS_BEFORE_LOST))


def beat_ttl_seconds(beat_seconds: float) -> int:
    """How long a beat (and a worker's in-flight hash) outlives the worker: lost, then listed a while."""
    return int(beat_seconds * BEATS_BEFORE_LOST + LOST_LISTED_SECONDS)


async def publish_beat(redis: ArqRedis, beat: WorkerBeat) -> None:
    """Write this worker's beat; the key outlives the beat so a silent worker can be shown as lost."""
    await redis.set(beat_key(beat.worker_id), encode_beat(beat), ex=beat_ttl_seconds(beat.beat_seconds))
    await index_worker(redis, beat)


async def index_worker(redis: ArqRedis, beat: WorkerBeat) -> None:
    """Keep the worker in the index that worker_beats() reads."""
    async with redis.pipeline(transaction=False) as pipe:
        index_in(pipe, beat)
        await pipe.execute()


def index_in(pipe: Pipeline, beat: WorkerBeat) -> None:
    """Add to a pipeline: the worker into the index worker_beats() reads; ids silent for an hour go."""
    moment = beat.last_beat.timestamp()
    pipe.zadd(WORKER_INDEX_KEY, {beat.worker_id: moment})
    pipe.zremrangebyscore(WORKER_INDEX_KEY, "-inf", moment - WORKER_INDEX_KEPT_SECONDS)


def worker_keys_in(pipe: Pipeline) -> Callable[[list[Any]], list[str]]:
    """Queue on `pipe` the read of the worker index; what it returns gives the beat keys from the answers."""
    at = len(pipe.command_stack)
    pipe.zrange(WORKER_INDEX_KEY, 0, -1)

    def read(answers: list[Any]) -> list[str]:
        return [beat_key(worker_id.decode() if isinstance(worker_id, bytes) else worker_id)
                for worker_id in answers[at]]
    return read


async def beats_of(redis: ArqRedis, keys: list[str], now: datetime) -> list[WorkerBeat]:
    """The beats under these keys (expired ones left out), live ones first, then by host and pid."""
    values = await redis.mget(keys) if keys else []
    beats = [decode_beat(raw, now) for raw in values if raw is not None]
    return sorted(beats, key=lambda beat: (beat.lost, beat.host, beat.pid))


async def worker_beats(redis: ArqRedis, now: datetime | None = None) -> list[WorkerBeat]:
    """Every worker that beat within the listing window, live ones first, then by host and pid."""
    async with redis.pipeline(transaction=False) as pipe:
        read = worker_keys_in(pipe)
        keys = read(await pipe.execute())
    return await beats_of(redis, keys, now or datetime.now(UTC))
