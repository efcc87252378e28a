"""render_thumbnails: three WebP sizes from one decode, never upscaled, upright, written atomically."""

from pathlib import Path

import pytest
from PIL import Image

from photonix.errors import PermanentError
from photonix.media.formats import is_raw_path
from photonix.media.hashing import content_hash
from photonix.media.raw import render_raw
from photonix.media.thumbnails import (
    EXTENSIONS,
    THUMBNAIL_SIZES,
    RenderedThumbnails,
    render_thumbnails,
    thumbnail_path,
)
from tests import corpus
from tests.held_files import read

DECODABLE_OK = [row for row in corpus.rows(expected="ok") if not is_raw_path(row.file)]
RAW_OK = [row for row in corpus.rows(expected="ok") if is_raw_path(row.file)]
SPEC = {spec.name: spec for spec in THUMBNAIL_SIZES}


def files_under(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def thumbnail_sizes(rendered: RenderedThumbnails) -> dict[str, tuple[int, int]]:
    return {thumb.size: (thumb.width, thumb.height) for thumb in rendered.thumbnails}


def assert_valid(rendered: RenderedThumbnails, out_dir: Path, key: str, source_size: tuple[int, int]) -> None:
    """Each size is a file in its spec's format at its path with the size it reports, within its spec and
    never upscaled."""
    assert [thumb.size for thumb in rendered.thumbnails] == [spec.name for spec in THUMBNAIL_SIZES]
    for thumb in rendered.thumbnails:
        spec = SPEC[thumb.size]
        assert thumb.path == thumbnail_path(out_dir, key, thumb.size)
        assert thumb.path == out_dir / key[:2] / f"{key}_{thumb.size}.{EXTENSIONS[spec.format]}"
        with Image.open(thumb.path) as im:
            assert (im.format, im.size) == (spec.format, (thumb.width, thumb.height))
        if spec.is_square:
            assert thumb.width == thumb.height == min(spec.long_edge, *source_size)
        else:
            assert max(thumb.width, thumb.height) == min(spec.long_edge, max(source_size))
    assert files_under(out_dir) == sorted(thumb.path for thumb in rendered.thumbnails)


@pytest.mark.parametrize("row", DECODABLE_OK, ids=lambda row: row.path)
def test_every_importable_photo_gets_every_thumbnail(row: corpus.Row, tmp_path: Path) -> None:
    rendered = read(render_thumbnails, row.file, tmp_path, row.sha256)
    assert_valid(rendered, tmp_path, row.sha256, (int(row.width), int(row.height)))


@pytest.mark.parametrize("row", RAW_OK, ids=lambda row: row.path)
def test_raw_photo_gets_thumbnails_from_its_render(row: corpus.Row, tmp_path: Path) -> None:
    render = tmp_path / "render.jpg"
    size = read(render_raw, row.file, render)
    out_dir = tmp_path / "thumbs"
    assert_valid(read(render_thumbnails, render, out_dir, row.sha256), out_dir, row.sha256, size)


@pytest.mark.parametrize("row", corpus.rows(folder="orientation"), ids=lambda row: row.path)
def test_every_orientation_yields_landscape_or_portrait_thumbnails(row: corpus.Row, tmp_path: Path) -> None:
    is_landscape = Path(row.path).stem.startswith("landscape")
    for thumb in read(render_thumbnails, row.file, tmp_path, row.sha256).thumbnails:
        if thumb.size != "square":
            assert (thumb.width > thumb.height) == is_landscape


def test_small_photo_is_never_upscaled(tmp_path: Path) -> None:
    source = tmp_path / "tiny.png"
    Image.new("RGB", (40, 30), (1, 2, 3)).save(source)
    sizes = thumbnail_sizes(read(render_thumbnails, source, tmp_path / "out", "ab12"))
    assert sizes == {"square": (30, 30), "medium": (40, 30), "large": (40, 30)}


def test_panorama_square_is_cut_from_a_source_tall_enough(tmp_path: Path) -> None:
    source = tmp_path / "panorama.jpg"
    Image.new("RGB", (6000, 300), (10, 200, 10)).save(source)
    sizes = thumbnail_sizes(read(render_thumbnails, source, tmp_path / "out", "cd34"))
    assert sizes == {"square": (256, 256), "medium": (720, 36), "large": (1920, 96)}


def test_histogram_has_64_bins_per_channel_peaking_at_255(tmp_path: Path) -> None:
    row = corpus.first("ok", folder="orientation")
    histogram = read(render_thumbnails, row.file, tmp_path, row.sha256).histogram
    assert [len(channel) for channel in histogram] == [64, 64, 64]
    assert [max(channel) for channel in histogram] == [255, 255, 255]
    assert all(0 <= count <= 255 for channel in histogram for count in channel)


def test_histogram_of_pure_red_is_a_spike_per_channel(tmp_path: Path) -> None:
    source = tmp_path / "red.png"
    Image.new("RGB", (64, 64), (255, 0, 0)).save(source)
    red, green, blue = read(render_thumbnails, source, tmp_path / "out", "ef56").histogram
    assert red == (0,) * 63 + (255,)
    assert green == blue == (255,) + (0,) * 63


def test_rendering_again_replaces_the_files_and_leaves_no_temp_files(tmp_path: Path) -> None:
    row = corpus.first("ok", folder="orientation")
    first = read(render_thumbnails, row.file, tmp_path, row.sha256)
    second = read(render_thumbnails, row.file, tmp_path, row.sha256)
    assert first == second
    assert files_under(tmp_path) == sorted(thumb.path for thumb in second.thumbnails)


@pytest.mark.parametrize("row", [r for r in corpus.rows(expected="fail") if not is_raw_path(r.file)],
                         ids=lambda row: row.path)
def test_undecodable_source_raises_and_writes_nothing(row: corpus.Row, tmp_path: Path) -> None:
    with pytest.raises(PermanentError):
        read(render_thumbnails, row.file, tmp_path, content_hash(row.file))
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("key", ["", "../etc", "AB12", "ab/cd", "a"])
def test_key_that_is_not_a_content_hash_is_refused(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError, match="content hash"):
        read(render_thumbnails, corpus.first("ok").file, tmp_path, key)
