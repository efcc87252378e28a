"""XMP sidecars beside an original: found by either name, override embedded values, never read via links."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from photonix.media.contained import FileRoots, contained_file
from photonix.media.exif import read_metadata
from photonix.media.formats import is_photo_path
from photonix.media.sidecars import originals_of, signature
from tests.held_files import read

DARKTABLE_SIDECAR = """<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/" xmlns:darktable="http://darktable.sf.net/"
    xmp:Rating="5" exif:DateTimeOriginal="2012:03:04 05:06:07" darktable:xmp_version="5">
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">From the sidecar</rdf:li></rdf:Alt></dc:title>
   <dc:subject><rdf:Bag><rdf:li>sidecar keyword</rdf:li></rdf:Bag></dc:subject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""
EMBEDDED = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmp:Rating="1"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">Embedded</rdf:li></rdf:Alt></dc:title>'
    '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Kept</rdf:li></rdf:Alt></dc:description>'
    "</rdf:Description></rdf:RDF></x:xmpmeta>"
)


def original(folder: Path, name: str = "IMG_1.jpg") -> Path:
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2001:01:01 01:01:01"
    path = folder / name
    Image.new("RGB", (16, 12)).save(path, exif=exif, xmp=EMBEDDED.encode())
    return path


@pytest.mark.parametrize("sidecar_name", ["IMG_1.jpg.xmp", "IMG_1.xmp", "IMG_1.XMP"])
def test_sidecar_values_override_the_embedded_ones(tmp_path: Path, sidecar_name: str) -> None:
    photo = original(tmp_path)
    (tmp_path / sidecar_name).write_text(DARKTABLE_SIDECAR)
    meta = read(read_metadata, photo)
    assert (meta.title, meta.rating, meta.keywords) == ("From the sidecar", 5, ("sidecar keyword",))
    assert (meta.taken_at, meta.date_source) == (datetime(2012, 3, 4, 5, 6, 7), "xmp_sidecar")
    assert meta.description == "Kept"            # what the sidecar does not say, the file still does


def test_photo_without_sidecar_keeps_its_embedded_values(tmp_path: Path) -> None:
    meta = read(read_metadata, original(tmp_path))
    assert (meta.title, meta.rating, meta.date_source) == ("Embedded", 1, "exif_original")


def test_sidecar_that_is_a_symlink_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.xmp").write_text(DARKTABLE_SIDECAR)
    library = tmp_path / "library"
    library.mkdir()
    photo = original(library)
    (library / "IMG_1.jpg.xmp").symlink_to(outside / "secret.xmp")
    assert read(read_metadata, photo).title == "Embedded"


def test_sidecars_are_not_photos_and_find_their_originals(tmp_path: Path) -> None:
    raw, jpeg = tmp_path / "IMG_1.CR2", tmp_path / "IMG_1.JPG"
    raw.write_bytes(b"raw")
    jpeg.write_bytes(b"jpeg")
    (tmp_path / "IMG_10.JPG").write_bytes(b"other")
    assert not is_photo_path(tmp_path / "IMG_1.CR2.xmp")
    assert originals_of(tmp_path / "IMG_1.CR2.xmp") == [raw]
    assert originals_of(tmp_path / "IMG_1.xmp") == [raw, jpeg]
    assert originals_of(tmp_path / "IMG_2.xmp") == []


def test_sidecar_signature_changes_when_the_sidecar_appears_changes_or_goes(tmp_path: Path) -> None:
    photo = original(tmp_path)
    assert signature(photo) == ""
    sidecar = tmp_path / "IMG_1.xmp"
    sidecar.write_text(DARKTABLE_SIDECAR)
    first = signature(photo)
    sidecar.write_text(DARKTABLE_SIDECAR + "\n")
    second = signature(photo)
    sidecar.unlink()
    assert "" != first != second != ""
    assert signature(photo) == ""


def test_a_sidecar_is_not_read_from_a_folder_swapped_in_after_the_photo_was_checked(tmp_path: Path) -> None:
    library, outside = tmp_path / "library", tmp_path / "outside"
    (library / "trip").mkdir(parents=True)
    outside.mkdir()
    photo = original(library / "trip")
    original(outside)                                      # the same names elsewhere, with a sidecar
    (outside / "IMG_1.jpg.xmp").write_text(DARKTABLE_SIDECAR)
    with contained_file(photo, FileRoots((library,))) as held:
        (library / "trip").rename(library / "held")        # the folder is swapped for a link out
        (library / "trip").symlink_to(outside, target_is_directory=True)
        meta = read_metadata(held)
    assert (meta.title, meta.rating) == ("Embedded", 1)
