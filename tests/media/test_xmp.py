"""Metadata wherever formats keep it: embedded XMP (safely parsed), EXIF in PNG, and camera names."""

from __future__ import annotations

import random
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from photonix.media.camera import camera_name
from photonix.media.exif import read_metadata
from photonix.media.xmp import parse_xmp
from tests.held_files import read

NAMESPACES = (
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:lr="http://ns.adobe.com/lightroom/1.0/" '
    'xmlns:exif="http://ns.adobe.com/exif/1.0/"'
)
LIGHTROOM_XMP = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF {NAMESPACES}>
 <rdf:Description rdf:about="" xmp:Rating="4" exif:GPSLatitude="48,51.5N" exif:GPSLongitude="2,17,24W"
   exif:GPSAltitude="355/10" exif:GPSAltitudeRef="0">
  <dc:title><rdf:Alt><rdf:li xml:lang="fr">Le pont</rdf:li>
   <rdf:li xml:lang="x-default">The bridge</rdf:li></rdf:Alt></dc:title>
  <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Evening walk</rdf:li></rdf:Alt></dc:description>
  <dc:subject><rdf:Bag><rdf:li>bridge</rdf:li><rdf:li>Paris</rdf:li></rdf:Bag></dc:subject>
  <lr:hierarchicalSubject><rdf:Bag><rdf:li>Places|France|Paris</rdf:li><rdf:li>Things|river</rdf:li></rdf:Bag>
  </lr:hierarchicalSubject>
 </rdf:Description>
</rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""


def jpeg(tmp_path: Path, exif: Image.Exif | None = None, xmp: str | None = None) -> Path:
    path = tmp_path / "photo.jpg"
    extra = {"xmp": xmp.encode()} if xmp else {}
    chosen = exif if exif is not None else Image.Exif()     # an Exif holding only a GPS IFD is falsy
    Image.new("RGB", (16, 12), (90, 90, 90)).save(path, exif=chosen, **extra)  # type: ignore[arg-type]
    return path


def test_embedded_xmp_gives_rating_title_description_keywords_and_gps(tmp_path: Path) -> None:
    meta = read(read_metadata, jpeg(tmp_path, xmp=LIGHTROOM_XMP))
    assert (meta.rating, meta.title, meta.description) == (4, "The bridge", "Evening walk")
    assert meta.keywords == ("bridge", "Paris", "river")
    assert meta.gps_lat == pytest.approx(48 + 51.5 / 60)
    assert meta.gps_lon == pytest.approx(-(2 + 17 / 60 + 24 / 3600))
    assert meta.gps_altitude == pytest.approx(35.5)


def test_exif_gps_wins_over_embedded_xmp_gps(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (10.0, 0.0, 0.0), 3: "E", 4: (20.0, 0.0, 0.0)})
    meta = read(read_metadata, jpeg(tmp_path, exif, LIGHTROOM_XMP))
    assert (meta.gps_lat, meta.gps_lon) == (pytest.approx(10.0), pytest.approx(20.0))


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
 <rdf:Description xmp:Rating="5"><dc:title><rdf:Alt><rdf:li>&d;</rdf:li></rdf:Alt></dc:title>
 </rdf:Description>
