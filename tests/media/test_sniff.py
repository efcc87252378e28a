"""Upload sniffing: every photo of the corpus passes by its first bytes, whatever its format (RAW, HEIC, AVIF,
WebP, ...); text and other formats renamed as photos do not."""

from __future__ import annotations

import pytest

from photonix.media.formats import is_raw_path
from photonix.media.sniff import HEAD_SIZE, content_refusal
from tests import corpus


@pytest.mark.parametrize("row", corpus.rows(expected="ok"), ids=lambda row: row.path)
def test_every_photo_of_the_corpus_passes_by_its_content(row: corpus.Row) -> None:
    with row.file.open("rb") as file:
        head = file.read(HEAD_SIZE)
    assert content_refusal(head, is_raw_name=is_raw_path(row.file.name)) is None


@pytest.mark.parametrize(("head", "found"), [
    (b"This is not an image, just words.\n", "text"),
    ("Grüße aus München".encode(), "text"),
    (b"%PDF-1.4\n", "a PDF document"),
    (b"PK\x03\x04\x14\x00", "a ZIP archive (or an Office document)"),
    (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00", "a video or another media file"),
    (b"BM is what I wrote first", "text"),
])
def test_what_is_no_photo_is_named(head: bytes, found: str) -> None:
    assert content_refusal(head, is_raw_name=False) == found


def test_a_raw_name_gets_the_benefit_of_the_doubt_for_binary_content_but_not_for_text() -> None:
    unknown_binary = b"\x00\x01\x02\x03RAWDATA" + bytes(range(40))
    assert content_refusal(unknown_binary, is_raw_name=True) is None
    assert content_refusal(unknown_binary, is_raw_name=False) == "not an image format Photonix reads"
    assert content_refusal(b"just some notes", is_raw_name=True) == "text"
    assert content_refusal(b"%PDF-1.4\n", is_raw_name=True) == "a PDF document"
