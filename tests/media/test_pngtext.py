"""A PNG's EXIF and XMP are read wherever its chunks sit, before or after the pixels, and hostile chunks
(bombs, cut files, bad checksums) cost bounded memory and raise nothing of their own."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zlib
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from photonix.media import pngtext
from photonix.media.exif import read_metadata
from photonix.media.pngtext import read_png_metadata
from tests import fuzzing
from tests.held_files import read

Chunk = bytes
TAKEN = datetime(2011, 2, 3, 4, 5, 6)


def chunk(kind: bytes, data: bytes) -> Chunk:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def exif_block() -> bytes:
    """An EXIF block (TIFF header first): a camera, a capture date and a position in Genève."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Canon", "Canon EOS 5D"
    exif.get_ifd(0x8769)[0x9003] = "2011:02:03 04:05:06"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (46.0, 12.0, 0.0), "E", (6.0, 9.0, 0.0)
    return exif.tobytes()[len(b"Exif\x00\x00"):]


def xmp_packet(stars: int) -> bytes:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="{stars}"/>'
        "</rdf:RDF></x:xmpmeta>"
    ).encode()


def raw_profile(name: str, data: bytes) -> bytes:
    """ImageMagick's form: a newline, the name, the length, then the bytes as hex in lines of 72."""
    hexed = data.hex()
    lines = "\n".join(hexed[i:i + 72] for i in range(0, len(hexed), 72))
    return f"\n{name}\n{len(data):8d}\n{lines}\n".encode("latin-1")


def text_chunk(kind: bytes, keyword: bytes, text: bytes) -> Chunk:
    """A tEXt, zTXt or iTXt chunk (the iTXt compressed) holding text under keyword."""
    if kind == b"tEXt":
        return chunk(kind, keyword + b"\x00" + text)
    if kind == b"zTXt":
        return chunk(kind, keyword + b"\x00\x00" + zlib.compress(text))
    return chunk(kind, keyword + b"\x00\x01\x00\x00\x00" + zlib.compress(text))


def eXIf() -> Chunk:
    return chunk(b"eXIf", exif_block())


def exif_profile(kind: bytes) -> Chunk:
    return text_chunk(kind, b"Raw profile type exif", raw_profile("exif", b"Exif\x00\x00" + exif_block()))


def xmp_itxt(stars: int) -> Chunk:
    return chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + xmp_packet(stars))


