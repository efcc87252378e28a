"""Opening a file only where it really lies: no final link, no FIFO, no swap during a read, no data dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from photonix.errors import MissingFile, OutsideLibrary
from photonix.media.contained import FileRoots, open_contained, read_contained


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


def swap_for_a_link(path: Path, target: Path) -> bytes:
    """A reader during whose read someone replaces the file with a link."""
    data = path.read_bytes()
    path.unlink()
    path.symlink_to(target)
    return data


def test_a_file_swapped_for_a_link_while_being_read_counts_for_nothing(tmp_path: Path) -> None:
    folder, outside = library(tmp_path)
    (folder / "a.jpg").write_bytes(b"photo")
    with pytest.raises(OutsideLibrary, match="changed while being read"):
        read_contained(swap_for_a_link, folder / "a.jpg", FileRoots((folder,)), outside / "secret_key")


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
