"""Where templates, static files and migrations live: inside the package when installed from the wheel
(setup.py maps them to photonix/<name>), else at the top of the checkout."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """photonix/<name> in an installed wheel; <checkout>/<name> when running from the source tree."""
    packaged = PACKAGE_DIR / name
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent / name


TEMPLATES_DIR = resource_dir("templates")
STATIC_DIR = resource_dir("static")
MIGRATIONS_DIR = resource_dir("piccolo_migrations")
