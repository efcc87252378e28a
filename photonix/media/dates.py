"""When a photo was taken: the forms dates come in, the sources in the order we trust them, and which wins.

A file can say when it was taken in several places (EXIF's three dates, XMP, a sidecar, its name, its
file time). Each becomes a `DateCandidate`; `capture_date` takes the first plausible one and marks the
result uncertain when a better source held an impossible date (a camera clock set to 2099 or 1800)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import PurePath
from typing import Any

# The first photograph that survives (Niépce) is from 1826/27: anything earlier is a wrong clock.
EARLIEST = datetime(1826, 1, 1)
# Camera-local times run up to a day ahead of the server's clock (time zones), never more.
FUTURE_SLACK = timedelta(days=1)
# A file time at (or next to) the Unix epoch means "never set" (archives, build tools), not 1970.
EPOCH_UNSET = datetime(1970, 1, 2)
# The sort_at of a photo with no trustworthy capture date: before every plausible date (EARLIEST), so the
# grid's newest-first order puts undated photos last, in a section of their own ("Undated").
UNDATED_SORT_AT = datetime(1800, 1, 1)


class DateSource(StrEnum):
    """Where a photo's date came from, best first; stored on the photo and shown beside the date."""

    SIDECAR = "xmp_sidecar"
    EXIF_ORIGINAL = "exif_original"
    EXIF_DIGITIZED = "exif_digitized"
    EXIF_MODIFIED = "exif_modified"
    XMP = "xmp"
    FILE_NAME = "file_name"
    FILE_TIME = "file_time"


@dataclass(frozen=True, slots=True)
class DateCandidate:
    """One date a source gave, as written (camera-local, naive), with its UTC offset when known."""

    moment: datetime
    source: DateSource
    offset: str | None = None


@dataclass(frozen=True, slots=True)
class CaptureDate:
    """The date a photo sorts by, where it came from, and whether a better source was discarded."""

    taken_at: datetime | None
    offset: str | None
    source: DateSource | None
    is_uncertain: bool


# 2009:08:14 10:00:00, 2009/08/14 10:00:00, 2009-08-14T10:00:00.25+02:00, 2009-08-14 (XMP), 2009:8:4 …
MOMENT = re.compile(
    r"\s*(\d{4})[:/.-](\d{1,2})[:/.-](\d{1,2})"
    r"(?:(?:[ T]+|:)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?"
)
OFFSET = re.compile(r"\s*(?:(Z)|([+-])(\d{2}):?(\d{2}))\s*")
SUBSECOND = re.compile(r"\s*(\d+)")
# IMG_20090814_100000, holiday-2009-08-14, IMG-20190101-WA0001, PXL_20230405_123456789, 2009-08-14 10.00.00
FILE_NAME_DATE = re.compile(
    r"(?<!\d)((?:18|19|20)\d{2})([-_.]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])"
    r"(?:[-_ T.]?([01]\d|2[0-3])[-_.:h]?([0-5]\d)[-_.:m]?([0-5]\d)\d{0,3})?(?!\d)"
)


def as_text(value: Any) -> str | None:
    """A tag value as text (exifread and Pillow hand over str, bytes or one-element lists)."""
    if isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return value.split("\x00", 1)[0] if isinstance(value, str) else None


def utc_offset(value: Any) -> str | None:
    """'+02:00' from '+02:00', '+0200' or 'Z'; None when it is no real offset."""
    raw = as_text(value)
    match = OFFSET.fullmatch(raw) if raw else None
    if match is None:
        return None
    if match.group(1):
        return "+00:00"
    sign, hours, minutes = match.group(2), int(match.group(3)), int(match.group(4))
    return f"{sign}{hours:02d}:{minutes:02d}" if hours <= 14 and minutes < 60 else None


def moment(value: Any) -> tuple[datetime, str | None] | None:
    """A naive datetime and the offset written with it, in any separator style; None for zeros or nonsense."""
    raw = as_text(value)
    match = MOMENT.match(raw) if raw else None
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part or 0) for part in match.groups()[:6])
    fraction, offset = match.group(7), match.group(8)
    try:
        result = datetime(year, month, day, hour, minute, second, microseconds(fraction))
    except (ValueError, OverflowError):
        return None
    return result, utc_offset(offset) if offset else None


def microseconds(digits: Any) -> int:
    """SubSecTime's digits as microseconds ('25' means 0.25 s); 0 when absent or not digits."""
    raw = as_text(digits) if not isinstance(digits, int) else str(digits)
    match = SUBSECOND.match(raw) if raw else None
    return int(match.group(1)[:6].ljust(6, "0")) if match else 0


def with_subseconds(found: tuple[datetime, str | None], subsec: Any) -> tuple[datetime, str | None]:
    """The datetime with the SubSecTime digits added, unless it already carries a fraction."""
    when, offset = found
    if when.microsecond or subsec is None:
        return found
    return when.replace(microsecond=microseconds(subsec)), offset


def date_in_file_name(path: PurePath | str) -> datetime | None:
    """A date (and time, when written) in a file's name, as phones and cameras name their files."""
    for match in FILE_NAME_DATE.finditer(PurePath(path).stem):
        year, _, month, day, hour, minute, second = match.groups()
        try:
            return datetime(int(year), int(month), int(day),
                            int(hour or 0), int(minute or 0), int(second or 0))
        except ValueError:
            continue
    return None


def file_time_candidate(mtime: float) -> DateCandidate | None:
    """The file's modification time as local time; None when it is unset (the epoch) or out of range."""
    try:
        when = datetime.fromtimestamp(mtime)
    except (ValueError, OverflowError, OSError):
        return None
    return DateCandidate(when, DateSource.FILE_TIME) if when >= EPOCH_UNSET else None


def is_plausible(when: datetime, now: datetime) -> bool:
    """Not before photography existed, and not (beyond time zones) in the future."""
    return EARLIEST <= when <= now + FUTURE_SLACK


def capture_date(candidates: Iterable[DateCandidate], now: datetime | None = None) -> CaptureDate:
    """The first plausible candidate; uncertain when a better one was implausible; all None when none is."""
    now = now or datetime.now()
    skipped = False
    for candidate in candidates:
        if is_plausible(candidate.moment, now):
            return CaptureDate(candidate.moment, candidate.offset, candidate.source, skipped)
        skipped = True
    return CaptureDate(None, None, None, skipped)


def sort_at_for(taken_at: datetime | None, source: str | None) -> datetime:
    """Where a photo sorts: its capture date, or UNDATED_SORT_AT when it has none worth trusting. A file
    time is the moment the file was copied or uploaded, not taken: sorting by it put photos without a date
    under their import month."""
    if taken_at is None or source in (None, DateSource.FILE_TIME):
        return UNDATED_SORT_AT
    return taken_at
