"""Typed values from raw EXIF tag values, as exifread or Pillow hand them over (dates: media/dates.py)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

# What converting a malformed tag value can raise; a malformed value reads as None.
VALUE_ERRORS: tuple[type[Exception], ...] = (
    TypeError, ValueError, ZeroDivisionError, OverflowError, IndexError, AttributeError,
)


def text(value: Any) -> str | None:
    """A trimmed string, cut at the first NUL; None when empty or not text."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    trimmed = value.split("\x00", 1)[0].strip()
    return trimmed or None


def scalar(value: Any) -> Any:
    """The first element of a one-value list (exifread wraps numbers in lists), else the value."""
    if isinstance(value, bytes):
        return value[0] if value else None
    if isinstance(value, Sequence) and not isinstance(value, str):
        return value[0] if value else None
    return value


def number(value: Any) -> float | None:
    """A finite float from an int, rational or one-element list; None otherwise."""
    value = scalar(value)
    if value is None or isinstance(value, str):
        return None
    try:
        result = float(value)
    except VALUE_ERRORS:
        return None
    return result if math.isfinite(result) else None


def positive(value: Any) -> float | None:
    """A number above zero (exposure, aperture, focal length); zero means unknown in EXIF."""
    result = number(value)
    return result if result is not None and result > 0 else None


def integer(value: Any) -> int | None:
    """An int from an integer-valued tag; None otherwise."""
    result = number(value)
    return int(result) if result is not None else None


def orientation(value: Any) -> int | None:
    """An EXIF orientation 1..8; None when out of range."""
    result = integer(value)
    return result if result is not None and 1 <= result <= 8 else None


def flash_fired(value: Any) -> bool | None:
    """Bit 0 of the EXIF Flash tag."""
    result = integer(value)
    return bool(result & 1) if result is not None else None


def rating(value: Any) -> int | None:
    """A star rating clamped to 0..5 (XMP writes -1 for rejected)."""
    result = integer(value)
    return min(max(result, 0), 5) if result is not None else None


def degrees(value: Any) -> float | None:
    """Decimal degrees from EXIF's (degrees, minutes, seconds) rationals, or a single number."""
    parts = value if isinstance(value, Sequence) and not isinstance(value, (str, bytes)) else [value]
    numbers = [number(part) for part in parts[:3]]
    total = 0.0
    for part, per_degree in zip(numbers, (1.0, 60.0, 3600.0), strict=False):
        if part is None or part < 0:
            return None
        total += part / per_degree
    return total if numbers else None
