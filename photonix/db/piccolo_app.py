"""Piccolo's app config for Photonix: our tables and the migrations folder (photonix.resources finds it)."""

from piccolo.conf.apps import AppConfig

from photonix.db.tables import TABLES
from photonix.resources import MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="photonix",
    migrations_folder_path=str(MIGRATIONS_DIR),
    table_classes=list(TABLES),
    migration_dependencies=[],
    commands=[],
)
