"""The typed metadata of one photo file, as read from its EXIF (exifread first, Pillow as fallback)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Metadata:
    """What a photo file says about itself; a field that cannot be read is None."""

    format: str                          # Pillow's format name ("JPEG", "HEIF", …) or "RAW"
    width: int                           # as stored, before orientation (as MANIFEST.csv records it)
    height: int
    orientation: int                     # EXIF 1..8, 1 when absent
    taken_at: datetime | None            # DateTimeOriginal as written (naive, camera-local time)
    taken_at_offset: str | None          # OffsetTimeOriginal, e.g. "+02:00"
    camera_make: str | None
    camera_model: str | None
    lens: str | None
    exposure_time: float | None          # seconds
    f_number: float | None
    iso: int | None
    focal_length: float | None           # millimetres
    flash: bool | None                   # True when the flash fired
    gps_lat: float | None                # decimal degrees, south negative
    gps_lon: float | None                # decimal degrees, west negative
    gps_altitude: float | None           # metres
    rating: int | None                   # EXIF/XMP Rating 0..5
