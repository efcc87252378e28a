"""Decoding stays within memory: 16-bit images convert without wide copies, and the budget is checked
first."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photonix.errors import TooLargeToDecode
from photonix.media.budget import DEFAULT_DECODE_BUDGET_MB, set_decode_budget
from photonix.media.formats import is_raw_path
from photonix.media.opening import open_oriented
from photonix.media.raw import read_raw_info, render_raw
from tests import corpus
from tests.held_files import read

REPO = Path(__file__).resolve().parents[2]
MAX_BYTES_PER_PIXEL = 8       # the RGB result alone is 4 (Pillow keeps RGB in 32 bits)

PEAK_OF_DECODE = """
import resource, sys
from pathlib import Path
from photonix.media.formats import is_raw_path
from photonix.media.opening import open_oriented
from photonix.media.raw import render_raw
from tests import corpus
from tests.held_files import read
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
image = read(open_oriented, Path(sys.argv[1]))
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024)
"""


def sixteen_bit_png(path: Path, width: int, height: int) -> Path:
    pixels = np.zeros((height, width), np.uint16)
    pixels[::7, ::5] = 40000
    Image.frombytes("I;16", (width, height), pixels.tobytes()).save(path)
    return path


def peak_bytes_of_decoding(path: Path) -> int:
    """How much a fresh interpreter's peak RSS grows while it decodes path (imports excluded)."""
    done = subprocess.run([sys.executable, "-c", PEAK_OF_DECODE, str(path)], cwd=REPO, capture_output=True,
                          text=True, check=True)
    return int(done.stdout.split()[-1])


def png_header_claiming(path: Path, width: int, height: int) -> Path:
    """A PNG whose header claims width x height RGB pixels, with only a few bytes of pixel data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(64))))
    return path


@pytest.fixture
def budget_mb() -> Iterator[None]:
    yield
    set_decode_budget(DEFAULT_DECODE_BUDGET_MB)


def test_16_bit_png_decodes_within_8_bytes_per_pixel(tmp_path: Path) -> None:
    width, height = 3648, 2736                                   # 10 MP, a 23 KB file
    path = sixteen_bit_png(tmp_path / "deep.png", width, height)
    with Image.open(path) as im:
        assert im.mode == "I;16"
    peak = peak_bytes_of_decoding(path)
    assert peak < MAX_BYTES_PER_PIXEL * width * height, f"{peak / (width * height):.1f} bytes per pixel"


def test_16_bit_grey_becomes_its_high_byte_in_rgb(tmp_path: Path) -> None:
    path = tmp_path / "ramp.png"
    im = Image.new("I;16", (3, 1))
    im.putdata([0, 32768, 65535])
    im.save(path)
    decoded = read(open_oriented, path)
    assert [decoded.getpixel((x, 0)) for x in range(3)] == [(0, 0, 0), (128, 128, 128), (255, 255, 255)]


def test_image_over_the_decode_budget_fails_before_decoding_with_the_reason(tmp_path: Path,
                                                                            budget_mb: None) -> None:
    set_decode_budget(100)
    path = png_header_claiming(tmp_path / "huge.png", 15_000, 10_000)   # 600 MB of RGB; no pixel data at all
    with pytest.raises(TooLargeToDecode) as raised:
        read(open_oriented, path)
    assert str(raised.value) == "huge.png: needs 572 MB to decode (15000x10000 pixels), over the 100 MB limit"


def test_image_within_the_decode_budget_decodes(tmp_path: Path, budget_mb: None) -> None:
    set_decode_budget(1)
    path = tmp_path / "small.png"
    Image.new("RGB", (500, 500), (1, 2, 3)).save(path)            # 1 MB decoded, at 4 bytes per pixel
    assert read(open_oriented, path).size == (500, 500)


def test_reduced_decode_is_never_smaller_than_asked(tmp_path: Path) -> None:
    path = tmp_path / "wide.png"
    Image.new("RGB", (5000, 3000), (200, 100, 50)).save(path, compress_level=1)
    im = read(open_oriented, path, min_size=1000)
    assert im.size == (1667, 1000)                                # 5000 / 3, rounded up
    assert im.getpixel((0, 0)) == (200, 100, 50)


def test_raw_over_the_decode_budget_fails_before_developing_with_the_reason(tmp_path: Path,
                                                                            budget_mb: None) -> None:
    row = next(row for row in corpus.rows(expected="ok") if is_raw_path(row.file))
    set_decode_budget(1)
    with pytest.raises(TooLargeToDecode,
                       match=rf"^{re.escape(row.file.name)}: needs \d+ MB to decode .* over the 1 MB limit$"):
        read(render_raw, row.file, tmp_path / "render.jpg")
    assert not (tmp_path / "render.jpg").exists()


def test_raw_file_over_the_decode_budget_is_refused_before_it_is_read(tmp_path: Path,
                                                                      budget_mb: None) -> None:
    # rawpy reads the held file whole into memory for LibRaw, so the file itself must fit the budget.
    raws = [row for row in corpus.rows(expected="ok") if is_raw_path(row.file)]
    row = max(raws, key=lambda row: int(row.bytes))
    set_decode_budget(1)
    refusal = rf"^{re.escape(row.file.name)}: needs \d+ MB just to read the file, over the 1 MB limit$"
    for reader, args in ((read_raw_info, ()), (render_raw, (tmp_path / "render.jpg",))):
        with pytest.raises(TooLargeToDecode, match=refusal):
            read(reader, row.file, *args)
    assert not (tmp_path / "render.jpg").exists()
