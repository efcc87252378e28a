"""TIFFs Pillow cannot decode: their EXIF is still read, their pixels come from tifffile, or the reason is
precise.

The fixtures are written by tifffile itself: CMYK + alpha, 32-bit float, 16-bit with four channels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tifffile
from PIL import Image, UnidentifiedImageError

from photonix.errors import UndecodableImage
from photonix.media.exif import read_metadata
from photonix.media.opening import open_oriented
from photonix.media.thumbnails import render_thumbnails
from tests.held_files import read

HEIGHT, WIDTH = 30, 40
CAMERA_TAGS = [(271, "s", 0, "Scanner Co", True), (272, "s", 0, "FlatBed 9000", True)]


def write_tiff(path: Path, pixels: np.ndarray, **options: object) -> Path:
    tifffile.imwrite(path, pixels, datetime="2019:01:02 03:04:05", extratags=CAMERA_TAGS, **options)
    return path


def cmyk_alpha(tmp_path: Path) -> Path:
    pixels = np.zeros((HEIGHT, WIDTH, 5), np.uint8)
    pixels[..., 0] = 255                                # full cyan, no black, fully transparent
    return write_tiff(tmp_path / "cmyk_alpha.tif", pixels, photometric="separated",
                      extrasamples=["unassalpha"])


def float_rgb(tmp_path: Path) -> Path:
    pixels = np.empty((HEIGHT, WIDTH, 3), np.float32)
    pixels[...] = (1.0, 0.5, 0.0)
    return write_tiff(tmp_path / "float.tif", pixels, photometric="rgb")


def sixteen_bit_four_channels(tmp_path: Path) -> Path:
    pixels = np.full((HEIGHT, WIDTH, 4), 65535, np.uint16)
    pixels[..., 1:] = 0
    return write_tiff(tmp_path / "grey16x4.tif", pixels, photometric="minisblack", planarconfig="contig")


FIXTURES = {"cmyk_alpha": cmyk_alpha, "float_rgb": float_rgb,
            "sixteen_bit_four_channels": sixteen_bit_four_channels}
EXPECTED_COLOUR = {"cmyk_alpha": (0, 255, 255), "float_rgb": (255, 127, 0),
                   "sixteen_bit_four_channels": (255, 255, 255)}


@pytest.fixture(params=sorted(FIXTURES))
def tiff(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    path = FIXTURES[request.param](tmp_path)
    with pytest.raises(UnidentifiedImageError):        # else this test would not prove the fallback
        Image.open(path)
    return request.param, path


def test_metadata_of_a_tiff_pillow_cannot_open_is_read(tiff: tuple[str, Path]) -> None:
    _, path = tiff
    meta = read(read_metadata, path)
    assert (meta.format, meta.width, meta.height) == ("TIFF", WIDTH, HEIGHT)
    assert (meta.camera_make, meta.camera_model) == ("Scanner Co", "FlatBed 9000")
    assert meta.taken_at is not None and meta.taken_at.year == 2019


def test_pixels_of_a_tiff_pillow_cannot_open_come_from_tifffile(tiff: tuple[str, Path]) -> None:
    kind, path = tiff
    im = read(open_oriented, path)
    assert (im.mode, im.size) == ("RGB", (WIDTH, HEIGHT))
    assert im.getpixel((0, 0)) == EXPECTED_COLOUR[kind]


def test_tiff_pillow_cannot_open_gets_its_thumbnails(tmp_path: Path) -> None:
    rendered = read(render_thumbnails, cmyk_alpha(tmp_path), tmp_path / "out", "ab12")
    assert [thumb.size for thumb in rendered.thumbnails] == ["square", "medium", "large"]
    assert all(thumb.path.is_file() for thumb in rendered.thumbnails)


def test_float_tiff_outside_zero_to_one_is_stretched_from_its_minimum_to_its_maximum(tmp_path: Path) -> None:
    pixels = np.linspace(-20.0, 300.0, HEIGHT * WIDTH * 3, dtype=np.float32).reshape(HEIGHT, WIDTH, 3)
    pixels[0, 1] = np.nan
    im = read(open_oriented, write_tiff(tmp_path / "hdr.tif", pixels, photometric="rgb"))
    assert im.getpixel((0, 0)) == (0, 0, 0)
    assert im.getpixel((WIDTH - 1, HEIGHT - 1)) == (254, 254, 255)


def test_tiff_orientation_tag_turns_tifffile_pixels_upright(tmp_path: Path) -> None:
    pixels = np.zeros((HEIGHT, WIDTH, 5), np.uint8)
    path = tmp_path / "turned.tif"
    tifffile.imwrite(path, pixels, photometric="separated", extrasamples=["unassalpha"],
                     extratags=[(274, "H", 1, 6, True)])
    assert read(open_oriented, path).size == (HEIGHT, WIDTH)


def test_tiff_neither_decoder_can_show_fails_saying_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "lab.tif"
    tifffile.imwrite(path, np.zeros((HEIGHT, WIDTH, 3), np.float32), photometric="cielab")
    with pytest.raises(UndecodableImage, match=r"^lab\.tif: TIFF with 3 channels \(CIELAB\), 32-bit float: "):
        read(open_oriented, path)


def test_tiff_cut_inside_its_header_fails_naming_only_the_file(tmp_path: Path) -> None:
    path = cmyk_alpha(tmp_path)
    path.write_bytes(path.read_bytes()[:12])
    with pytest.raises(UndecodableImage, match=r"^cmyk_alpha\.tif: ") as raised:
        read(open_oriented, path)
    assert str(tmp_path) not in str(raised.value)
