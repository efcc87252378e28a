"""open_oriented: every importable photo decodes upright in RGB; damaged files raise our error types."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photonix.errors import (
    DecompressionBomb,
    MissingFile,
    PermanentError,
    StorageUnavailable,
    UndecodableImage,
)
from photonix.media.exif import read_metadata
from photonix.media.formats import is_raw_path
from photonix.media.opening import MAX_PIXELS, open_oriented
from tests import corpus, fuzzing
from tests.held_files import read

DECODABLE_OK = [row for row in corpus.rows(expected="ok") if not is_raw_path(row.file)]
DECODABLE_FAIL = [row for row in corpus.rows(expected="fail") if not is_raw_path(row.file)]
BOMBS = [row for row in DECODABLE_FAIL if "DecompressionBombError" in row.note]
WRONG_EXTENSION = [row for row in DECODABLE_OK if "wrong extension" in row.note]
ORIENTATION_ROWS = corpus.rows(folder="orientation")


def expected_error(row: corpus.Row) -> type[PermanentError]:
    """The error a failing row must raise, from what the manifest's note says the tools reported."""
    return DecompressionBomb if "DecompressionBombError" in row.note else UndecodableImage


def upright_size(row: corpus.Row) -> tuple[int, int]:
    """The manifest size turned by its orientation; libheif has already turned HEIF, so that is upright."""
    width, height = int(row.width), int(row.height)
    turned = row.orientation in {"5", "6", "7", "8"} and row.format != "HEIF"
    return (height, width) if turned else (width, height)


@pytest.mark.parametrize("row", DECODABLE_OK, ids=lambda row: row.path)
def test_importable_photo_opens_upright_in_rgb(row: corpus.Row) -> None:
    im = read(open_oriented, row.file)
    assert im.mode == "RGB"
    assert im.size == upright_size(row)


@pytest.mark.parametrize("row", DECODABLE_FAIL, ids=lambda row: row.path)
def test_damaged_file_raises_its_error_naming_the_file(row: corpus.Row) -> None:
    with pytest.raises(expected_error(row)) as raised:
        read(open_oriented, row.file)
    assert str(raised.value).startswith(f"{row.file.name}: ")


@pytest.mark.parametrize("row", corpus.rows(expected="either"), ids=lambda row: row.path)
def test_file_of_uncertain_outcome_opens_or_raises_undecodable_image(row: corpus.Row) -> None:
    try:
        assert read(open_oriented, row.file).mode == "RGB"
    except UndecodableImage as exc:
        assert str(exc).startswith(f"{row.file.name}: ")


def test_truncated_jpeg_raises_undecodable_image_saying_truncated() -> None:
    row = next(row for row in DECODABLE_FAIL if row.format == "JPEG" and "truncated" in row.note)
    with pytest.raises(UndecodableImage, match=r"^.+\.jpg: image file is truncated"):
        read(open_oriented, row.file)


@pytest.mark.parametrize("row", BOMBS, ids=lambda row: row.path)
def test_decompression_bomb_raises_before_decoding(row: corpus.Row) -> None:
    with pytest.raises(DecompressionBomb, match="pixels"):
        read(open_oriented, row.file)


def test_pixel_limit_is_set_explicitly() -> None:
    assert Image.MAX_IMAGE_PIXELS == MAX_PIXELS


