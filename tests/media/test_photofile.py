"""A held photo file: each file object opened on it reads the held file at an offset of its own, and goes by
the file's name alone."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest
import tifffile
from PIL import Image

from photonix.media.photofile import DescriptorReader, PhotoFile, buffered

DATA = bytes(range(256)) * 64


@pytest.fixture
def held(tmp_path: Path) -> Iterator[PhotoFile]:
    path = tmp_path / "folder" / "a.bin"
    path.parent.mkdir()
    path.write_bytes(DATA)
    fd = os.open(path, os.O_RDONLY)
    try:
        yield PhotoFile(path, fd)
    finally:
        os.close(fd)


def test_file_objects_on_one_held_file_keep_their_own_offsets(held: PhotoFile) -> None:
    with held.open() as first, held.open() as second:
        assert first.read(10) == DATA[:10]
        assert second.read(5) == DATA[:5]
        first.seek(1000)
        assert second.read(5) == DATA[5:10]
        assert first.read(3) == DATA[1000:1003]
    assert os.lseek(held.fd, 0, os.SEEK_CUR) == 0          # the held descriptor never moved


def test_a_file_object_is_named_by_the_file_name_alone(held: PhotoFile) -> None:
    with held.open() as opened:
        assert opened.name == "a.bin"
        assert "folder" not in repr(opened) and "/proc" not in repr(opened)


def test_the_held_file_is_read_after_its_path_is_gone(held: PhotoFile) -> None:
    held.path.unlink()
    with held.open() as opened:
        assert opened.read() == DATA
    assert held.stat().st_size == len(DATA)


def without_proc(source: PhotoFile) -> BinaryIO:
    """What PhotoFile.open gives where /proc/self/fd cannot re-open the file."""
    return buffered(DescriptorReader(source.fd), source.name)


def test_without_proc_readers_of_one_descriptor_keep_their_own_offsets(held: PhotoFile) -> None:
    with without_proc(held) as first, without_proc(held) as second:
        assert first.read(10) == DATA[:10]
        assert second.read(5) == DATA[:5]
        assert first.seek(-6, os.SEEK_END) == len(DATA) - 6
        assert second.read(5) == DATA[5:10]
        assert first.read() == DATA[-6:]
        assert first.tell() == len(DATA)
    assert os.lseek(held.fd, 0, os.SEEK_CUR) == 0


def test_without_proc_pillow_and_tifffile_decode_from_the_descriptor(tmp_path: Path) -> None:
    path = tmp_path / "a.tif"
    Image.new("RGB", (40, 30), (200, 100, 50)).save(path)
    fd = os.open(path, os.O_RDONLY)
    try:
        source = PhotoFile(path, fd)
        with without_proc(source) as file, Image.open(file) as im:
            assert im.convert("RGB").getpixel((5, 5)) == (200, 100, 50)
        with without_proc(source) as file, tifffile.TiffFile(file) as tif:
            assert tif.pages.first.asarray().shape == (30, 40, 3)
    finally:
        os.close(fd)