</rdf:RDF></x:xmpmeta>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns:dc="http://purl.org/dc/elements/1.1/"><rdf:Description><dc:title><rdf:Alt><rdf:li>&secret;</rdf:li>
 </rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta>"""


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["entity-bomb", "external-entity"])
def test_xmp_with_a_dtd_is_refused_and_the_photo_still_reads(tmp_path: Path, hostile: str) -> None:
    assert parse_xmp(hostile) == parse_xmp("")
    meta = read(read_metadata, jpeg(tmp_path, xmp=hostile))
    assert (meta.title, meta.rating, meta.width) == (None, None, 16)


@pytest.mark.parametrize("broken", ["<x:xmpmeta", "not xml at all", "<a><b></a>", "\x00" * 10,
                                    '<?xml version="1.0" encoding="U-TF-8"?><a/>'])
def test_xmp_that_is_not_xml_reads_as_empty(broken: str) -> None:
    assert parse_xmp(broken) == parse_xmp(b"")


def test_exif_in_a_png_exif_chunk_is_read(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "NIKON CORPORATION", "NIKON D70"
    exif.get_ifd(0x8769)[0x9003] = "2011:02:03 04:05:06"
    path = tmp_path / "photo.png"
    Image.new("RGB", (16, 12)).save(path, exif=exif)
    meta = read(read_metadata, path)
    assert (meta.camera_make, meta.camera_model, meta.date_source) == ("Nikon", "D70", "exif_original")


def test_exif_in_an_exif_chunk_after_the_pixels_is_read(tmp_path: Path) -> None:
    """PNG allows eXIf after IDAT; Pillow only sees it after decoding every pixel, exifread finds it."""
    exif = Image.Exif()
    exif[0x0110] = "Late Model"
    exif.get_ifd(0x8769)[0x9003] = "2011:02:03 04:05:06"
    path = tmp_path / "late.png"
    Image.new("RGB", (16, 12)).save(path)
    data = path.read_bytes()
    payload = exif.tobytes()[len(b"Exif\x00\x00"):]
    crc = struct.pack(">I", zlib.crc32(b"eXIf" + payload))
    chunk = struct.pack(">I", len(payload)) + b"eXIf" + payload + crc
    end = data.rindex(b"IEND") - 4
    path.write_bytes(data[:end] + chunk + data[end:])
    meta = read(read_metadata, path)
    assert (meta.camera_model, meta.date_source) == ("Late Model", "exif_original")


def test_exif_in_imagemagicks_raw_profile_text_chunk_is_read(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Canon", "Canon EOS 5D"
    exif.get_ifd(0x8769)[0x9003] = "2011:02:03 04:05:06"
    data = exif.tobytes()
    hexed = data.hex()
    lines = "\n".join(hexed[i:i + 72] for i in range(0, len(hexed), 72))
    profile = f"\nexif\n{len(data):8d}\n{lines}\n"
    info = PngImagePlugin.PngInfo()
    info.add_text("Raw profile type exif", profile, zip=True)
    path = tmp_path / "magick.png"
    Image.new("RGB", (16, 12)).save(path, pnginfo=info)
    meta = read(read_metadata, path)
    assert (meta.camera_make, meta.camera_model, meta.date_source) == ("Canon", "EOS 5D", "exif_original")


@pytest.mark.parametrize(("make", "model", "expected"), [
    ("Canon", "Canon EOS 5D", ("Canon", "EOS 5D")),
    ("NIKON CORPORATION", "NIKON D70", ("Nikon", "D70")),
    ("OLYMPUS IMAGING CORP.", "E-P3", ("Olympus", "E-P3")),
    ("EASTMAN KODAK COMPANY", "KODAK DX6490 ZOOM DIGITAL CAMERA", ("Kodak", "DX6490 ZOOM DIGITAL CAMERA")),
    ("Apple", "iPhone 8", ("Apple", "iPhone 8")),
    ("Canon", "Canon", ("Canon", "Canon")),
    (None, "Model X", (None, "Model X")),
    ("FLIR", None, ("FLIR", None)),
])
def test_camera_names_drop_a_repeated_make_and_use_the_brand(
    make: str | None, model: str | None, expected: tuple[str | None, str | None]
) -> None:
    assert camera_name(make, model) == expected


def test_mutated_xmp_packets_never_raise() -> None:
    """Flipped bytes, cuts and stray markup (a bounded, seeded set) read as some values or as empty."""
    rng = random.Random(10)
    seeds = [LIGHTROOM_XMP.encode(), BILLION_LAUGHS.encode()]
    for _ in range(2000):
        packet = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(packet))
            if rng.random() < 0.5:
                packet[at] = rng.randrange(256)
            elif rng.random() < 0.5:
                del packet[at:at + rng.randint(1, 40)]
            else:
                packet[at:at] = rng.choice([b"<", b'"', b"&amp;", b"99999999999999", b'encoding="x"',
                                            b"\x00"])
        parse_xmp(bytes(packet))
