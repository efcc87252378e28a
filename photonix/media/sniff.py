"""What a file's first bytes say it is: an upload is refused by its content, not only by its name, so a text
file or a PDF renamed `.jpg` is turned away at once instead of failing in the pipeline later.

Photo formats are recognised by their magic numbers. Camera RAW formats are too many and too loosely
specified to list them all (most are TIFF inside, some are not), so a file named as RAW is refused only when
its head is clearly something else: text, or a known non-image format."""

from __future__ import annotations

HEAD_SIZE = 64      # enough for every signature below (the ISO-BMFF brand sits at bytes 8-12)

# Signatures at offset 0: JPEG (and MPO), PNG, GIF, TIFF both ways (and the TIFF-based RAWs: DNG, CR2,
# NEF, ARW, PEF, SRW, ...), Olympus ORF, Panasonic RW2/RAW, Fujifilm RAF, Minolta MRW, Sigma X3F, Canon CRW,
# Phase One IIQ.
_IMAGE_PREFIXES: tuple[bytes, ...] = (
    b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*",
    b"IIRO", b"IIRS", b"MMOR", b"IIU\x00", b"FUJIFILMCCD-RAW", b"\x00MRM", b"FOVb",
    b"II\x1a\x00\x00\x00HEAPCCDR", b"IIII",
)
# ISO base media files (HEIC/HEIF, AVIF, Canon CR3) name their kind by the brand after "ftyp" at byte 4.
_IMAGE_BRANDS: frozenset[bytes] = frozenset({
    b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis", b"crx ",
})
# Formats people rename by mistake, that are certainly not photos.
_OTHER_FORMATS: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "a gzip archive"), (b"Rar!", "a RAR archive"), (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x7fELF", "a program"), (b"MZ", "a program"), (b"ID3", "an MP3 audio file"),
    (b"OggS", "an Ogg audio or video file"), (b"\x1aE\xdf\xa3", "a Matroska/WebM video"),
)


def is_image_head(head: bytes) -> bool:
    """Whether these first bytes are those of a photo format Photonix reads."""
    if head.startswith(_IMAGE_PREFIXES):
        return True
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return True
    if head[:2] == b"BM" and head[6:10] == b"\x00\x00\x00\x00":      # BMP: "BM", size, 4 reserved zeros
        return True
    return head[4:8] == b"ftyp" and head[8:12] in _IMAGE_BRANDS


def _is_text(head: bytes) -> bool:
    """No NUL and valid UTF-8 (allowing a character cut at the end): a text file, whatever its name."""
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True


def what_it_is(head: bytes) -> str:
    """A few words naming content that is no photo ("text", "a PDF document", ...)."""
    named = next((name for magic, name in _OTHER_FORMATS if head.startswith(magic)), None)
    if named is not None:
        return named
    if head[4:8] == b"ftyp":
        return "a video or another media file"
    return "text" if _is_text(head) else "not an image format Photonix reads"


def content_refusal(head: bytes, *, is_raw_name: bool) -> str | None:
    """Why content with this head is no photo, in a few words; None when it may be one.

    A name saying RAW gets the benefit of the doubt for unknown binary content (see the module's note)."""
    if is_image_head(head):
        return None
    if is_raw_name and not _is_text(head) and not any(head.startswith(m) for m, _ in _OTHER_FORMATS):
        return None
    return what_it_is(head)
