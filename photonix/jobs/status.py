"""JobsStatus, the one typed status of the pipeline, and where it is read from.

It feeds the /jobs page, the header, `photonix status` and `jobs list`, GET /api/v1/jobs/summary and
/metrics. Every figure has one source:
- per-step counts and the photo totals: the trigger-kept tallies (db/step_tally.py);
- throughput and durations p50/p95: finishes per minute and the durations of each step's last 200
  finished runs, which workers keep in Redis (jobs/step_metrics.py); without Redis, the durations of
  the last finished runs in the record;
- queue depth and the next try of retrying steps: ARQ's queue in Redis;
- workers: their heartbeats (jobs/heartbeat.py), with the jobs the record says each runs now;
- notices: outages (jobs/outages.py), the stuck-work sweep's repairs (jobs/stuck_work.py), lost workers."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import msgspec
import structlog
from arq import ArqRedis
from arq.constants import default_queue_name
from redis.exceptions import RedisError

from photonix.db import job_pauses, step_figures, step_tally
from photonix.db.step_states import UNFINISHED_STATES, StepState
from photonix.jobs.heartbeat import RunningJob, WorkerBeat, beats_of, worker_keys_in
from photonix.jobs.outages import REDIS, Outage, current_outages
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.step_metrics import finished_per_minute_in, recent_durations_in
from photonix.jobs.stuck_work import StuckReport, last_repair_in

log = structlog.get_logger()

THROUGHPUT_MINUTES = 15
FAILURES_SHOWN = 20


class StepTiming(msgspec.Struct, frozen=True):
    """How fast a step goes, and how long its backlog will take at that pace."""

    per_minute: tuple[int, ...]       # runs finished in each of the last 15 minutes, oldest first
    photos_per_minute: float          # the pace over that window, from its first busy minute
    p50_ms: int | None                # over its last finished runs (None before the first)
    p95_ms: int | None
    backlog: int                      # queued + running + retrying
    eta_seconds: int | None           # backlog at that pace; None when nothing moves
    next_retry_at: datetime | None    # when the first retrying run is due again


class QueueDepth(msgspec.Struct, frozen=True):
    """ARQ's queue (deferred retries included), and the steps the record says are running."""

    queued: int
    running: int


class Failure(msgspec.Struct, frozen=True):
    photo_id: int
    step: str
    error: str
    error_kind: str
    finished_at: datetime | None


class Totals(msgspec.Struct, frozen=True):
    """The header's figures: photos with work still to do, photos with a failed step, workers."""

    photos_processing: int
    photos_failed: int
    live_workers: int
    lost_workers: int


class JobsStatus(msgspec.Struct, frozen=True):
    """The pipeline right now. `steps` is step -> state -> count over the latest run of each photo's step
    (the shape `photonix status --json` has always printed), in pipeline order."""

    taken_at: datetime
    steps: dict[str, dict[StepState, int]]
    timing: dict[str, StepTiming]
    queue: QueueDepth | None          # None: no Redis to ask, or it did not answer
    totals: Totals
    workers: tuple[WorkerBeat, ...]
    recent_failures: tuple[Failure, ...]
    redis_unreachable: bool = False   # Redis is configured but did not answer: only the record's figures
    paused: tuple[str, ...] = ()      # what is paused, in words ("everything", "classify_color", …)
    notices: tuple[str, ...] = ()     # what needs attention, in sentences: outages, stuck work, lost workers

    @property
    def is_active(self) -> bool:
        """Whether anything is queued, running or waiting to retry (a folder scan in ARQ's queue too):
        the dashboard then polls fast."""
        in_queue = self.queue is not None and self.queue.queued > 0
        return in_queue or self.totals.photos_processing > 0 or any(t.backlog for t in self.timing.values())


class HeaderStatus(msgspec.Struct, frozen=True):
    """What the header of every page says: "Processing 1,234 · 3 failed · paused", and while a service
    is out of reach, "Redis unreachable since 12:03 UTC"."""

    processing: int
    failed: int
    paused: tuple[str, ...]           # what is paused, in words ("everything", "classify_color", …)
    outages: tuple[str, ...] = ()     # a sentence per service out of reach


async def paused_labels() -> tuple[str, ...]:
    """What is paused now, in words ("everything", "classify_color", "library Family")."""
    return tuple(pause.label for pause in await job_pauses.active_pauses())


