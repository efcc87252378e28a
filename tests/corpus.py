"""The photo test corpus and its MANIFEST.csv rows, for parametrising tests over real files."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, fields
from datetime import datetime
from functools import cache
from pathlib import Path

from photonix.media.camera import camera_name
from photonix.media.dates import is_plausible

SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
FIXTURE_CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"


def corpus_root() -> Path:
    """PHOTONIX_TEST_CORPUS if set, else the shared corpus beside the repo, else the fixture subset."""
    chosen = os.environ.get("PHOTONIX_TEST_CORPUS")
    if chosen:
        return Path(chosen).resolve()
    return SHARED_CORPUS if (SHARED_CORPUS / "MANIFEST.csv").is_file() else FIXTURE_CORPUS


CORPUS: Path = corpus_root()


def is_full_corpus() -> bool:
    """Whether the tests run on the shared corpus rather than the small fixture subset."""
    return FIXTURE_CORPUS.resolve() != CORPUS


@dataclass(frozen=True, slots=True)
class Row:
    """One MANIFEST.csv row, every column as the string it holds."""

    path: str
    format: str
    bytes: str
    width: str
    height: str
    decodes: str
    camera_make: str
    camera_model: str
    datetime_original: str
    gps_lat: str
    gps_lon: str
    orientation: str
    expected: str
    note: str
    sha256: str
    source: str

    @property
    def expected_taken_at(self) -> datetime | None:
        """DateTimeOriginal as a datetime; None when absent or EXIF's all-zero 'unknown'."""
        try:
            return datetime.strptime(self.datetime_original.strip(), "%Y:%m:%d %H:%M:%S")
        except ValueError:
            return None

    @property
    def has_plausible_date(self) -> bool:
        """Whether DateTimeOriginal is a date we sort by (not 2099, not before photography)."""
        taken = self.expected_taken_at
        return taken is not None and is_plausible(taken, datetime.now())

    @property
    def file(self) -> Path:
        """The file this row describes."""
        return CORPUS / self.path


def expected_camera(row: Row) -> tuple[str | None, str | None]:
    """The manifest's Make and Model as we store them: brand names, no make repeated in the model."""
    return camera_name(row.camera_make.strip() or None, row.camera_model.strip() or None)


# Where we knowingly read more than the manifest records, and why.
GPS_THE_MANIFEST_MISSED = {
    "good/webp/HTC Desire.webp": "a valid GPS IFD that Pillow reads; the manifest never asked Pillow for GPS",
    "good/jpeg/Nikon D5000.jpg": "Adobe Bridge wrote GPS into its XMP only; the manifest read EXIF alone",
    "bad/corrupt_exif_ifd_offset.jpg": "a copy of Nikon D5000.jpg with broken EXIF but the same XMP GPS",
}


def is_null_island(row: Row) -> bool:
    """Whether the manifest's coordinates are 0/0, which cameras write when they had no fix."""
    return bool(row.gps_lat) and float(row.gps_lat) == 0 and float(row.gps_lon) == 0


COLUMNS = tuple(column.name for column in fields(Row))


@cache
def all_rows() -> tuple[Row, ...]:
    """Every row of the corpus manifest, in file order."""
    with (CORPUS / "MANIFEST.csv").open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{CORPUS / 'MANIFEST.csv'} has columns {reader.fieldnames}, expected {COLUMNS}")
        return tuple(Row(**record) for record in reader)


def rows(expected: str | None = None, folder: str | None = None) -> list[Row]:
    """Rows with this expected outcome ("ok", "fail", "either") under this folder ("bad", "good/raw")."""
    prefix = folder.strip("/") + "/" if folder else ""
    return [
        row
        for row in all_rows()
        if (expected is None or row.expected == expected) and row.path.startswith(prefix)
    ]


def first(expected: str, folder: str | None = None) -> Row:
    """The first row with this expected outcome."""
    return rows(expected, folder)[0]
