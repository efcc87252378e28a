"""What workers count in Redis as each try of a step ends: durations, outcomes, finishes per minute.

/metrics is read from the web process, but steps run in workers, often on other hosts, so the worker
that ran a try counts it in Redis, where every web process reads the same totals. That gives Prometheus
what it expects: a real histogram and counters that only grow (a Redis flush is a counter reset, which
rate() handles). Building the histogram at scrape time from the StepRun record was the other choice,
but the record keeps one row per step and version, so retried tries and cleared history would make its
"counters" go down. The dashboard's throughput sparkline reads the per-minute finishes kept here too:
a few keys, where counting recent rows in the record would read thousands per poll; and so do the
p50/p95 durations, over a capped list of each step's latest finished runs.

Counting is best effort: a Redis hiccup costs a sample, never the step (the record stays the truth)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from arq import ArqRedis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError

log = structlog.get_logger()

KEY_PREFIX = "photonix:metrics:"
DURATION_KEY = KEY_PREFIX + "duration:"       # + step: hash {bucket bound | "sum"} -> count | seconds
OUTCOME_KEY = KEY_PREFIX + "outcomes:"        # + step: hash {state} -> tries that ended so
FINISHED_KEY = KEY_PREFIX + "finished:"       # + minute since the epoch: hash {step} -> runs finished
FINISHED_KEPT_SECONDS = 20 * 60               # a little more than the dashboard's 15-minute window
RECENT_KEY = KEY_PREFIX + "recent:"           # + step: list of the latest finished runs' duration_ms
RECENT_RUNS = 200                             # what the dashboard's p50/p95 are taken over

# Upper bounds in seconds, from a thumbnail of a small JPEG to a large RAW develop or a slow classifier.
DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
INF = "+Inf"
FINISHED_STATES = frozenset({"done", "failed", "skipped"})
DURATION_STATES = frozenset({"done", "failed"})   # a skip takes no time worth a percentile


@dataclass(frozen=True, slots=True)
class DurationHistogram:
    """One step's tries by duration: cumulative counts per upper bound (the last is +Inf), their sum."""

    buckets: tuple[tuple[str, int], ...]
    sum_seconds: float

    @property
    def count(self) -> int:
        return self.buckets[-1][1] if self.buckets else 0


@dataclass(frozen=True, slots=True)
class StepCounters:
    """Everything counted for one step since Redis last started empty."""

    durations: DurationHistogram
    outcomes: dict[str, int]          # done / failed / skipped / retrying -> tries


def bucket_of(seconds: float) -> str:
    for bound in DURATION_BUCKETS:
        if seconds <= bound:
            return str(bound)
    return INF


def minute_of(moment: datetime) -> int:
    return int(moment.timestamp() // 60)


async def observe_step(redis: ArqRedis | None, step: str, state: str, duration_ms: int,
                       now: datetime | None = None) -> None:
    """Count one try of `step` that ended in `state` (done, failed, skipped or retrying)."""
    if redis is None:
        return
    seconds = duration_ms / 1000
    minute = minute_of(now or datetime.now(UTC))
    try:
        async with redis.pipeline(transaction=False) as pipe:
            pipe.hincrby(DURATION_KEY + step, bucket_of(seconds), 1)
            pipe.hincrbyfloat(DURATION_KEY + step, "sum", seconds)
            pipe.hincrby(OUTCOME_KEY + step, state, 1)
            if state in FINISHED_STATES:
                pipe.hincrby(FINISHED_KEY + str(minute), step, 1)
                pipe.expire(FINISHED_KEY + str(minute), FINISHED_KEPT_SECONDS)
            if state in DURATION_STATES:
                pipe.lpush(RECENT_KEY + step, duration_ms)
                pipe.ltrim(RECENT_KEY + step, 0, RECENT_RUNS - 1)
            await pipe.execute()
    except (RedisError, OSError) as exc:
        log.warning("step_metrics_not_counted", step=step, error=str(exc), error_kind=type(exc).__name__)


async def step_counters(redis: ArqRedis, steps: Iterable[str]) -> dict[str, StepCounters]:
    """step -> its histogram and outcome counts (steps never counted get zeros)."""
    names = list(steps)
    async with redis.pipeline(transaction=False) as pipe:
        for step in names:
            pipe.hgetall(DURATION_KEY + step)
            pipe.hgetall(OUTCOME_KEY + step)
        answers = await pipe.execute()
    counters = {}
    for index, step in enumerate(names):
        durations = _decoded(answers[2 * index])
        outcomes = {state: int(count) for state, count in _decoded(answers[2 * index + 1]).items()}
        running, buckets = 0, []
        for bound in (*(str(b) for b in DURATION_BUCKETS), INF):
            running += int(durations.get(bound, 0))
            buckets.append((bound, running))
        counters[step] = StepCounters(DurationHistogram(tuple(buckets), float(durations.get("sum", 0))),
                                      outcomes)
    return counters


def finished_per_minute_in(pipe: Pipeline, steps: list[str], minutes: int,
                           now: datetime | None = None) -> Callable[[list[Any]], dict[str, tuple[int, ...]]]:
    """Queue on `pipe` the reads of finished_per_minute(); what it returns decodes the pipeline's answers."""
    current = minute_of(now or datetime.now(UTC))
    first = len(pipe.command_stack)
    for minute in range(current - minutes + 1, current + 1):
        pipe.hmget(FINISHED_KEY + str(minute), steps)

    def read(answers: list[Any]) -> dict[str, tuple[int, ...]]:
        mine = answers[first:first + minutes]
        return {step: tuple(int(answer[index] or 0) for answer in mine) for index, step in enumerate(steps)}
    return read


async def finished_per_minute(redis: ArqRedis, steps: Iterable[str], minutes: int,
                              now: datetime | None = None) -> dict[str, tuple[int, ...]]:
    """step -> runs finished in each of the last `minutes` minutes, oldest first, this minute last."""
    names = list(steps)
    if not names:
        return {}
    async with redis.pipeline(transaction=False) as pipe:
        read = finished_per_minute_in(pipe, names, minutes, now)
        return read(await pipe.execute())


def recent_durations_in(pipe: Pipeline, steps: list[str]) -> Callable[[list[Any]], dict[str, list[int]]]:
    """Queue on `pipe` the reads of recent_durations(); what it returns decodes the pipeline's answers."""
    first = len(pipe.command_stack)
    for step in steps:
        pipe.lrange(RECENT_KEY + step, 0, RECENT_RUNS - 1)

    def read(answers: list[Any]) -> dict[str, list[int]]:
        return {step: [int(value) for value in answers[first + index]] for index, step in enumerate(steps)}
    return read


async def recent_durations(redis: ArqRedis, steps: Iterable[str]) -> dict[str, list[int]]:
    """step -> duration_ms of its latest finished (done or failed) runs, newest first."""
    async with redis.pipeline(transaction=False) as pipe:
        read = recent_durations_in(pipe, list(steps))
        return read(await pipe.execute())


def _decoded(raw: dict[bytes | str, bytes | str]) -> dict[str, str]:
    return {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
            for k, v in raw.items()}
