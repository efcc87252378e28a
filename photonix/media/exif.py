"""Read a photo's metadata: its size as stored plus EXIF, exifread first and Pillow as fallback."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import exifread
from exifread.core.exceptions import ExifError
from PIL import ExifTags, Image

from photonix.errors import UndecodableImage
from photonix.media import dates
from photonix.media import exifvalues as values
from photonix.media.camera import camera_name
from photonix.media.contained import real_path_of_fd
from photonix.media.dates import DateCandidate, DateSource
from photonix.media.failures import (
    check_pixel_limit,
    file_errors,
    is_storage_error,
    storage_unavailable,
)
from photonix.media.formats import is_raw_path
from photonix.media.metadata import Metadata

# importing opening also registers HEIF and the pixel limit
from photonix.media.opening import EXIF_ERRORS, pillow_image
from photonix.media.photofile import PhotoFile
from photonix.media.pngtext import read_png_metadata
from photonix.media.raw import read_raw_info
from photonix.media.sidecars import read_sidecar
from photonix.media.tiff import is_tiff, tiff_layout
from photonix.media.xmp import XmpValues, parse_xmp

T = TypeVar("T")

IFD0: int = 0
EXIF_IFD: int = ExifTags.IFD.Exif
GPS_IFD: int = ExifTags.IFD.GPSInfo


@dataclass(frozen=True, slots=True)
class Tag:
    """One EXIF tag: its names in exifread's flat dict, and its IFD and number for Pillow."""

    exifread_keys: tuple[str, ...]
    ifd: int
    number: int


MAKE = Tag(("Image Make",), IFD0, 0x010F)
MODEL = Tag(("Image Model",), IFD0, 0x0110)
ORIENTATION = Tag(("Image Orientation",), IFD0, 0x0112)
DATETIME = Tag(("Image DateTime",), IFD0, 0x0132)
RATING = Tag(("Image Rating",), IFD0, 0x4746)
DATETIME_ORIGINAL = Tag(("EXIF DateTimeOriginal", "Image DateTimeOriginal"), EXIF_IFD, 0x9003)
DATETIME_DIGITIZED = Tag(("EXIF DateTimeDigitized", "Image DateTimeDigitized"), EXIF_IFD, 0x9004)
OFFSET_TIME = Tag(("EXIF OffsetTime",), EXIF_IFD, 0x9010)
OFFSET_TIME_ORIGINAL = Tag(("EXIF OffsetTimeOriginal",), EXIF_IFD, 0x9011)
OFFSET_TIME_DIGITIZED = Tag(("EXIF OffsetTimeDigitized",), EXIF_IFD, 0x9012)
SUBSEC_TIME = Tag(("EXIF SubSecTime",), EXIF_IFD, 0x9290)
SUBSEC_TIME_ORIGINAL = Tag(("EXIF SubSecTimeOriginal",), EXIF_IFD, 0x9291)
SUBSEC_TIME_DIGITIZED = Tag(("EXIF SubSecTimeDigitized",), EXIF_IFD, 0x9292)
XMP_PACKET = Tag(("Image ApplicationNotes",), IFD0, 0x02BC)     # TIFF-based RAW files keep XMP here
EXPOSURE_TIME = Tag(("EXIF ExposureTime", "Image ExposureTime"), EXIF_IFD, 0x829A)
F_NUMBER = Tag(("EXIF FNumber", "Image FNumber"), EXIF_IFD, 0x829D)
ISO = Tag(("EXIF ISOSpeedRatings", "Image ISOSpeedRatings"), EXIF_IFD, 0x8827)
FOCAL_LENGTH = Tag(("EXIF FocalLength", "Image FocalLength"), EXIF_IFD, 0x920A)
FLASH = Tag(("EXIF Flash", "Image Flash"), EXIF_IFD, 0x9209)
LENS_MODEL = Tag(("EXIF LensModel",), EXIF_IFD, 0xA434)
GPS_LATITUDE_REF = Tag(("GPS GPSLatitudeRef",), GPS_IFD, 0x0001)
GPS_LATITUDE = Tag(("GPS GPSLatitude",), GPS_IFD, 0x0002)
GPS_LONGITUDE_REF = Tag(("GPS GPSLongitudeRef",), GPS_IFD, 0x0003)
GPS_LONGITUDE = Tag(("GPS GPSLongitude",), GPS_IFD, 0x0004)
GPS_ALTITUDE_REF = Tag(("GPS GPSAltitudeRef",), GPS_IFD, 0x0005)
GPS_ALTITUDE = Tag(("GPS GPSAltitude",), GPS_IFD, 0x0006)

