"""The typed values the read model returns (db/photo_reads.py): a page of tiles, a photo's detail, a file
a viewer may open. Rows never leave db/; pages, the API and share pages render these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from photonix.db.keyset import Cursor
from photonix.db.stepruns import StepRecord
from photonix.db.tags import PhotoTagView
from photonix.media.contained import FileRoots
from photonix.media.dates import UNDATED_SORT_AT

ORIGINAL = "original"
MONTH_NAMES = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")
THUMBNAIL = "thumbnail"
UNDATED = "undated"     # the grid's last section, in place of a 'YYYY-MM' month (media/dates.UNDATED_SORT_AT)


def month_span(month: str) -> tuple[datetime, datetime]:
    """A grid section's sort_at range [first instant, first instant after): 'YYYY-MM' or UNDATED; ValueError
    for anything else (strptime also takes '2021-7': the grid never sends it)."""
    if month == UNDATED:
        return UNDATED_SORT_AT, UNDATED_SORT_AT + timedelta(seconds=1)
    start = datetime.strptime(month, "%Y-%m")
    if len(month) != 7:
        raise ValueError(month)
    end = (start.replace(year=start.year + 1, month=1) if start.month == 12
           else start.replace(month=start.month + 1))
    return start, end


def file_name_of(path: str) -> str:
    """A path's last part, whichever separator it was written with."""
    return path.replace("\\", "/").rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class Tile:
    """A photo in a grid: its shape as displayed, its badges, and what the API's list shows of it."""

    id: int
    library_id: int
    sort_at: datetime
    taken_at: datetime | None
    width: int          # as displayed (after orientation), from the medium thumbnail when there is one
    height: int
    stored_width: int | None     # as the file stores it, before orientation
    stored_height: int | None
    orientation: int
    format: str | None
    camera_make: str | None
    camera_model: str | None
    state: str          # done | pending | failed
    rating: int
    favourite: bool             # the viewer's own heart (never through a share link)
    has_thumbnail: bool
    # Only for a tile without a thumbnail (it shows them instead of a picture); None otherwise.
    file_name: str | None = None
    failed_step: str | None = None      # the first failed step of a failed photo ("make thumbnails")

    @property
    def file_type(self) -> str:
        """The file-type glyph of a tile without a picture: "RAW", or the name's extension ("JPG")."""
        if self.is_raw:
            return "RAW"
        name = self.file_name or ""
        extension = name.rsplit(".", 1)[1] if "." in name else ""
        return extension[:4].upper() or "FILE"

    @property
    def is_raw(self) -> bool:
        return self.format == "RAW"

    @property
    def ratio(self) -> float:
        """Width over height, clamped to 0.5-3 against sliver rows (the justified grid's flex weight)."""
        return min(3.0, max(0.5, self.width / self.height)) if self.height else 1.0

    @property
    def ratio_percent(self) -> int:
        """The ratio in hundredths: the `r…` class static/css/ratios.css sizes the tile by."""
        return round(self.ratio * 100)

    @property
    def sizes_px(self) -> int:
        """The `sizes` width at the tallest row (300 px)."""
        return round(self.ratio * 300)

    @property
    def alt(self) -> str:
        if self.sort_at == UNDATED_SORT_AT:
            return "Photo with no date"
        return f"Photo taken {self.sort_at.day} {MONTH_NAMES[self.sort_at.month]} {self.sort_at.year}"

    @property
    def month(self) -> str:
        """The grid section: 'YYYY-MM', or UNDATED for a photo without a trustworthy date."""
        if self.sort_at == UNDATED_SORT_AT:
            return UNDATED
        return f"{self.sort_at.year:04d}-{self.sort_at.month:02d}"


@dataclass(frozen=True, slots=True)
class TilePage:
    """One page of a list, in its order, and the cursor of the page after it (None at the end)."""

    tiles: tuple[Tile, ...]
    next: Cursor | None

    def by_month(self) -> dict[str, list[Tile]]:
        """'YYYY-MM' -> the page's tiles of that month, in page order (the grid's sections)."""
        months: dict[str, list[Tile]] = {}
        for tile in self.tiles:
            months.setdefault(tile.month, []).append(tile)
        return months


@dataclass(frozen=True, slots=True)
class Thumbnail:
    size_name: str      # square | medium | large
    width: int | None
    height: int | None


@dataclass(frozen=True, slots=True)
class PermittedFile:
    """A file of a photo the viewer may see: where it lies, and the roots it may really lie under."""

    photo_id: int
    library_id: int
    kind: str           # original | thumbnail | raw_render
    size_name: str
    path: Path
    roots: FileRoots

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True, slots=True)
class PhotoDetail:
    """Everything the photo page and the API show of one photo, and its neighbours in the same list.

    `original_path` is the server's path: for admins only, never on a share page. `can_edit`: the viewer
    is a member of the photo's library (album members and share visitors only look)."""

    id: int
    library_id: int
    content_hash: str
    original_path: str
    file_size: int
    imported_at: datetime
    version: int
    sort_at: datetime
    taken_at: datetime | None
    taken_at_offset: str | None
    date_source: str | None
    date_uncertain: bool
    format: str | None
    width: int | None
    height: int | None
    orientation: int
    camera_make: str | None
    camera_model: str | None
    lens: str | None
    exposure_time: float | None
    f_number: float | None
    iso: int | None
    focal_length: float | None
    flash: bool | None
    gps_lat: float | None
    gps_lon: float | None
    gps_altitude: float | None
    histogram: Any
    original_name: str | None                   # the name an upload came with (None: the path's)
    title: str | None
    description: str | None
    rating: int
    favourite: bool             # the viewer's own heart (never through a share link)
    archived_at: datetime | None
    trashed_at: datetime | None
    can_edit: bool
    state: str                                  # done | pending | failed
    thumbnails: tuple[Thumbnail, ...]
    tags: tuple[PhotoTagView, ...]
    steps: tuple[StepRecord, ...]
    original: PermittedFile
    newer: int | None                           # neighbours in the list the viewer came from
    older: int | None
    rated_by_name: str | None = None            # who set the rating (shared by the library's members)

    @property
    def file_name(self) -> str:
        """The name the user knows the file by: the one it was uploaded under, else the original's file
        name without the server folder it lies in (uploads are stored under a random prefix)."""
        return self.original_name or file_name_of(self.original_path)

    def thumbnail(self, size_name: str) -> Thumbnail | None:
        return next((t for t in self.thumbnails if t.size_name == size_name), None)

    @property
    def is_undated(self) -> bool:
        """No trustworthy capture date: the grid lists it under Undated (media/dates.sort_at_for)."""
        return self.sort_at == UNDATED_SORT_AT

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_trashed(self) -> bool:
        return self.trashed_at is not None
