"""What /metrics, /schema and /healthz tell whom: metrics by token or address, schema to the signed-in,
health in one word."""

from __future__ import annotations

import httpx
import pytest
from arq import ArqRedis
from litestar import Litestar
from litestar.testing import AsyncTestClient

from photonix.config import Settings
from photonix.web.app import create_app
from tests.conftest import make_settings
from tests.running import free_port
from tests.web.conftest import Member, sign_in

METRICS_TOKEN = "metrics-token-for-the-tests-0123456789"


@pytest.fixture
def metrics_app(settings: Settings, clean: None) -> Litestar:
    """A second app on the same database and Redis with a metrics token and a private network allowed."""
    urls = {"database": settings.database_url, "redis": settings.redis_url or ""}
    configured = make_settings(settings.data_dir, urls, PHOTONIX_METRICS_TOKEN=METRICS_TOKEN,
                               PHOTONIX_METRICS_ALLOW="10.1.0.0/16")
    return create_app(configured, owns_database=False)


def from_address(app: Litestar, address: str) -> httpx.AsyncClient:
    """An HTTP client whose requests reach the app from `address` (the ASGI scope's client)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 40000)),
                             base_url="http://photonix.test")


async def test_metrics_need_the_token_or_an_allowed_address(metrics_app) -> None:
    # The app's startup runs in this test's event loop, where httpx calls it.
    async with metrics_app.lifespan(), from_address(metrics_app, "203.0.113.9") as stranger:
        refused = await stranger.get("/metrics")
        assert refused.status_code == 401 and "photonix_" not in refused.text
        assert refused.headers["www-authenticate"].startswith("Bearer")
        assert (await stranger.get("/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 401
        granted = await stranger.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert granted.status_code == 200 and "photonix_queue_jobs" in granted.text
    async with metrics_app.lifespan(), from_address(metrics_app, "10.1.2.3") as prometheus:
        assert (await prometheus.get("/metrics")).status_code == 200


async def test_metrics_answer_loopback_by_default_and_no_one_else(app, clean) -> None:
    async with app.lifespan():
        for address, status in (("127.0.0.1", 200), ("::1", 200), ("192.0.2.1", 401), ("10.1.2.3", 401)):
            async with from_address(app, address) as client:
                assert (await client.get("/metrics")).status_code == status, address


async def test_schema_is_for_signed_in_users_only(client, alice: Member) -> None:
    for path in ("/schema", "/schema/openapi.json", "/schema/swagger"):
        response = await client.get(path, follow_redirects=False)
        assert response.status_code == 401 and "/api/v1" not in response.text, path
    assert "/api/v1/photos" in (await client.get("/schema/openapi.json", headers=alice.auth)).json()["paths"]
    await sign_in(client, "alice")
    assert "/api/v1/photos" in (await client.get("/schema/openapi.json")).json()["paths"]
    assert (await client.get("/schema")).headers["content-type"].startswith("text/html")     # the viewer


async def test_health_says_only_unavailable_when_redis_is_gone(app, clean) -> None:
    async with AsyncTestClient(app=app) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        working = app.state.redis
        app.state.redis = ArqRedis(host="127.0.0.1", port=free_port())     # nothing listens there
        try:
            response = await client.get("/healthz")
        finally:
            await app.state.redis.aclose()
            app.state.redis = working
        assert response.status_code == 503 and response.json() == {"status": "unavailable"}
