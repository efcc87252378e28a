"""The typed metadata of one photo file, as read from its EXIF, XMP, sidecar, name and file time."""

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
    taken_at: datetime | None            # the best plausible date (media/dates.py), camera-local, naive
    taken_at_offset: str | None          # its UTC offset when written (OffsetTimeOriginal, XMP), "+02:00"
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
    date_source: str | None = None       # a media.dates.DateSource value: where taken_at came from
    date_uncertain: bool = False         # a better source held an impossible date and was passed over
    title: str | None = None             # XMP dc:title
    description: str | None = None       # XMP dc:description
    keywords: tuple[str, ...] = ()       # XMP dc:subject and lr:hierarchicalSubject leaves; stored as tags
