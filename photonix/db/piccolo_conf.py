"""Piccolo's conf module: the engine photonix.db.engine.bind() chose, and the app registry for migrations."""

from typing import Any

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

# set by photonix.db.engine.bind(); Piccolo's finder reads it on each use
DB: Engine[Any] | None = None

APP_REGISTRY = AppRegistry(apps=["photonix.db.piccolo_app"])
