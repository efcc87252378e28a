"""/healthz (database and Redis answer) and /metrics (Prometheus: steps, queue depth, durations, workers).

Neither tells a stranger anything: /healthz says only "ok" or "unavailable" (the reason goes to the log),
and /metrics answers PHOTONIX_METRICS_TOKEN as a bearer token or an address in PHOTONIX_METRICS_ALLOW."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator
from typing import Any

import structlog
from litestar import Request, Response, get
from litestar.exceptions import NotAuthorizedException
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from photonix.config import Settings
from photonix.db.step_states import StepState
from photonix.db.tables import StepRun
from photonix.jobs.status import JobsStatus, jobs_status
from photonix.jobs.step_metrics import StepCounters, step_counters
from photonix.jobs.trash_purge import purged_total
from photonix.web.deps import RedisDep, SettingsDep

log = structlog.get_logger()


@get("/healthz", include_in_schema=False)
async def healthz(redis: RedisDep) -> Response[dict[str, str]]:
    try:
        await StepRun.count()
        await redis.ping()
    except Exception as exc:  # any failure to answer means unhealthy; the log says which, the body does not
        log.error("health_check_failed", error=str(exc), error_kind=type(exc).__name__)
        return Response({"status": "unavailable"}, status_code=503)
    return Response({"status": "ok"})


def may_read_metrics(request: Request[Any, Any, Any], settings: Settings) -> bool:
    """The configured bearer token, or a client address in PHOTONIX_METRICS_ALLOW (loopback by default)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if settings.metrics_token and scheme.lower() == "bearer":
        return hmac.compare_digest(token.strip().encode(), settings.metrics_token.encode())
    try:
        address = ipaddress.ip_address(request.client.host if request.client else "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in ipaddress.ip_network(network) for network in settings.metrics_allow)


class PipelineCollector(Collector):
    """Figures read at scrape time, so they cover every worker: the record's counts from JobsStatus, and
    the histogram and counters that workers keep in Redis (jobs/step_metrics.py says why there)."""

    def __init__(self, status: JobsStatus, counters: dict[str, StepCounters]) -> None:
        self.status = status
        self.counters = counters

    def collect(self) -> Iterator[Metric]:
        status = self.status
        steps = GaugeMetricFamily("photonix_steps", "Photos by pipeline step and the state of its latest run",
                                  labels=["step", "state"])
        depth = GaugeMetricFamily("photonix_step_queue_depth",
                                  "Runs waiting for a worker per step (queued, or retrying later)",
                                  labels=["step"])
        for step, counts in status.steps.items():
            for state, count in counts.items():
                steps.add_metric([step, state.value], count)
            depth.add_metric([step], counts[StepState.QUEUED] + counts[StepState.RETRYING])
        yield steps
        yield depth
        if status.queue is not None:
            queue = GaugeMetricFamily("photonix_queue_jobs", "Jobs in the ARQ queue, and steps running",
                                      labels=["state"])
            queue.add_metric(["queued"], status.queue.queued)
            queue.add_metric(["running"], status.queue.running)
            yield queue
        durations = HistogramMetricFamily("photonix_step_duration_seconds",
                                          "How long tries of each step took", labels=["step"])
        failures = CounterMetricFamily("photonix_step_failures", "Tries that failed for good, per step",
                                       labels=["step"])
        retries = CounterMetricFamily("photonix_step_retries", "Tries that will be retried, per step",
                                      labels=["step"])
        for step, counted in self.counters.items():
            durations.add_metric([step], [(bound, float(n)) for bound, n in counted.durations.buckets],
                                 counted.durations.sum_seconds)
            failures.add_metric([step], counted.outcomes.get("failed", 0))
            retries.add_metric([step], counted.outcomes.get("retrying", 0))
        yield durations
        yield failures
        yield retries
        totals = status.totals
        for name, help_text, value in (
            ("photonix_workers_live", "Workers whose heartbeat is current", totals.live_workers),
            ("photonix_workers_lost", "Workers silent past the heartbeat window", totals.lost_workers),
            ("photonix_photos_processing", "Photos with a step still to run", totals.photos_processing),
            ("photonix_photos_failed", "Photos whose latest run of some step failed", totals.photos_failed),
        ):
            yield GaugeMetricFamily(name, help_text, value=value)


class TrashCollector(Collector):
    """Photos purged from the trash, counted in Redis by the worker that purged them (trash_purge.py)."""

    def __init__(self, purged: int) -> None:
        self.purged = purged

    def collect(self) -> Iterator[Metric]:
        yield CounterMetricFamily("photonix_trash_purged_photos", "Photos purged from the trash",
                                  value=self.purged)


@get("/metrics", include_in_schema=False)
async def metrics(request: Request[Any, Any, Any], redis: RedisDep, settings: SettingsDep) -> Response[bytes]:
    if not may_read_metrics(request, settings):
        raise NotAuthorizedException("send Authorization: Bearer <PHOTONIX_METRICS_TOKEN>, or scrape from an "
                                     "address in PHOTONIX_METRICS_ALLOW",
                                     headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    status = await jobs_status(redis)
    registry = CollectorRegistry()
    registry.register(PipelineCollector(status, await step_counters(redis, status.steps)))
    registry.register(TrashCollector(await purged_total(redis)))
    return Response(generate_latest(registry), media_type="text/plain; version=0.0.4")
