"""Opening a file only where it really lies: no final link, no FIFO, no data dir; and every decoder reads
the very file that was checked, whatever the path points to meanwhile."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest
import tifffile
from PIL import Image

from photonix.errors import MissingFile, OutsideLibrary
from photonix.media.contained import FileRoots, open_contained, read_contained
from photonix.media.exif import read_metadata
from photonix.media.raw import render_raw
from photonix.media.thumbnails import render_thumbnails
from tests import corpus

T = TypeVar("T")


def library(tmp_path: Path) -> tuple[Path, Path]:
    folder, outside = tmp_path / "library", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    (outside / "secret_key").write_text("secret")
    return folder, outside


def test_a_link_is_refused_even_when_it_stays_inside(tmp_path: Path) -> None:
    folder, _ = library(tmp_path)
    (folder / "a.jpg").write_bytes(b"photo")
    (folder / "b.jpg").symlink_to(folder / "a.jpg")
    os.close(open_contained(folder / "a.jpg", FileRoots((folder,))))
    with pytest.raises(OutsideLibrary, match="original missing or moved"):
        open_contained(folder / "b.jpg", FileRoots((folder,)))


def test_a_fifo_named_like_a_photo_is_refused_without_hanging(tmp_path: Path) -> None:
    folder, _ = library(tmp_path)
    os.mkfifo(folder / "pipe.jpg")
    with pytest.raises(OutsideLibrary, match="not a regular file"):
        open_contained(folder / "pipe.jpg", FileRoots((folder,)))


def test_a_missing_file_says_so_without_its_folder(tmp_path: Path) -> None:
    folder, _ = library(tmp_path)
    with pytest.raises(MissingFile) as caught:
        open_contained(folder / "gone.jpg", FileRoots((folder,)))
    assert str(caught.value) == "gone.jpg: original missing or moved"


def test_the_data_dir_is_private_except_through_uploads_and_derivatives(tmp_path: Path) -> None:
    home = tmp_path / "home"
    data = home / "data"
    (data / "originals").mkdir(parents=True)
    roots = FileRoots((home, data / "originals"), (data,))
    assert roots.permits(home / "holiday.jpg")
    assert roots.permits(data / "originals" / "1" / "upload.jpg")
    assert not roots.permits(data / "photonix.sqlite")
    assert not roots.permits(data / "secret_key")
    assert not roots.permits(tmp_path / "elsewhere.jpg")


def swapped_for_a_link_meanwhile(reader: Callable[..., T], path: Path, secret: Path) -> Callable[..., T]:
    """reader, run while path is a link to secret: swapped in after the check, swapped back before the
    reader's result is judged. A decoder that opens the path again reads the secret."""

    def read(source: object, *args: object) -> T:
        held = path.with_name(f".{path.name}.held")
        path.rename(held)
        path.symlink_to(secret)
        try:
            return reader(source, *args)
        finally:
            path.unlink()
            held.rename(path)

    return read


def image_file(path: Path, size: tuple[int, int], colour: tuple[int, int, int], model: str) -> Path:
    """A photo of one colour with the camera model in its EXIF (PNG: in its eXIf chunk)."""
    exif = Image.Exif()
    exif[0x0110] = model
    Image.new("RGB", size, colour).save(path, exif=exif)
    return path


def cmyk_alpha_tiff(path: Path, size: tuple[int, int], colour: tuple[int, int, int], model: str) -> Path:
    """A TIFF Pillow cannot open (CMYK + alpha), so the second decoder (tifffile) reads it."""
    pixels = np.zeros((size[1], size[0], 5), np.uint8)
    pixels[..., :3] = [255 - value for value in colour]
    tifffile.imwrite(path, pixels, photometric="separated", extrasamples=["unassalpha"],
                     extratags=[(272, "s", 0, model, True)])
    return path


MAKERS = {"jpg": image_file, "png": image_file, "tif": cmyk_alpha_tiff}
CHECKED_SIZE, SECRET_SIZE = (64, 32), (32, 64)


def checked_and_secret(tmp_path: Path, extension: str) -> tuple[Path, Path, FileRoots]:
    """A photo in a library folder and a different one outside it, with different file times."""
    folder, outside = library(tmp_path)
    if extension == "dng":
        checked_row, secret_row = distinct_raws()
        shutil.copyfile(checked_row.file, folder / "a.dng")
        shutil.copyfile(secret_row.file, outside / "secret.dng")
    else:
        MAKERS[extension](folder / f"a.{extension}", CHECKED_SIZE, (200, 30, 30), "Checked")
        MAKERS[extension](outside / f"secret.{extension}", SECRET_SIZE, (30, 30, 200), "Secret")
    os.utime(folder / f"a.{extension}", (1_000_000_000, 1_000_000_000))
    os.utime(outside / f"secret.{extension}", (1_300_000_000, 1_300_000_000))
    return folder / f"a.{extension}", outside / f"secret.{extension}", FileRoots((folder,))


def distinct_raws() -> tuple[corpus.Row, corpus.Row]:
    """Two importable DNGs of different sizes."""
    dngs = [row for row in corpus.rows(expected="ok", folder="good/raw") if row.path.endswith(".dng")]
    checked = dngs[-1]
    secret = next(row for row in dngs if (row.width, row.height) != (checked.width, checked.height))
    return checked, secret


def read_both_ways(reader: Callable[..., T], extension: str, tmp_path: Path, *args: object) -> tuple[T, T, T]:
    """What reader gives for the checked file, for the secret, and for the checked file with the secret
    linked in its place between the check and the read."""
    path, secret, roots = checked_and_secret(tmp_path, extension)
    honest = read_contained(reader, path, roots, *args)
    of_secret = read_contained(reader, secret, FileRoots((secret.parent,)), *args)
    swapped = read_contained(swapped_for_a_link_meanwhile(reader, path, secret), path, roots, *args)
    return honest, of_secret, swapped


@pytest.mark.parametrize("extension", ["jpg", "png", "tif", "dng"])
def test_metadata_comes_from_the_checked_file_even_if_a_link_is_swapped_in_meanwhile(
    tmp_path: Path, extension: str
) -> None:
    honest, of_secret, swapped = read_both_ways(read_metadata, extension, tmp_path)
    assert honest != of_secret                  # else this test could not tell which file was read
    assert swapped == honest
    assert swapped.taken_at == datetime.fromtimestamp(1_000_000_000)   # the file time of the checked file


def thumbnails_read(source: object, out_dir: Path) -> tuple[object, ...]:
    """What render_thumbnails made of a file: each size's pixel size, and the histogram."""
    rendered = render_thumbnails(source, out_dir, "ab12")       # type: ignore[arg-type]
    return (*((thumb.size, thumb.width, thumb.height) for thumb in rendered.thumbnails), rendered.histogram)


@pytest.mark.parametrize("extension", ["jpg", "png", "tif"])
def test_thumbnails_come_from_the_checked_file_even_if_a_link_is_swapped_in_meanwhile(
    tmp_path: Path, extension: str
) -> None:
    honest, of_secret, swapped = read_both_ways(thumbnails_read, extension, tmp_path, tmp_path / "out")
    assert honest != of_secret
    assert swapped == honest


def test_a_raw_is_developed_from_the_checked_file_even_if_a_link_is_swapped_in_meanwhile(
    tmp_path: Path,
) -> None:
    render = tmp_path / "render.jpg"
    honest, of_secret, swapped = read_both_ways(render_raw, "dng", tmp_path, render)
    assert honest != of_secret
    assert swapped == honest
    with Image.open(render) as developed:
        assert developed.size == honest