def png(before: Sequence[Chunk] = (), after: Sequence[Chunk] = (), *, pixels: bytes | None = None) -> bytes:
    """A 16x12 PNG from Pillow with chunks put before its image data and after it (before IEND);
    `pixels` replaces the image data's compressed stream."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (90, 120, 200)).save(buffer, "PNG")
    data = buffer.getvalue()
    idat, iend = data.index(b"IDAT") - 4, data.rindex(b"IEND") - 4
    image_data = data[idat:iend] if pixels is None else chunk(b"IDAT", pixels)
    return data[:idat] + b"".join(before) + image_data + b"".join(after) + data[iend:]


@pytest.fixture
def written(tmp_path: Path) -> Callable[[bytes], Path]:
    def write(data: bytes) -> Path:
        path = tmp_path / "photo.png"
        path.write_bytes(data)
        return path
    return write


EXIF_CARRIERS = {
    "eXIf": eXIf,
    "tEXt raw profile": lambda: exif_profile(b"tEXt"),
    "zTXt raw profile": lambda: exif_profile(b"zTXt"),
    "iTXt raw profile": lambda: exif_profile(b"iTXt"),
}


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("carrier", EXIF_CARRIERS)
def test_exif_is_read_before_or_after_the_pixels(written, carrier: str, where: str) -> None:
    made = EXIF_CARRIERS[carrier]()
    meta = read(read_metadata, written(png(**{where: [made]})))
    assert (meta.camera_make, meta.camera_model) == ("Canon", "EOS 5D")
    assert (meta.taken_at, meta.date_source) == (TAKEN, "exif_original")
    assert (round(meta.gps_lat or 0, 4), round(meta.gps_lon or 0, 4)) == (46.2, 6.15)


XMP_CARRIERS = {
    "iTXt": lambda: xmp_itxt(4),
    "compressed iTXt": lambda: text_chunk(b"iTXt", b"XML:com.adobe.xmp", xmp_packet(4)),
    "zTXt raw profile": lambda: text_chunk(b"zTXt", b"Raw profile type xmp",
                                           raw_profile("xmp", xmp_packet(4))),
    "APP1 raw profile": lambda: text_chunk(b"zTXt", b"Raw profile type APP1", raw_profile(
        "APP1", b"http://ns.adobe.com/xap/1.0/\x00" + xmp_packet(4))),
}


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("carrier", XMP_CARRIERS)
def test_xmp_rating_is_read_before_or_after_the_pixels(written, carrier: str, where: str) -> None:
    assert read(read_metadata, written(png(**{where: [XMP_CARRIERS[carrier]()]}))).rating == 4


def test_metadata_after_undecodable_pixels_is_read_without_decoding_them(written) -> None:
    path = written(png(after=[eXIf(), xmp_itxt(2)], pixels=zlib.compress(b"not scanlines")[:-3]))
    with pytest.raises(OSError), Image.open(path) as im:
        im.load()                                   # the pixels really are broken
    meta = read(read_metadata, path)
    assert (meta.camera_model, meta.rating, meta.width) == ("EOS 5D", 2, 16)


def test_the_first_exif_and_xmp_win(written) -> None:
    later = Image.Exif()
    later[0x0110] = "Other"
    found = read(read_png_metadata, written(png(before=[xmp_itxt(1)],
                                          after=[eXIf(), chunk(b"eXIf", later.tobytes()), xmp_itxt(5)])))
    assert (found.exif, found.xmp) == (exif_block(), xmp_packet(1))


def zlib_bomb(size: int) -> bytes:
    """A zlib stream of `size` zero bytes, made piece by piece (it is ~1000 times smaller)."""
    deflater = zlib.compressobj(9)
    zeros = bytes(1 << 20)
    return b"".join(deflater.compress(zeros) for _ in range(size >> 20)) + deflater.flush()


def test_a_zTXt_bomb_is_dropped_within_bounds_and_the_rest_is_read(written) -> None:
    bomb = chunk(b"zTXt", b"Raw profile type exif\x00\x00" + zlib_bomb(64 << 20))
    path = written(png(after=[bomb, xmp_itxt(3), eXIf()]))
    tracemalloc.start()
    try:
        found = read(read_png_metadata, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (found.exif, found.xmp) == (exif_block(), xmp_packet(3))
    # The bomb inflates to 64 MiB; what is held stays a small multiple of the text limit.
    assert peak < 3 * pngtext.MAX_TEXT_BYTES
    assert read(read_metadata, path).rating == 3


def test_an_oversized_chunk_is_skipped_unread(written) -> None:
    huge = text_chunk(b"tEXt", b"XML:com.adobe.xmp", b" " * (pngtext.MAX_CHUNK_BYTES + 1))
    found = read(read_png_metadata, written(png(after=[huge, xmp_itxt(1)])))
    assert found.xmp == xmp_packet(1)


def test_a_chunk_with_a_bad_checksum_is_not_trusted(written) -> None:
    damaged = bytearray(eXIf())
    damaged[-1] ^= 0xFF
    found = read(read_png_metadata, written(png(after=[bytes(damaged), xmp_itxt(3)])))
    assert (found.exif, found.xmp) == (b"", xmp_packet(3))


@pytest.mark.parametrize("cut", [1, 5, 12, 40])
def test_a_file_cut_inside_a_trailing_chunk_keeps_what_came_before(written, cut: int) -> None:
    data = png(before=[xmp_itxt(3)], after=[eXIf()])
    end = data.rindex(b"IEND") - 4
    path = written(data[:end - cut])
    assert read(read_png_metadata, path) == pngtext.PngMetadata(b"", xmp_packet(3))
    assert read(read_metadata, path).rating == 3


def test_a_length_beyond_the_spec_ends_the_walk(written) -> None:
    lying = struct.pack(">I", 0xFFFFFFF0) + b"eXIf" + exif_block()
    found = read(read_png_metadata, written(png(before=[xmp_itxt(2)], after=[lying, eXIf()])))
    assert (found.exif, found.xmp) == (b"", xmp_packet(2))


@pytest.mark.parametrize("text", [
    b"\nexif\n  12\nnot hex at all\n", b"exif", b"\nexif\nlots\n4142\n", b"", b"\n\n\n",
])
def test_a_malformed_raw_profile_reads_as_no_exif(written, text: bytes) -> None:
    found = read(read_png_metadata, written(png(after=[text_chunk(b"zTXt", b"Raw profile type exif", text)])))
    assert found.exif == b""


def test_not_a_png_reads_as_nothing(tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    path.write_bytes(b"GIF89a" + bytes(100))
    assert read(read_png_metadata, path) == pngtext.PngMetadata()


def test_mutated_pngs_with_trailing_metadata_raise_only_our_errors(tmp_path: Path) -> None:
    source = tmp_path / "source" / "trailing.png"
    source.parent.mkdir()
    source.write_bytes(png(before=[xmp_itxt(1)],
                           after=[exif_profile(b"zTXt"), eXIf(), text_chunk(b"iTXt", b"XML:com.adobe.xmp",
                                                                            xmp_packet(4))]))
    cases = fuzzing.make_cases(32, 11, [source])
    findings = fuzzing.run_cases(cases, tmp_path / "cases")
    assert not findings, fuzzing.summary(findings)
