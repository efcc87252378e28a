"""Capture dates in every form files carry them, the fallbacks (file name, file time), impossible dates."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from photonix.media.dates import DateCandidate, DateSource, capture_date, date_in_file_name, moment
from photonix.media.exif import read_metadata
from tests.held_files import read

EXIF_IFD = 0x8769
DATETIME, DATETIME_ORIGINAL, DATETIME_DIGITIZED = 0x0132, 0x9003, 0x9004
OFFSET_TIME_ORIGINAL, SUBSEC_TIME_ORIGINAL = 0x9011, 0x9291


def photo(tmp_path: Path, name: str = "photo.jpg", ifd0: dict[int, object] | None = None,
          exif_ifd: dict[int, object] | None = None, xmp: bytes | None = None) -> Path:
    exif = Image.Exif()
    exif.update(ifd0 or {})
    exif.get_ifd(EXIF_IFD).update(exif_ifd or {})
    path = tmp_path / name
    extra = {"xmp": xmp} if xmp else {}
    Image.new("RGB", (16, 12), (10, 120, 200)).save(path, exif=exif, **extra)  # type: ignore[arg-type]
    return path


@pytest.mark.parametrize("written", ["2009:08:14 10:00:00", "2009/08/14 10:00:00", "2009-08-14T10:00:00",
                                     "2009-08-14 10:00:00", "2009.08.14 10:00:00"])
def test_date_time_original_is_read_in_every_separator_style(tmp_path: Path, written: str) -> None:
    meta = read(read_metadata, photo(tmp_path, exif_ifd={DATETIME_ORIGINAL: written}))
    assert (meta.taken_at, meta.date_source, meta.date_uncertain) == (
        datetime(2009, 8, 14, 10, 0, 0), "exif_original", False)


def test_sub_seconds_and_offset_of_the_original_date_are_kept(tmp_path: Path) -> None:
    meta = read(read_metadata, photo(tmp_path, exif_ifd={
        DATETIME_ORIGINAL: "2009:08:14 10:00:00", SUBSEC_TIME_ORIGINAL: "25", OFFSET_TIME_ORIGINAL: "+0530"}))
    assert meta.taken_at == datetime(2009, 8, 14, 10, 0, 0, 250000)
    assert meta.taken_at_offset == "+05:30"


@pytest.mark.parametrize(("ifd0", "exif_ifd", "source"), [
    ({DATETIME: "2001:01:01 01:01:01"}, {DATETIME_DIGITIZED: "2009:08:14 10:00:00"}, "exif_digitized"),
    ({DATETIME: "2009:08:14 10:00:00"}, {}, "exif_modified"),
])
def test_digitized_then_modified_date_stand_in_for_the_original(
    tmp_path: Path, ifd0: dict[int, object], exif_ifd: dict[int, object], source: str
) -> None:
    meta = read(read_metadata, photo(tmp_path, ifd0=ifd0, exif_ifd=exif_ifd))
    assert (meta.taken_at, meta.date_source) == (datetime(2009, 8, 14, 10, 0, 0), source)


def test_xmp_creation_date_with_its_offset_is_used_without_exif_dates(tmp_path: Path) -> None:
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/">'
           b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           b'<rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
           b'photoshop:DateCreated="2009-08-14T10:00:00.5-07:00"/></rdf:RDF></x:xmpmeta>')
    meta = read(read_metadata, photo(tmp_path, xmp=xmp))
    assert (meta.taken_at, meta.taken_at_offset, meta.date_source) == (
        datetime(2009, 8, 14, 10, 0, 0, 500000), "-07:00", "xmp")


@pytest.mark.parametrize(("name", "expected"), [
    ("IMG_20090814_100000.jpg", datetime(2009, 8, 14, 10, 0, 0)),
    ("holiday-2009-08-14.jpg", datetime(2009, 8, 14)),
    ("IMG-20190101-WA0001.jpg", datetime(2019, 1, 1)),
    ("PXL_20230405_123456789.jpg", datetime(2023, 4, 5, 12, 34, 56)),
    ("Screenshot_2019-01-01-12-30-45.png", datetime(2019, 1, 1, 12, 30, 45)),
    ("2009-08-14 10.00.00.jpg", datetime(2009, 8, 14, 10, 0, 0)),
])
def test_date_in_the_file_name_is_used_when_the_file_has_none(tmp_path: Path, name: str,
                                                               expected: datetime) -> None:
    meta = read(read_metadata, photo(tmp_path, name=name))
    assert (meta.taken_at, meta.date_source) == (expected, "file_name")


@pytest.mark.parametrize("name", ["IMG_1234.jpg", "DSC01234.jpg", "20231301.jpg", "scan-123456789012.jpg"])
def test_numbers_that_are_no_date_are_not_read_as_one(name: str) -> None:
    assert date_in_file_name(name) is None


def test_file_time_is_the_last_resort(tmp_path: Path) -> None:
    path = photo(tmp_path, name="IMG_1234.jpg")
    taken = datetime(2015, 6, 7, 8, 9, 10)
    os.utime(path, (taken.timestamp(), taken.timestamp()))
    meta = read(read_metadata, path)
    assert (meta.taken_at, meta.date_source, meta.date_uncertain) == (taken, "file_time", False)


@pytest.mark.parametrize("impossible", ["2099:09:29 10:10:10", "1800:01:01 00:00:00"])
def test_impossible_date_is_passed_over_and_marked_uncertain(tmp_path: Path, impossible: str) -> None:
    path = photo(tmp_path, name="IMG_20090814_100000.jpg", exif_ifd={DATETIME_ORIGINAL: impossible})
    meta = read(read_metadata, path)
    assert (meta.taken_at, meta.date_source, meta.date_uncertain) == (
        datetime(2009, 8, 14, 10, 0, 0), "file_name", True)


def test_tomorrow_in_another_time_zone_is_still_plausible() -> None:
    now = datetime(2026, 1, 1, 12, 0)
    chosen = capture_date([DateCandidate(datetime(2026, 1, 2, 6, 0), DateSource.EXIF_ORIGINAL)], now)
    assert (chosen.source, chosen.is_uncertain) == (DateSource.EXIF_ORIGINAL, False)


def test_no_plausible_date_at_all_leaves_the_date_unknown_and_uncertain() -> None:
    impossible = DateCandidate(datetime(2199, 1, 1), DateSource.EXIF_ORIGINAL)
    chosen = capture_date([impossible], datetime(2026, 1, 1))
    assert (chosen.taken_at, chosen.source, chosen.is_uncertain) == (None, None, True)


@pytest.mark.parametrize("nonsense",
                         ["0000:00:00 00:00:00", "2009:13:01 00:00:00", "    ", "yesterday", b"\xff"])
def test_zeros_and_nonsense_are_no_date(nonsense: str | bytes) -> None:
    assert moment(nonsense) is None