# Each EXIF date with its sub-second and offset tags, best first.
EXIF_DATES: tuple[tuple[Tag, Tag, Tag, DateSource], ...] = (
    (DATETIME_ORIGINAL, SUBSEC_TIME_ORIGINAL, OFFSET_TIME_ORIGINAL, DateSource.EXIF_ORIGINAL),
    (DATETIME_DIGITIZED, SUBSEC_TIME_DIGITIZED, OFFSET_TIME_DIGITIZED, DateSource.EXIF_DIGITIZED),
    (DATETIME, SUBSEC_TIME, OFFSET_TIME, DateSource.EXIF_MODIFIED),
)

# exifread is a pure-Python parser fed untrusted bytes; on any of these we fall back to Pillow.
EXIFREAD_ERRORS: tuple[type[Exception], ...] = (
    OSError, ValueError, KeyError, IndexError, TypeError, AttributeError, AssertionError, EOFError,
    ZeroDivisionError, OverflowError, RecursionError, MemoryError, ExifError,
)


@dataclass(frozen=True, slots=True)
class ExifSources:
    """One file's EXIF as exifread and Pillow each read it (either may be empty), plus its XMP packet."""

    exifread_tags: Mapping[str, Any] = field(default_factory=dict)
    pillow_ifds: Mapping[int, Mapping[int, Any]] = field(default_factory=dict)
    xmp: bytes = b""

    def first(self, tag: Tag, convert: Callable[[Any], T | None]) -> T | None:
        """The tag's value from exifread, else from Pillow, converted; None when neither is usable."""
        for raw in self.raw_values(tag):
            converted = convert(raw)
            if converted is not None:
                return converted
        return None

    def raw_values(self, tag: Tag) -> list[Any]:
        """The tag's unconverted values, exifread's first."""
        found = [self.exifread_tags[key].values for key in tag.exifread_keys if key in self.exifread_tags]
        pillow_value = self.pillow_ifds.get(tag.ifd, {}).get(tag.number)
        return found if pillow_value is None else [*found, pillow_value]


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What the file system says besides the file's bytes: its name, its time, its XMP sidecar."""

    name: str = ""
    mtime: float | None = None
    sidecar: XmpValues | None = None


def read_metadata(source: PhotoFile) -> Metadata:
    """Size as stored plus EXIF; a field that cannot be read is None, but an unreadable file raises."""
    if is_raw_path(source.path):
        info = read_raw_info(source)
        sources = ExifSources(exifread_tags(source))
        return metadata_from("RAW", info.width, info.height, sources, info.orientation,
                             facts=file_facts(source))
    try:
        with pillow_image(source) as im:
            check_pixel_limit(im, source.path)
            image_format, width, height = im.format or "UNKNOWN", im.width, im.height
            if im.format == "PNG":          # its metadata chunks may follow the pixels: walked apart
                chunks = read_png_metadata(source)
                pillow_ifds, xmp = pillow_exif(im, source.path, chunks.exif), chunks.xmp
            else:
                pillow_ifds, xmp = pillow_exif(im, source.path), xmp_packet(im)
    except UndecodableImage:
        if not is_tiff(source):
            raise
        # A TIFF Pillow cannot open (CMYK + alpha, float...): tifffile reads its size, exifread its EXIF.
        layout = tiff_layout(source)
        return metadata_from("TIFF", layout.width, layout.height, ExifSources(exifread_tags(source)),
                             facts=file_facts(source))
    return metadata_from(image_format, width, height, ExifSources(exifread_tags(source), pillow_ifds, xmp),
                         facts=file_facts(source))