async def header_status(user_id: int | None, redis: ArqRedis | None) -> HeaderStatus:
    """The header for an admin (user_id None: every library) or a member (their libraries only); both
    see an outage, which explains why nothing moves. Read in turn, not gathered: every page asks this,
    the reads are a millisecond each, and tasks would cost more than they overlap."""
    processing, failed = await step_tally.photo_totals(user_id)
    paused = await paused_labels() if user_id is None else ()
    outages = await current_outages(redis) if redis is not None else []
    return HeaderStatus(processing, failed, paused, tuple(outage_sentence(outage) for outage in outages))


def outage_sentence(outage: Outage) -> str:
    return f"{outage.label} unreachable since {outage.since:%H:%M} UTC."


def step_order(counted: Sequence[str]) -> list[str]:
    """The pipeline's steps in order, then any other step the record still counts (e.g. a removed one)."""
    names = PIPELINE.step_names()
    return names + sorted(set(counted) - set(names))


def percentile(values: Sequence[int], fraction: float) -> int | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def pace(per_minute: Sequence[int], now: datetime) -> float:
    """Runs per minute since the window's first busy minute (this minute counts as far as it has gone),
    so an import that began two minutes ago is not averaged over fifteen."""
    first_busy = next((index for index, count in enumerate(per_minute) if count), None)
    if first_busy is None:
        return 0.0
    elapsed = (len(per_minute) - 1 - first_busy) + now.second / 60 + now.microsecond / 60e6
    return sum(per_minute) / max(elapsed, 1.0)


async def next_tries(redis: ArqRedis) -> dict[str, datetime]:
    """step -> when its first retrying run is due again (the job's score in ARQ's queue)."""
    jobs = await step_figures.retrying_jobs()
    if not jobs:
        return {}
    scores = await redis.zmscore(default_queue_name, [job_id for _, job_id in jobs])
    due: dict[str, datetime] = {}
    for (step, _), score in zip(jobs, scores, strict=True):
        if score is not None:
            at = datetime.fromtimestamp(score / 1000, UTC)
            due[step] = min(due.get(step, at), at)
    return due


class RedisFigures(NamedTuple):
    """What the status reads from Redis; empty without Redis."""

    durations: dict[str, list[int]]
    throughput: dict[str, tuple[int, ...]]
    retries: dict[str, datetime]
    workers: tuple[WorkerBeat, ...]
    queued: int | None
    repair: StuckReport | None = None
    unreachable: bool = False


async def redis_figures(redis: ArqRedis | None, names: list[str], now: datetime,
                        any_retrying: bool) -> RedisFigures:
    """Everything the status reads from Redis in one pipelined round trip, then the beats of the workers
    it names (and when retrying runs are due) in a second."""
    if redis is None:
        return RedisFigures({}, {}, {}, (), None)
    try:
        async with redis.pipeline(transaction=False) as pipe:
            durations = recent_durations_in(pipe, names)
            throughput = finished_per_minute_in(pipe, names, THROUGHPUT_MINUTES, now)
            worker_keys = worker_keys_in(pipe)
            repair = last_repair_in(pipe)
            pipe.zcard(default_queue_name)
            answers = await pipe.execute()
        workers, retries = await asyncio.gather(
            beats_of(redis, worker_keys(answers), now), next_tries(redis) if any_retrying else _nothing_due())
    except (RedisError, OSError) as exc:
        # The record still answers; the status says Redis did not (the dashboard shows it as a notice).
        log.warning("status_without_redis", error=str(exc), error_kind=type(exc).__name__)
        return RedisFigures({}, {}, {}, (), None, unreachable=True)
    return RedisFigures(durations(answers), throughput(answers), retries, tuple(workers), int(answers[-1]),
                        repair(answers))


def with_running_from_the_record(workers: tuple[WorkerBeat, ...],
                                 running: list[step_figures.RunningRun]) -> tuple[WorkerBeat, ...]:
    """The workers with the jobs the record says each runs now (step_run.worker): a beat is up to one
    interval old, and fast steps finish many times within it."""
    by_worker: dict[str, list[RunningJob]] = {}
    for run in running:
        if run.started_at is not None:
            by_worker.setdefault(run.worker, []).append(
                RunningJob(run.photo_id, run.step, run.started_at, run.job_id))
    return tuple(replace(beat, running=tuple(by_worker.get(beat.worker_id, ()))) for beat in workers)


