"""The values the app injects into handlers, as named dependencies (Litestar 3 drops inferred ones).

A handler writes `viewer: ViewerDep` where it once wrote `viewer: Viewer`; type checkers still see a Viewer.
"""

from __future__ import annotations

from typing import TypeAlias

from arq import ArqRedis
from litestar.di import NamedDependency

from photonix.config import Settings
from photonix.db.accounts import Viewer

ViewerDep: TypeAlias = NamedDependency[Viewer]
SettingsDep: TypeAlias = NamedDependency[Settings]
RedisDep: TypeAlias = NamedDependency[ArqRedis]
