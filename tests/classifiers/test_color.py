"""Colour classifier: the 17 old Photonix names, scored by share of the thumbnail, few per photo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from photonix.classifiers.base import ClassifierInput, ScoredTag
from photonix.classifiers.color import COLOR_NAMES, MAX_TAGS, MIN_SHARE, ColorClassifier
from photonix.errors import MissingFile, StepSkipped, UndecodableImage
from photonix.media.metadata import Metadata

MakeMetadata = Callable[..., Metadata]             # the conftest `metadata` fixture

RGB = tuple[int, int, int]

# One typical swatch per name; the test below checks that each is read back as that name.
SWATCHES: dict[str, RGB] = {
    "Red": (120, 0, 0), "Orange": (220, 100, 0), "Amber": (234, 166, 30), "Yellow": (240, 240, 39),
    "Lime": (94, 175, 33), "Green": (0, 128, 0), "Teal": (16, 128, 119), "Turquoise": (16, 207, 180),
    "Aqua": (0, 170, 200), "Azure": (30, 160, 240), "Blue": (0, 0, 255), "Purple": (128, 0, 128),
    "Orchid": (218, 112, 214), "Magenta": (234, 81, 138), "White": (255, 255, 255),
    "Gray": (124, 124, 124), "Black": (0, 0, 0),
}


def classify(metadata: MakeMetadata, thumbnail: Path | None) -> list[ScoredTag]:
    return ColorClassifier().classify(ClassifierInput(metadata(), thumbnail))


def solid(tmp_path: Path, rgb: RGB, name: str = "solid.png", size: tuple[int, int] = (120, 90)) -> Path:
    path = tmp_path / name
    Image.new("RGB", size, rgb).save(path)
    return path


def stripes(tmp_path: Path, colors: list[tuple[RGB, float]], name: str = "stripes.png") -> Path:
    """Vertical bands, each covering its given share of a 200x100 image."""
    path = tmp_path / name
    im = Image.new("RGB", (200, 100))
    draw = ImageDraw.Draw(im)
    left = 0.0
    for rgb, share in colors:
        draw.rectangle((round(left), 0, round(left + share * 200) - 1, 99), fill=rgb)
        left += share * 200
    im.save(path)
    return path


def test_pure_red_image_is_tagged_red(tmp_path: Path, metadata: MakeMetadata) -> None:
    tags = classify(metadata, solid(tmp_path, (255, 0, 0)))
    assert tags == [ScoredTag(kind="color", name="Red", score=1.0)]


def test_names_are_exactly_the_old_photonix_seventeen() -> None:
    assert COLOR_NAMES == ("Red", "Orange", "Amber", "Yellow", "Lime", "Green", "Teal", "Turquoise", "Aqua",
                           "Azure", "Blue", "Purple", "Orchid", "Magenta", "White", "Gray", "Black")


@pytest.mark.parametrize("name", list(SWATCHES))
def test_each_swatch_is_read_as_its_name(tmp_path: Path, metadata: MakeMetadata, name: str) -> None:
    assert [tag.name for tag in classify(metadata, solid(tmp_path, SWATCHES[name]))] == [name]


@pytest.mark.parametrize(("rgb", "name"), [
    ((255, 0, 255), "Magenta"),        # full magenta
    ((0, 255, 255), "Aqua"),           # full cyan
    ((0, 128, 128), "Teal"),           # HTML teal: dark cyan
    ((255, 165, 0), "Orange"),         # HTML orange
    ((0, 255, 0), "Green"),
    ((250, 248, 240), "White"),        # off-white paper stays White, not Yellow
    ((40, 40, 50), "Black"),           # near-black with a hint of blue stays Black
    ((150, 155, 160), "Gray"),         # cool gray stays Gray, not Azure
])
def test_common_colours_get_the_expected_name(tmp_path: Path, metadata: MakeMetadata,
                                              rgb: RGB, name: str) -> None:
    assert [tag.name for tag in classify(metadata, solid(tmp_path, rgb))] == [name]


def test_scores_are_shares_largest_first(tmp_path: Path, metadata: MakeMetadata) -> None:
    path = stripes(tmp_path, [(SWATCHES["Blue"], 0.2), (SWATCHES["White"], 0.5), (SWATCHES["Green"], 0.3)])
    tags = classify(metadata, path)
    assert [tag.name for tag in tags] == ["White", "Green", "Blue"]
    assert [tag.score for tag in tags] == pytest.approx([0.5, 0.3, 0.2], abs=0.02)
    assert all(tag.kind == "color" and tag.parent is None for tag in tags)


def test_colour_covering_under_a_tenth_is_left_out(tmp_path: Path, metadata: MakeMetadata) -> None:
    path = stripes(tmp_path, [(SWATCHES["Azure"], 0.95), (SWATCHES["Red"], 0.05)])
    assert [tag.name for tag in classify(metadata, path)] == ["Azure"]


def test_a_rainbow_gets_at_most_five_tags(tmp_path: Path, metadata: MakeMetadata) -> None:
    names = ["Red", "Orange", "Yellow", "Green", "Aqua", "Blue", "Purple"]
    path = stripes(tmp_path, [(SWATCHES[name], 1 / len(names)) for name in names])
    tags = classify(metadata, path)
    assert len(tags) == MAX_TAGS and all(tag.score >= MIN_SHARE for tag in tags)
    assert {tag.name for tag in tags} <= set(names)


def test_large_jpeg_thumbnail_is_read(tmp_path: Path, metadata: MakeMetadata) -> None:
    path = stripes(tmp_path, [(SWATCHES["Green"], 0.6), (SWATCHES["Blue"], 0.4)], name="big.png")
    jpeg = tmp_path / "big.jpg"
    Image.open(path).resize((2000, 1000)).save(jpeg, quality=90)
    assert [tag.name for tag in classify(metadata, jpeg)] == ["Green", "Blue"]


def test_transparent_pixels_have_no_colour(tmp_path: Path, metadata: MakeMetadata) -> None:
    path = tmp_path / "cutout.png"
    im = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    ImageDraw.Draw(im).rectangle((0, 0, 29, 99), fill=(255, 0, 0, 255))
    im.save(path)
    assert classify(metadata, path) == [ScoredTag(kind="color", name="Red", score=1.0)]


def test_grayscale_thumbnail_is_read(tmp_path: Path, metadata: MakeMetadata) -> None:
    path = tmp_path / "gray.png"
    Image.new("L", (64, 64), 128).save(path)
    assert [tag.name for tag in classify(metadata, path)] == ["Gray"]


def test_photo_without_thumbnail_is_skipped_with_reason(metadata: MakeMetadata) -> None:
    with pytest.raises(StepSkipped, match="no thumbnail"):
        classify(metadata, None)


def test_missing_thumbnail_file_fails_permanently(tmp_path: Path, metadata: MakeMetadata) -> None:
    with pytest.raises(MissingFile, match="gone.jpg is missing"):
        classify(metadata, tmp_path / "gone.jpg")


def test_undecodable_thumbnail_fails_permanently(tmp_path: Path, metadata: MakeMetadata) -> None:
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"this is not a JPEG")
    with pytest.raises(UndecodableImage, match="broken.jpg"):
        classify(metadata, path)


def test_truncated_thumbnail_fails_permanently(tmp_path: Path, metadata: MakeMetadata) -> None:
    whole = tmp_path / "whole.jpg"
    Image.effect_noise((256, 256), 64).convert("RGB").save(whole)
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole.read_bytes()[:600])
    with pytest.raises(UndecodableImage, match="cut.jpg"):
        classify(metadata, cut)
