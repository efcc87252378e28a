"""/healthz (database and Redis answer) and /metrics (Prometheus: step states, durations, queue depth)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from litestar import Response, get
from litestar.exceptions import ServiceUnavailableException
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from photonix.db import stepruns
from photonix.db.tables import StepRun
from photonix.jobs.queue import queue_depth
from photonix.web.deps import RedisDep


@get("/healthz", include_in_schema=False)
async def healthz(redis: RedisDep) -> dict[str, str]:
    try:
        await StepRun.count()
        await redis.ping()
    except Exception as exc:  # any failure to answer means unhealthy; the message says which
        raise ServiceUnavailableException(f"unhealthy: {exc}") from exc
    return {"status": "ok"}


class PipelineCollector(Collector):
    """Figures read at scrape time from the record and the queue, so they cover every worker."""

    def __init__(self, figures: dict[str, Any]) -> None:
        self.figures = figures

    def collect(self) -> Iterator[GaugeMetricFamily]:
        steps = GaugeMetricFamily("photonix_steps", "Photos by pipeline step and state", labels=["step", "state"])
        for step, counts in self.figures["steps"].items():
            for state, count in counts.items():
                steps.add_metric([step, state], count)
        yield steps
        duration = GaugeMetricFamily("photonix_step_duration_seconds_avg",
                                     "Mean duration of finished steps", labels=["step"])
        for step, seconds in self.figures["durations"].items():
            duration.add_metric([step], seconds)
        yield duration
        queue = GaugeMetricFamily("photonix_queue_jobs", "Jobs in the ARQ queue", labels=["state"])
        for state, count in self.figures["queue"].items():
            queue.add_metric([state], count)
        yield queue


@get("/metrics", include_in_schema=False)
async def metrics(redis: RedisDep) -> Response[bytes]:
    registry = CollectorRegistry()
    registry.register(PipelineCollector({
        "steps": await stepruns.summary(),
        "durations": await stepruns.mean_durations(),
        "queue": await queue_depth(redis),
    }))
    return Response(generate_latest(registry), media_type="text/plain; version=0.0.4")
