"""Fixtures for classifier tests: Metadata built directly, so these tests need no photo files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from photonix.media.metadata import Metadata

BLANK = Metadata(
    format="JPEG", width=640, height=480, orientation=1, taken_at=None, taken_at_offset=None,
    camera_make=None, camera_model=None, lens=None, exposure_time=None, f_number=None, iso=None,
    focal_length=None, flash=None, gps_lat=None, gps_lon=None, gps_altitude=None, rating=None,
)


@pytest.fixture
def metadata() -> Callable[..., Metadata]:
    """Metadata with nothing known but the size, plus whatever fields the test names."""
    def build(**fields: Any) -> Metadata:
        return replace(BLANK, **fields)
    return build