def file_facts(source: PhotoFile) -> FileFacts:
    """The name the file goes by, the time of the file held open, and the sidecar beside it."""
    with file_errors(source.path):
        mtime = source.stat().st_mtime
    folder = real_path_of_fd(source.fd, source.path).parent     # where the file held open really lies
    return FileFacts(source.name, mtime, read_sidecar(source.path, folder))


def metadata_from(
    image_format: str, width: int, height: int, exif: ExifSources, fallback_orientation: int = 1,
    facts: FileFacts = FileFacts(),
) -> Metadata:
    """Assemble Metadata from the size and the tag sources; a sidecar's values override the file's own."""
    embedded = parse_xmp(exif.xmp or embedded_xmp(exif))
    sidecar = facts.sidecar or XmpValues()
    latitude, longitude = gps_position(exif)
    altitude = gps_altitude(exif) if latitude is not None else None
    for xmp in (embedded, sidecar):      # XMP GPS fills in for missing EXIF GPS; a sidecar's overrides both
        if xmp.gps_lat is not None and (xmp is sidecar or latitude is None):
            latitude, longitude, altitude = xmp.gps_lat, xmp.gps_lon, xmp.gps_altitude
    when = dates.capture_date(date_candidates(exif, embedded, facts))
    make, model = camera_name(exif.first(MAKE, values.text), exif.first(MODEL, values.text))
    exif_stars = exif.first(RATING, values.rating)
    return Metadata(
        format=image_format,
        width=width,
        height=height,
        orientation=exif.first(ORIENTATION, values.orientation) or embedded.orientation
        or fallback_orientation,
        taken_at=when.taken_at,
        taken_at_offset=when.offset,
        camera_make=make,
        camera_model=model,
        lens=exif.first(LENS_MODEL, values.text),
        exposure_time=exif.first(EXPOSURE_TIME, values.positive),
        f_number=exif.first(F_NUMBER, values.positive),
        iso=exif.first(ISO, positive_integer),
        focal_length=exif.first(FOCAL_LENGTH, values.positive),
        flash=exif.first(FLASH, values.flash_fired),
        gps_lat=latitude,
        gps_lon=longitude,
        gps_altitude=altitude,
        rating=first_known(sidecar.rating, exif_stars, embedded.rating),
        date_source=when.source.value if when.source else None,
        date_uncertain=when.is_uncertain,
        title=sidecar.title or embedded.title,
        description=sidecar.description or embedded.description,
        keywords=sidecar.keywords or embedded.keywords,
    )


def first_known(*candidates: int | None) -> int | None:
    return next((value for value in candidates if value is not None), None)


def date_candidates(exif: ExifSources, embedded: XmpValues, facts: FileFacts) -> list[DateCandidate]:
    """Every date the file offers, best first: sidecar, EXIF and XMP dates, its name, its file time."""
    original, digitized, modified = (exif_date(exif, *entry) for entry in EXIF_DATES)
    sidecar = facts.sidecar or XmpValues()
    found = [
        xmp_date(sidecar.date_original, DateSource.SIDECAR),
        xmp_date(sidecar.date_created, DateSource.SIDECAR),
        original, xmp_date(embedded.date_original, DateSource.XMP),
        digitized, xmp_date(embedded.date_created, DateSource.XMP),
        modified,
    ]
    named = dates.date_in_file_name(facts.name) if facts.name else None
    found.append(DateCandidate(named, DateSource.FILE_NAME) if named else None)
    found.append(dates.file_time_candidate(facts.mtime) if facts.mtime is not None else None)
    return [candidate for candidate in found if candidate is not None]


