"""Piccolo's app config for Photonix: our tables and the migrations folder at the top of the repo."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from photonix.db.tables import TABLES

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "piccolo_migrations"

APP_CONFIG = AppConfig(
    app_name="photonix",
    migrations_folder_path=str(MIGRATIONS_DIR),
    table_classes=list(TABLES),
    migration_dependencies=[],
    commands=[],
)
