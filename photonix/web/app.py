"""create_app(settings): the Litestar application with its routes, Redis pool and OpenAPI schema."""

from __future__ import annotations

from typing import Any

import structlog
from arq import ArqRedis
from litestar import Litestar, Request
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.plugins.htmx import HTMXPlugin

from photonix.config import Settings
from photonix.db import engine
from photonix.errors import ConfigError
from photonix.jobs.queue import connect
from photonix.logs import configure_logging
from photonix.web.api import ApiController
from photonix.web.files import FileController
from photonix.web.health import healthz, metrics

log = structlog.get_logger()


def create_app(settings: Settings, *, owns_database: bool = True) -> Litestar:
    """The app; with owns_database=False the caller has bound the database (tests: the app then runs in
    the test client's own event loop, where a connection pool made elsewhere cannot be used)."""

    async def startup(app: Litestar) -> None:
        if owns_database:
            app.state.engine = engine.bind(settings)
            await engine.open_pool(app.state.engine)
        app.state.redis = await connect(settings)

    async def shutdown(app: Litestar) -> None:
        await app.state.redis.aclose()
        if owns_database:
            await engine.close_pool(app.state.engine)

    async def provide_redis(request: Request[Any, Any, Any]) -> ArqRedis:
        redis: ArqRedis = request.app.state.redis
        return redis

    if settings.redis_url is None:
        raise ConfigError("the web app needs PHOTONIX_REDIS_URL (or start it with `photonix up`)")
    configure_logging(settings.log_level)
    return Litestar(
        route_handlers=[ApiController, FileController, healthz, metrics],
        dependencies={"redis": Provide(provide_redis), "settings": Provide(lambda: settings, sync_to_thread=False)},
        on_startup=[startup],
        on_shutdown=[shutdown],
        openapi_config=OpenAPIConfig(title="Photonix", version="1", path="/schema"),
        plugins=[HTMXPlugin()],
        exception_handlers={},
        debug=False,
    )


