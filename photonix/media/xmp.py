"""Values from an XMP packet (embedded in the file or a sidecar beside it), parsed with defusedxml.

XMP is untrusted XML: defusedxml refuses DTDs, entity expansion (billion laughs) and external
references, and an oversized packet is ignored outright. A packet that does not parse reads as empty."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from photonix.media import dates

MAX_PACKET_BYTES = 4 << 20          # darktable's history makes sidecars of a few hundred KB at most
MAX_KEYWORDS = 200
MAX_KEYWORD_CHARS = 100             # Tag.name holds 200
MAX_TEXT_CHARS = 4000

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XMP = "http://ns.adobe.com/xap/1.0/"
DC = "http://purl.org/dc/elements/1.1/"
LR = "http://ns.adobe.com/lightroom/1.0/"
EXIF = "http://ns.adobe.com/exif/1.0/"
TIFF = "http://ns.adobe.com/tiff/1.0/"
PHOTOSHOP = "http://ns.adobe.com/photoshop/1.0/"

XMP_ERRORS: tuple[type[Exception], ...] = (
    ParseError, DefusedXmlException, ValueError, UnicodeError, LookupError, RecursionError, OverflowError,
)
CONTAINERS = (f"{{{RDF}}}Alt", f"{{{RDF}}}Bag", f"{{{RDF}}}Seq")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# XMP writes GPS as "DDD,MM,SSk" or "DDD,MM.mmk" (k = N/S/E/W); some tools write decimal degrees.
COORDINATE = re.compile(
    r"\s*(\d{1,3}(?:\.\d+)?)(?:,(\d{1,2}(?:\.\d+)?)(?:,(\d{1,2}(?:\.\d+)?))?)?\s*([NSEW])?\s*", re.IGNORECASE
)
RATIONAL = re.compile(r"\s*(-?\d+(?:\.\d+)?)(?:/(\d+))?\s*")

Moment = tuple[datetime, str | None]


@dataclass(frozen=True, slots=True)
class XmpValues:
    """What an XMP packet says; a property it lacks (or holds nonsense in) is None or empty."""

    rating: int | None = None
    orientation: int | None = None
    title: str | None = None
    description: str | None = None
    keywords: tuple[str, ...] = ()
    gps_lat: float | None = None
    gps_lon: float | None = None
    gps_altitude: float | None = None
    date_original: Moment | None = None       # exif:DateTimeOriginal, else photoshop:DateCreated
    date_created: Moment | None = None        # xmp:CreateDate, else exif:DateTimeDigitized


def parse_xmp(packet: bytes | str) -> XmpValues:
    """The values of one packet; empty when it is too big, hostile or not XML."""
    data = packet.encode("utf-8") if isinstance(packet, str) else packet
    data = data.strip(b"\x00 \t\r\n")
    if not data or len(data) > MAX_PACKET_BYTES:
        return XmpValues()
    try:
        root = fromstring(data, forbid_dtd=True)
    except XMP_ERRORS:
        return XmpValues()
    found = properties(root)

    def first(namespace: str, name: str) -> str | None:
        values = found.get(f"{{{namespace}}}{name}")
        return values[0] if values else None

    latitude = coordinate(first(EXIF, "GPSLatitude"), "S")
    longitude = coordinate(first(EXIF, "GPSLongitude"), "W")
    if latitude is None or longitude is None or abs(latitude) > 90 or abs(longitude) > 180 \
            or (latitude == 0 and longitude == 0):
        latitude = longitude = None
    return XmpValues(
        rating=rating(first(XMP, "Rating")),
        orientation=orientation(first(TIFF, "Orientation")),
        title=clean(first(DC, "title"), MAX_TEXT_CHARS),
        description=clean(first(DC, "description"), MAX_TEXT_CHARS),
        keywords=keywords(found.get(f"{{{DC}}}subject", []), found.get(f"{{{LR}}}hierarchicalSubject", [])),
        gps_lat=latitude,
        gps_lon=longitude,
        gps_altitude=altitude(first(EXIF, "GPSAltitude"), first(EXIF, "GPSAltitudeRef"))
        if latitude is not None else None,
        date_original=dates.moment(first(EXIF, "DateTimeOriginal"))
        or dates.moment(first(PHOTOSHOP, "DateCreated")),
        date_created=dates.moment(first(XMP, "CreateDate")) or dates.moment(first(EXIF, "DateTimeDigitized")),
    )


def properties(root: Element) -> dict[str, list[str]]:
    """Each top-level property ({namespace}name) and its values, as attributes or elements, first one wins."""
    found: dict[str, list[str]] = {}
    for rdf in root.iter(f"{{{RDF}}}RDF"):
        for description in rdf.findall(f"{{{RDF}}}Description"):
            for name, value in description.attrib.items():
                if not name.startswith(f"{{{RDF}}}"):
                    found.setdefault(name, [value])
            for child in description:
                values = property_values(child)
                if values:
                    found.setdefault(child.tag, values)
    return found


def property_values(element: Element) -> list[str]:
    """A simple value, or the items of an rdf:Alt (x-default first), rdf:Bag or rdf:Seq."""
    container = next((child for child in element if child.tag in CONTAINERS), None)
    if container is None:
        text = (element.text or "").strip()
        return [text] if text and len(element) == 0 else []
    items = [item for item in container if item.tag == f"{{{RDF}}}li"]
    if container.tag == CONTAINERS[0]:
        items.sort(key=lambda item: item.get(XML_LANG) != "x-default")
    return [text for item in items if (text := (item.text or "").strip())]


def clean(value: str | None, limit: int) -> str | None:
    """Text without control characters, cut to `limit`; None when nothing is left."""
    if value is None:
        return None
    text = CONTROL_CHARACTERS.sub("", value).strip()[:limit].strip()
    return text or None


def keywords(subjects: list[str], hierarchical: list[str]) -> tuple[str, ...]:
    """dc:subject, then the leaf of each lr:hierarchicalSubject path ("Places|France|Paris"), once each."""
    seen: set[str] = set()
    result: list[str] = []
    for raw in [*subjects, *(path.rsplit("|", 1)[-1] for path in hierarchical)]:
        word = clean(raw, MAX_KEYWORD_CHARS)
        if word and word.casefold() not in seen and len(result) < MAX_KEYWORDS:
            seen.add(word.casefold())
            result.append(word)
    return tuple(result)


def number(value: str | None) -> float | None:
    """A float from "12.5" or a rational "125/10"; None when it is neither."""
    match = RATIONAL.fullmatch(value) if value else None
    if match is None:
        return None
    numerator, denominator = float(match.group(1)), int(match.group(2) or 1)
    return numerator / denominator if denominator else None


def rating(value: str | None) -> int | None:
    """xmp:Rating clamped to 0..5 (-1 means rejected)."""
    stars = number(value)
    return min(max(int(stars), 0), 5) if stars is not None else None


def orientation(value: str | None) -> int | None:
    turn = number(value)
    return int(turn) if turn is not None and turn in range(1, 9) else None


def coordinate(value: str | None, negative: str) -> float | None:
    """Signed decimal degrees from XMP's "48,51.5N" or "48,51,30N"."""
    match = COORDINATE.fullmatch(value) if value else None
    if match is None:
        return None
    degrees, minutes, seconds, direction = match.groups()
    total = float(degrees) + float(minutes or 0) / 60 + float(seconds or 0) / 3600
    return -total if direction and direction.upper() == negative else total


def altitude(value: str | None, reference: str | None) -> float | None:
    """Metres above sea level; below when GPSAltitudeRef is 1."""
    metres = number(value)
    if metres is None:
        return None
    return -metres if (reference or "").strip() == "1" else metres
