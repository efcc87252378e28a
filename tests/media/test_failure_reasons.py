"""Failure reasons: an error without the file it names, so failures of many photos group by their cause."""

from __future__ import annotations

import pytest

from photonix.media.failures import MAX_GROUP_REASON, failure_reason


@pytest.mark.parametrize(("error", "reason"), [
    ("IMG_0012.JPG: not an image format we can read", "not an image format we can read"),
    ("Holiday 2021 (1).heic: the file is empty (0 bytes)", "the file is empty (0 bytes)"),
    ("gave up after 3 tries: b.jpg: storage unavailable (EIO)",
     "gave up after 3 tries: storage unavailable (EIO)"),
    ("Nikon.nef: LibRaw cannot read this RAW file (Nikon.nef: data error)",
     "LibRaw cannot read this RAW file (the file: data error)"),
    ("thumbnail 6fae30a2809b52ece100316f.jpg is missing; render thumbnails again",
     "thumbnail ….jpg is missing; render thumbnails again"),
    ('internal error: ValueError("x.y: z")', 'internal error: ValueError("x.y: z")'),
    ("not run: convert_raw failed", "not run: convert_raw failed"),
])
def test_reason_drops_the_file_name_and_keeps_the_cause(error: str, reason: str) -> None:
    assert failure_reason(error) == reason


def test_two_files_failing_alike_share_one_reason() -> None:
    assert failure_reason("a.jpg: not an image format we can read") == failure_reason(
        "b.png: not an image format we can read")


def test_a_long_error_gives_a_bounded_reason() -> None:
    assert len(failure_reason("internal error: " + "x" * 5000)) == MAX_GROUP_REASON
