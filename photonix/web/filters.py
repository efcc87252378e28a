"""Jinja filters for people: dates, exposure, sizes, the histogram as SVG points."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment

from photonix.db.photo_values import UNDATED
from photonix.media.error_sentences import plain_error, technical_error


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """A count and its noun, singular for exactly one: "1 photo", "0 photos", "2,345 photos". The one
    helper for every count people read (templates: `{{ n | counted("photo") }}`)."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def month_title(month: str) -> str:
    """A grid section's title: "June 2019", or "Undated" for the photos without a trustworthy date."""
    if month == UNDATED:
        return "Undated"
    return datetime.strptime(month, "%Y-%m").strftime("%B %Y")


def when(value: datetime | None) -> str:
    return value.strftime("%a %-d %b %Y, %H:%M") if value else "Date unknown"


# media.dates.DateSource values, as the photo page names them.
DATE_SOURCES = {
    "xmp_sidecar": "XMP sidecar", "exif_original": "EXIF (taken)", "exif_digitized": "EXIF (digitized)",
    "exif_modified": "EXIF (modified)", "xmp": "XMP", "file_name": "file name", "file_time": "file time",
}


def date_source(value: str | None) -> str:
    return DATE_SOURCES.get(value or "", value or "unknown")


def shutter(seconds: float | None) -> str:
    if not seconds:
        return ""
    if seconds >= 1:
        return f"{seconds:g} s"
    return f"1/{round(1 / seconds)} s" if seconds > 0 else ""


def aperture(f_number: float | None) -> str:
    return f"ƒ/{f_number:g}" if f_number else ""


def filesize(size: int | None) -> str:
    value = float(size or 0)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return ""


def megapixels(width: int | None, height: int | None) -> str:
    return f"{(width or 0) * (height or 0) / 1e6:.1f} MP"


def histogram_points(channel: list[int], width: int = 240, height: int = 80) -> str:
    """An SVG polyline's points for one 0..255-scaled channel."""
    if not channel:
        return ""
    step = width / max(1, len(channel) - 1)
    return " ".join(f"{i * step:.1f},{height - value * height / 255:.1f}" for i, value in enumerate(channel))



def utc_time(value: datetime | None) -> str:
    """A moment of the job record, to the second, in UTC (workers and viewers may sit in other zones)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def iso_time(value: datetime | None) -> str:
    """For <time datetime="...">."""
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else ""


def duration(ms: int | None) -> str:
    """How long a step took, in the unit that reads best: 87 ms, 1.4 s, 3 min 12 s."""
    if ms is None:
        return "—"
    if ms < 1000:
        return f"{ms} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    minutes, seconds = divmod(round(ms / 1000), 60)
    return f"{minutes} min {seconds} s"


def register_filters(environment: Environment) -> None:
    filters: dict[str, Any] = {
        "counted": counted,
        "month_title": month_title, "when": when, "date_source": date_source, "shutter": shutter,
        "aperture": aperture,
        "filesize": filesize, "megapixels": megapixels, "histogram_points": histogram_points,
        "utc_time": utc_time, "iso_time": iso_time, "duration": duration, "plain_error": plain_error,
        "technical_error": technical_error,
    }
    environment.filters.update(filters)
    environment.globals["zip"] = zip
