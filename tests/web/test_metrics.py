"""/metrics after real work: per-step queue depth, the duration histogram, failure and retry counters,
workers; and the example alert rules in deploy/ use only metrics we export."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from arq import ArqRedis
from litestar import Litestar
from prometheus_client.parser import text_string_to_metric_families

from photonix.errors import TransientError
from photonix.jobs.flow import chain
from photonix.jobs.steprun import pipeline_step
from photonix.jobs.tasks import extract_metadata
from tests import corpus
from tests.library_files import import_into
from tests.web.conftest import Member
from tests.web.test_information import from_address

ALERTS = Path(__file__).resolve().parents[2] / "deploy" / "prometheus-alerts.yml"
GOOD = corpus.rows(expected="ok")[:2]
BAD = corpus.rows(expected="fail")[0]


@pipeline_step
async def hiccup_once(ctx: dict[str, Any], photo_id: int) -> None:
    """A transient error on the first try, then success."""
    if ctx["job_try"] < 2:
        raise TransientError("storage hiccup")


async def scrape(app: Litestar) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """(sample name, sorted labels) -> value, as Prometheus would read /metrics from loopback."""
    async with from_address(app, "127.0.0.1") as prometheus:
        response = await prometheus.get("/metrics")
    assert response.status_code == 200
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


async def test_metrics_follow_a_real_import(app: Litestar, alice: Member, redis: ArqRedis, worker) -> None:
    pipeline = chain(extract_metadata, hiccup_once)
    await import_into(redis, alice.library_id, [row.file for row in (*GOOD, BAD)], pipeline)
    async with app.lifespan():
        before = await scrape(app)
        assert value(before, "photonix_step_queue_depth", step="extract_metadata") == 3
        assert value(before, "photonix_photos_processing") == 3
        assert value(before, "photonix_steps", step="hiccup_once", state="queued") == 3
        assert value(before, "photonix_queue_jobs", state="queued") == 3
        await worker(pipeline).main()
        after = await scrape(app)
    assert value(after, "photonix_step_queue_depth", step="extract_metadata") == 0
    assert value(after, "photonix_photos_processing") == 0
    assert value(after, "photonix_photos_failed") == 1
    assert value(after, "photonix_step_duration_seconds_count", step="extract_metadata") == 3
    assert value(after, "photonix_step_duration_seconds_bucket", step="extract_metadata", le="+Inf") == 3
    assert value(after, "photonix_step_duration_seconds_sum", step="extract_metadata") > 0
    assert value(after, "photonix_step_failures_total", step="extract_metadata") == 1
    assert value(after, "photonix_step_retries_total", step="hiccup_once") == len(GOOD)
    assert value(after, "photonix_step_duration_seconds_count", step="hiccup_once") == 2 * len(GOOD)
    assert value(after, "photonix_workers_live") == 0


async def test_the_example_alert_rules_parse_and_name_only_exported_metrics(app: Litestar,
                                                                           clean: None) -> None:
    rules = [rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]]
    assert {rule["alert"] for rule in rules} >= {"PhotonixFailureRateSpike", "PhotonixNoLiveWorker"}
    named = {name for rule in rules for name in re.findall(r"photonix_[a-z_]+", rule["expr"])}
    async with app.lifespan():
        exported = {name for name, _ in await scrape(app)}
    assert named and named <= exported
