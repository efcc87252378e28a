"""The values the app injects into handlers, as named dependencies (Litestar 3 drops inferred ones).

A handler writes `viewer: ViewerDep` where it once wrote `viewer: Viewer`; type checkers still see a Viewer.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from arq import ArqRedis
from litestar import Request
from litestar.di import NamedDependency

from photonix.config import Settings
from photonix.db.accounts import Viewer

ViewerDep: TypeAlias = NamedDependency[Viewer]
SettingsDep: TypeAlias = NamedDependency[Settings]
RedisDep: TypeAlias = NamedDependency[ArqRedis]


def app_redis(request: Request[Any, Any, Any]) -> ArqRedis:
    """The app's one Redis connection pool, made at start-up. Handlers take it as `redis: RedisDep` (whose
    provider this is); only code outside a handler's signature (the page shell) calls it directly."""
    redis: ArqRedis = request.app.state.redis
    return redis
