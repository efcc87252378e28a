"""The app uses nothing Litestar has deprecated, so Litestar 3 cannot break a fresh install's pages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# Imports and builds the app in a fresh interpreter, so warnings raised at import time count too.
BUILD_APP = """
import sys, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from litestar.exceptions import LitestarDeprecationWarning
    from photonix.config import Settings
    from photonix.web.app import create_app
    create_app(Settings.from_env({"PHOTONIX_DATA_DIR": sys.argv[1], "PHOTONIX_REDIS_URL": "redis://127.0.0.1:1/0"}))
for w in caught:
    ours = "/litestar/" in w.filename or "/photonix/" in w.filename or w.filename == "<string>"
    deprecated = issubclass(w.category, DeprecationWarning)
    if issubclass(w.category, LitestarDeprecationWarning) or (deprecated and ours):
        print(f"{w.filename}:{w.lineno}: {w.message}")
"""


def test_building_the_app_raises_no_litestar_deprecation(tmp_path: Path) -> None:
    found = subprocess.run([sys.executable, "-c", BUILD_APP, str(tmp_path)], check=True, capture_output=True,
                           text=True).stdout
    assert found == "", found
