"""/healthz (database and Redis answer) and /metrics (Prometheus: step states, durations, queue depth).

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
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from photonix.config import Settings
from photonix.db import stepruns
from photonix.db.tables import StepRun
from photonix.jobs.queue import queue_depth
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
    """Figures read at scrape time from the record and the queue, so they cover every worker."""

    def __init__(self, figures: dict[str, Any]) -> None:
        self.figures = figures

    def collect(self) -> Iterator[GaugeMetricFamily]:
        steps = GaugeMetricFamily("photonix_steps", "Photos by pipeline step and state",
                                  labels=["step", "state"])
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
async def metrics(request: Request[Any, Any, Any], redis: RedisDep, settings: SettingsDep) -> Response[bytes]:
    if not may_read_metrics(request, settings):
        raise NotAuthorizedException("send Authorization: Bearer <PHOTONIX_METRICS_TOKEN>, or scrape from an "
                                     "address in PHOTONIX_METRICS_ALLOW",
                                     headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    registry = CollectorRegistry()
    registry.register(PipelineCollector({
        "steps": await stepruns.summary(),
        "durations": await stepruns.mean_durations(),
        "queue": await queue_depth(redis),
    }))
    return Response(generate_latest(registry), media_type="text/plain; version=0.0.4")
