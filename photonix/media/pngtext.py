"""A PNG's EXIF and XMP from its chunks, before or after the pixel data, read without decoding a pixel.

PNG lets eXIf and text chunks (tEXt, zTXt, iTXt) follow the image data, and ImageMagick and exiftool
put them there; Pillow reads chunks after IDAT only once it has decoded every pixel. So the chunks are
walked here, header by header, skipping the image data. Every size is bounded: a chunk above
MAX_CHUNK_BYTES is not read, compressed text inflates to MAX_TEXT_BYTES at most (a zTXt bomb is
dropped), and the walk ends after MAX_CHUNKS chunks. A damaged chunk (bad CRC, cut short) is not
trusted; the values themselves are decoded by Pillow (EXIF) and photonix.media.xmp (XMP)."""

from __future__ import annotations

import os
import struct
import zlib
from dataclasses import dataclass

from photonix.media.photofile import PhotoFile

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHUNK_HEADER = struct.Struct(">I4s")        # data length, chunk type; then the data, then its CRC
CRC_BYTES = 4
MAX_LENGTH = 0x7FFFFFFF                     # the PNG spec's limit on one chunk's data
MAX_CHUNK_BYTES = 8 << 20                   # a metadata chunk bigger than this is skipped unread
MAX_TEXT_BYTES = 8 << 20                    # compressed text inflates at most this far
MAX_READ_BYTES = 32 << 20                   # all metadata chunks read from one file, together
MAX_CHUNKS = 1 << 20                        # 8 KiB IDAT chunks of a 200 MP photo are ~40 000

EXIF_CHUNK = b"eXIf"
TEXT_CHUNKS = frozenset({b"tEXt", b"zTXt", b"iTXt"})
EXIF_PREFIX = b"Exif\x00\x00"
XMP_KEYWORD = b"XML:com.adobe.xmp"          # the XMP spec's iTXt keyword
# ImageMagick's hex-encoded profiles; older versions wrote EXIF or XMP as an "APP1" profile (JPEG's).
EXIF_PROFILE = b"Raw profile type exif"
XMP_PROFILE = b"Raw profile type xmp"
APP1_PROFILE = b"Raw profile type APP1"
XMP_APP1_PREFIX = b"http://ns.adobe.com/xap/1.0/\x00"
KEYWORD_BYTES = 80                          # a keyword is 1-79 bytes, then a NUL
KEYWORDS = frozenset({XMP_KEYWORD, EXIF_PROFILE, XMP_PROFILE, APP1_PROFILE})


@dataclass(frozen=True, slots=True)
class PngMetadata:
    """The first EXIF block (TIFF header first) and the first XMP packet the chunks hold; b"" if none."""

    exif: bytes = b""
    xmp: bytes = b""


def read_png_metadata(source: PhotoFile) -> PngMetadata:
    """The EXIF and XMP of the PNG source, wherever their chunks sit; empty for what is absent, damaged
    or oversized. Only the file system's errors (OSError) escape."""
    return metadata_in(source.fd)           # pread: the held descriptor's offset never moves


def metadata_in(fd: int) -> PngMetadata:
    if os.pread(fd, len(SIGNATURE), 0) != SIGNATURE:
        return PngMetadata()
    exif = xmp = b""
    offset, budget = len(SIGNATURE), MAX_READ_BYTES
    for _ in range(MAX_CHUNKS):
        header = os.pread(fd, CHUNK_HEADER.size, offset)
        if len(header) < CHUNK_HEADER.size:
            break                                   # the file ends without IEND: what was found stands
        length, kind = CHUNK_HEADER.unpack(header)
        if length > MAX_LENGTH or kind == b"IEND":
            break
        start, offset = offset + CHUNK_HEADER.size, offset + CHUNK_HEADER.size + length + CRC_BYTES
        if length > min(MAX_CHUNK_BYTES, budget) or not is_wanted(fd, kind, start, length):
            continue
        budget -= length
        data = checked_data(os.pread(fd, length + CRC_BYTES, start), kind, length)
        if data is None:
            continue
        found_exif, found_xmp = values_of(kind, data)
        exif, xmp = exif or found_exif, xmp or found_xmp
        if exif and xmp:
            break
    return PngMetadata(exif, xmp)