async def _nothing_due() -> dict[str, datetime]:
    return {}


REPAIR_SHOWN_FOR = timedelta(hours=1)


async def outages(redis: ArqRedis | None) -> list[Outage]:
    """Services out of reach now (none known without Redis: nothing runs that could miss it)."""
    return await current_outages(redis) if redis is not None else []


def notices(found: list[Outage], live: RedisFigures, now: datetime) -> tuple[str, ...]:
    """Sentences for what needs attention: services out of reach ("Redis unreachable since 12:03 UTC"),
    the stuck-work sweep's latest repair within the hour, workers silent past the heartbeat window."""
    said = [outage_sentence(outage) for outage in found]
    if live.unreachable and not any(outage.service == REDIS for outage in found):
        said.append("Redis is not answering: the queue, the workers and the pace are unknown until it does; "
                    "the counts come from the database.")
    if live.repair is not None and now - live.repair.at <= REPAIR_SHOWN_FOR:
        said.append(f"Stuck work repaired: {live.repair.sentence} UTC.")
    said += [f"Worker {beat.host} (pid {beat.pid}) has not been heard from for "
             f"{elapsed_words(beat.last_beat, now)}; its jobs run again on another worker."
             for beat in live.workers if beat.lost]
    return tuple(said)


def elapsed_words(moment: datetime, now: datetime) -> str:
    """'42 s', '3 min 5 s', '2 h 10 min': how long ago, for heartbeats and running jobs."""
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


async def jobs_status(redis: ArqRedis | None, now: datetime | None = None, *,
                      counted: dict[str, dict[str, int]] | None = None) -> JobsStatus:
    """Every figure of the status; without Redis, the record's figures only. `counted`: the tallies'
    step counts when the caller has just read them.

    The reads are independent, so they overlap: Redis answers while the database works."""
    now = now or datetime.now(UTC)
    if counted is None:
        counted = await step_tally.step_counts()
    names = step_order(list(counted))
    steps = {name: {state: counted.get(name, {}).get(state, 0) for state in StepState} for name in names}
    live, (processing, failed), failures, paused, found, running_runs = await asyncio.gather(
        redis_figures(redis, names, now, any(counts[StepState.RETRYING] for counts in steps.values())),
        step_tally.photo_totals(), step_figures.recent_failures(FAILURES_SHOWN), paused_labels(),
        outages(redis), step_figures.running_runs())
    # Without Redis (a CLI on a machine where none runs), durations come from the record instead.
    fallback_durations = await step_figures.recent_durations(names) if live.queued is None else {}
    timing = {}
    for name in names:
        per_minute = live.throughput.get(name, (0,) * THROUGHPUT_MINUTES)
        rate = pace(per_minute, now)
        backlog = sum(steps[name][state] for state in UNFINISHED_STATES)
        durations = live.durations.get(name) or fallback_durations.get(name, [])
        timing[name] = StepTiming(
            per_minute=per_minute, photos_per_minute=round(rate, 1),
            p50_ms=percentile(durations, 0.5), p95_ms=percentile(durations, 0.95),
            backlog=backlog, eta_seconds=round(backlog / rate * 60) if backlog and rate else None,
            next_retry_at=live.retries.get(name))
    running = sum(counts[StepState.RUNNING] for counts in steps.values())
    workers = with_running_from_the_record(live.workers, running_runs)
    return JobsStatus(
        taken_at=now, steps=steps, timing=timing,
        queue=QueueDepth(live.queued, running) if live.queued is not None else None,
        totals=Totals(processing, failed, sum(not w.lost for w in workers), sum(w.lost for w in workers)),
        workers=workers,
        recent_failures=tuple(Failure(f.photo_id, f.step, f.error, f.error_kind, f.finished_at)
                              for f in failures),
        redis_unreachable=live.unreachable, paused=paused, notices=notices(found, live, now))


def eta_words(seconds: int | None) -> str:
    """'about 3 min', 'about 2 h 5 min', or '—' when there is no estimate."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return "under a minute"
    minutes = round(seconds / 60)
    return f"about {minutes} min" if minutes < 60 else f"about {minutes // 60} h {minutes % 60} min"