def test_image_just_over_the_pixel_limit_is_a_bomb_not_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "wide.png"
    Image.new("L", (MAX_PIXELS // 1000 + 1, 1000)).save(path, optimize=False, compress_level=1)
    with pytest.raises(DecompressionBomb):
        read(open_oriented, path)


@pytest.mark.parametrize("row", WRONG_EXTENSION, ids=lambda row: row.path)
def test_content_decides_the_format_not_the_extension(row: corpus.Row) -> None:
    assert read(open_oriented, row.file).size == upright_size(row)


@pytest.mark.parametrize("row", [r for r in DECODABLE_OK if "EXIF" in r.note and r.path.startswith("bad/")],
                         ids=lambda r: r.path)
def test_corrupt_exif_does_not_stop_the_photo_decoding(row: corpus.Row) -> None:
    assert read(open_oriented, row.file).mode == "RGB"


@pytest.mark.parametrize("row", ORIENTATION_ROWS, ids=lambda row: row.path)
def test_every_orientation_turns_upright_unmirrored(row: corpus.Row) -> None:
    kind = Path(row.path).stem.split("_")[0]            # landscape_N / portrait_N, N the EXIF orientation
    reference = read(open_oriented, corpus.CORPUS / "orientation" / f"{kind}_1.jpg")
    im = read(open_oriented, row.file)
    assert (im.width > im.height) == (kind == "landscape")

    def distance(candidate: Image.Image) -> float:
        small = (48, 36) if kind == "landscape" else (36, 48)
        a = np.asarray(candidate.resize(small), dtype=float)
        return float(np.abs(a - np.asarray(reference.resize(small), dtype=float)).mean())

    assert distance(im) < distance(im.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    assert distance(im) < distance(im.transpose(Image.Transpose.ROTATE_180))


def test_min_size_decodes_a_jpeg_at_reduced_scale_but_not_below_it(tmp_path: Path) -> None:
    path = tmp_path / "big.jpg"
    Image.new("RGB", (2000, 1500), (90, 120, 150)).save(path, quality=90)
    im = read(open_oriented, path, min_size=256)
    assert im.width < 2000
    assert min(im.size) >= 256


@pytest.mark.parametrize(
    ("mode", "value", "expected"),
    [
        ("L", 128, (128, 128, 128)),
        ("1", 1, (255, 255, 255)),
        ("I;16", 65535, (255, 255, 255)),
        ("I;16", 32768, (128, 128, 128)),
        ("I", 65535, (255, 255, 255)),
        ("CMYK", (0, 0, 0, 0), (255, 255, 255)),
        ("RGBA", (10, 20, 30, 0), (255, 255, 255)),
        ("RGBA", (10, 20, 30, 255), (10, 20, 30)),
        ("LA", (0, 0), (255, 255, 255)),
    ],
)
def test_every_mode_becomes_rgb_with_transparency_on_white(
    tmp_path: Path, mode: str, value: object, expected: tuple[int, int, int]
) -> None:
    path = tmp_path / f"{mode.replace(';', '_')}.tif"
    Image.new(mode, (4, 4), value).save(path)  # type: ignore[arg-type]
    im = read(open_oriented, path)
    assert im.mode == "RGB"
    assert im.getpixel((0, 0)) == expected


def test_palette_with_transparency_is_flattened_on_white(tmp_path: Path) -> None:
    path = tmp_path / "palette.png"
    im = Image.new("P", (4, 4), 0)
    im.putpalette([0, 0, 0] * 256)
    im.save(path, transparency=0)
    assert read(open_oriented, path).getpixel((0, 0)) == (255, 255, 255)


def test_missing_file_raises_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MissingFile, match="gone.jpg"):
        read(open_oriented, tmp_path / "gone.jpg")


def test_io_error_raises_storage_unavailable() -> None:
    with pytest.raises(StorageUnavailable):
        read(open_oriented, Path("/proc/self/mem"))


def test_decoder_message_quoting_the_path_keeps_only_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "flipped.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(UndecodableImage) as raised:
        read(open_oriented, path)
    assert str(raised.value).startswith("flipped.png: ") and str(tmp_path) not in str(raised.value)


# Seed 21 breaks the header ("Missing or empty image item"), 49 the pixels ("Conversion from YUV failed").
@pytest.mark.parametrize(("seed", "header_broken"), [(21, True), (49, False)])
def test_avif_plugin_runtime_error_is_an_undecodable_image(
    tmp_path: Path, seed: int, header_broken: bool
) -> None:
    avif = next(row.file for row in corpus.all_rows() if row.format == "AVIF" and row.expected == "ok"
                and (corpus.FIXTURE_CORPUS / row.path).is_file())
    _, damaged = fuzzing.mutated(avif.read_bytes(), seed)
    path = tmp_path / "damaged.avif"
    path.write_bytes(damaged)
    with pytest.raises(UndecodableImage, match=r"^damaged\.avif: "):
        read(open_oriented, path)
    if header_broken:
        with pytest.raises(UndecodableImage, match=r"^damaged\.avif: "):
            read(read_metadata, path)