def exif_date(
    exif: ExifSources, tag: Tag, subsec: Tag, offset: Tag, source: DateSource
) -> DateCandidate | None:
    """One EXIF date with its SubSecTime digits and its OffsetTime."""
    found = exif.first(tag, dates.moment)
    if found is None:
        return None
    when, written_offset = dates.with_subseconds(found, exif.first(subsec, dates.as_text))
    return DateCandidate(when, source, exif.first(offset, dates.utc_offset) or written_offset)


def xmp_date(found: tuple[datetime, str | None] | None, source: DateSource) -> DateCandidate | None:
    return DateCandidate(found[0], source, found[1]) if found else None


def embedded_xmp(exif: ExifSources) -> bytes:
    """The XMP packet a TIFF-based file (most RAWs) keeps in IFD0's ApplicationNotes, as exifread read it."""
    for raw in exif.raw_values(XMP_PACKET):
        try:
            return bytes(raw) if not isinstance(raw, str) else raw.encode("utf-8")
        except (TypeError, ValueError):
            continue
    return b""


def gps_position(exif: ExifSources) -> tuple[float | None, float | None]:
    """Latitude and longitude in signed decimal degrees; (None, None) when absent, invalid or 0/0."""
    latitude = exif.first(GPS_LATITUDE, values.degrees)
    longitude = exif.first(GPS_LONGITUDE, values.degrees)
    if latitude is None or longitude is None or (latitude == 0 and longitude == 0):
        return None, None
    if (exif.first(GPS_LATITUDE_REF, values.text) or "N").upper().startswith("S"):
        latitude = -latitude
    if (exif.first(GPS_LONGITUDE_REF, values.text) or "E").upper().startswith("W"):
        longitude = -longitude
    if abs(latitude) > 90 or abs(longitude) > 180:
        return None, None
    return latitude, longitude


def gps_altitude(exif: ExifSources) -> float | None:
    """Metres above sea level; below when GPSAltitudeRef is 1."""
    altitude = exif.first(GPS_ALTITUDE, values.number)
    if altitude is None:
        return None
    return -altitude if exif.first(GPS_ALTITUDE_REF, values.integer) == 1 else altitude


def positive_integer(value: Any) -> int | None:
    """An int above zero (ISO); EXIF writes 0 for unknown."""
    result = values.integer(value)
    return result if result is not None and result > 0 else None


def exifread_tags(source: PhotoFile) -> Mapping[str, Any]:
    """exifread's tags for source (maker notes skipped); empty when it cannot parse the file."""
    try:
        with file_errors(source.path), source.open() as f:
            return exifread.process_file(f, details=False, extract_thumbnail=False)
    except EXIFREAD_ERRORS:
        return {}


def pillow_exif(im: Image.Image, path: Path, block: bytes | None = None) -> Mapping[int, Mapping[int, Any]]:
    """Pillow's IFD0, Exif and GPS IFDs, of the image or of an EXIF block found apart (a PNG's, whose
    getexif() would decode every pixel hunting a trailing chunk); empty when the EXIF block is corrupt."""
    ifds: dict[int, Mapping[int, Any]] = {}
    try:
        if block is None:
            exif = im.getexif()
        else:
            exif = Image.Exif()
            exif.load(block)
        ifds[IFD0] = dict(exif)
        for ifd in (EXIF_IFD, GPS_IFD):
            ifds[ifd] = dict(exif.get_ifd(ifd))
    except EXIF_ERRORS as exc:
        if isinstance(exc, OSError) and is_storage_error(exc):
            raise storage_unavailable(path, exc) from exc
    return ifds


def xmp_packet(im: Image.Image) -> bytes:
    """The XMP packet Pillow found (JPEG, PNG, WebP, TIFF, AVIF, HEIF) as bytes (XML names its encoding)."""
    packet = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp") or b""
    return packet if isinstance(packet, bytes) else str(packet).encode("utf-8")