def is_wanted(fd: int, kind: bytes, start: int, length: int) -> bool:
    """An eXIf chunk, or a text chunk under a keyword that holds EXIF or XMP (a comment's text is not
    read)."""
    if kind in TEXT_CHUNKS:
        return keyword_of(os.pread(fd, min(length, KEYWORD_BYTES), start)) in KEYWORDS
    return kind == EXIF_CHUNK


def checked_data(body: bytes, kind: bytes, length: int) -> bytes | None:
    """The chunk's data when it is whole and its CRC matches; None otherwise."""
    if len(body) != length + CRC_BYTES:
        return None
    data, crc = body[:length], int.from_bytes(body[length:], "big")
    return data if zlib.crc32(data, zlib.crc32(kind)) == crc else None


def values_of(kind: bytes, data: bytes) -> tuple[bytes, bytes]:
    """(EXIF block, XMP packet) one chunk holds; b"" for what it does not."""
    if kind == EXIF_CHUNK:
        return without_exif_prefix(data), b""
    keyword = keyword_of(data)
    if keyword not in KEYWORDS:
        return b"", b""
    text = text_of(kind, data)
    if keyword == XMP_KEYWORD:
        return b"", text
    profile = profile_bytes(text)
    if keyword == XMP_PROFILE:
        return b"", profile
    if profile.startswith(EXIF_PREFIX) or (keyword == EXIF_PROFILE and is_tiff_header(profile)):
        return without_exif_prefix(profile), b""
    if keyword == APP1_PROFILE and profile.startswith(XMP_APP1_PREFIX):
        return b"", profile.removeprefix(XMP_APP1_PREFIX)
    return b"", b""


def keyword_of(data: bytes) -> bytes:
    """A text chunk's keyword: the bytes before its first NUL (1 to 79 of them)."""
    return data[:KEYWORD_BYTES].partition(b"\x00")[0]


def text_of(kind: bytes, data: bytes) -> bytes:
    """The text of a tEXt, zTXt or iTXt chunk, inflated where compressed; b"" when the chunk is broken."""
    _, separator, rest = data.partition(b"\x00")
    if not separator:
        return b""
    if kind == b"tEXt":
        return rest
    if kind == b"zTXt":                             # compression method (0, zlib), then the stream
        return inflated(rest[1:]) if rest[:1] == b"\x00" else b""
    # iTXt: compressed flag, method, language tag \0, translated keyword \0, UTF-8 text
    if len(rest) < 2:
        return b""
    is_compressed, method = rest[0], rest[1]
    parts = rest[2:].split(b"\x00", 2)
    if len(parts) != 3:
        return b""
    if not is_compressed:
        return parts[2]
    return inflated(parts[2]) if method == 0 else b""


def inflated(stream: bytes) -> bytes:
    """The zlib stream inflated, or b"" when it is corrupt or would grow past MAX_TEXT_BYTES (a bomb)."""
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(stream, MAX_TEXT_BYTES)
    except zlib.error:
        return b""
    return b"" if inflater.unconsumed_tail else text


def profile_bytes(text: bytes) -> bytes:
    """The bytes of an ImageMagick raw profile, "\\n<name>\\n<length>\\n<hex in lines>"; b"" if malformed."""
    parts = text.strip().split(b"\n", 2)
    if len(parts) != 3:
        return b""
    try:
        declared = int(parts[1])
        profile = bytes.fromhex(b"".join(parts[2].split()).decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        return b""
    return profile[:declared] if 0 < declared <= len(profile) else profile


def without_exif_prefix(block: bytes) -> bytes:
    return block.removeprefix(EXIF_PREFIX)


def is_tiff_header(block: bytes) -> bool:
    return block[:4] in (b"II*\x00", b"MM\x00*")
