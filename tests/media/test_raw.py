"""render_raw develops every importable RAW into an upright JPEG atomically; damaged RAWs raise CorruptRaw."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photonix.errors import CorruptRaw, MissingFile
from photonix.media.formats import is_raw_path
from photonix.media.raw import read_raw_info, render_raw
from tests import corpus
from tests.held_files import read

RAW_OK = [row for row in corpus.rows(expected="ok") if is_raw_path(row.file)]
RAW_FAIL = [row for row in corpus.rows(expected="fail") if is_raw_path(row.file)]


@pytest.mark.parametrize("row", RAW_OK, ids=lambda row: row.path)
def test_importable_raw_renders_a_half_size_jpeg(row: corpus.Row, tmp_path: Path) -> None:
    dest = tmp_path / "render.jpg"
    width, height = read(render_raw, row.file, dest)
    with Image.open(dest) as rendered:
        assert (rendered.format, rendered.size) == ("JPEG", (width, height))
    assert abs(width - int(row.width) / 2) <= 1 and abs(height - int(row.height) / 2) <= 1
    assert [p.name for p in tmp_path.iterdir()] == ["render.jpg"]


def test_full_size_render_has_the_stored_size(tmp_path: Path) -> None:
    row = min(RAW_OK, key=lambda row: int(row.width) * int(row.height))
    size = read(render_raw, row.file, tmp_path / "full.jpg", half_size=False)
    assert size == (int(row.width), int(row.height))


@pytest.mark.parametrize("row", [r for r in RAW_OK if "SYNTHETIC" in r.note], ids=lambda row: row.path)
def test_synthetic_mosaic_develops_into_a_real_picture(row: corpus.Row, tmp_path: Path) -> None:
    read(render_raw, row.file, tmp_path / "render.jpg")
    with Image.open(tmp_path / "render.jpg") as rendered:
        assert np.asarray(rendered).std() > 20


@pytest.mark.parametrize("row", RAW_FAIL, ids=lambda row: row.path)
def test_damaged_raw_raises_corrupt_raw_and_writes_nothing(row: corpus.Row, tmp_path: Path) -> None:
    with pytest.raises(CorruptRaw) as raised:
        read(render_raw, row.file, tmp_path / "render.jpg")
    assert str(raised.value).startswith(f"{row.file.name}: LibRaw cannot read")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("row", RAW_FAIL, ids=lambda row: row.path)
def test_damaged_raw_fails_the_cheap_check_too(row: corpus.Row) -> None:
    with pytest.raises(CorruptRaw):
        read(read_raw_info, row.file)


def test_render_replaces_an_existing_file(tmp_path: Path) -> None:
    dest = tmp_path / "render.jpg"
    dest.write_bytes(b"stale")
    read(render_raw, RAW_OK[0].file, dest)
    assert Image.open(dest).format == "JPEG"
    assert [p.name for p in tmp_path.iterdir()] == ["render.jpg"]


def test_missing_raw_raises_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MissingFile, match="gone.nef"):
        read(render_raw, tmp_path / "gone.nef", tmp_path / "render.jpg")
