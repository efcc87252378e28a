"""Which names count as photos, and which as camera RAW."""

from pathlib import Path

import pytest

from photonix.media.formats import PHOTO_EXTENSIONS, RAW_EXTENSIONS, is_photo_path, is_raw_path
from tests import corpus


def test_every_raw_extension_is_a_photo_extension() -> None:
    assert RAW_EXTENSIONS < PHOTO_EXTENSIONS


@pytest.mark.parametrize("row", corpus.rows(), ids=lambda row: row.path)
def test_every_corpus_file_is_named_as_a_photo(row: corpus.Row) -> None:
    assert is_photo_path(row.file)


@pytest.mark.parametrize("row", corpus.rows(expected="ok"), ids=lambda row: row.path)
def test_importable_file_is_raw_exactly_when_the_manifest_says_raw(row: corpus.Row) -> None:
    assert is_raw_path(row.file) == row.format.startswith("RAW")


@pytest.mark.parametrize("name", ["IMG_0001.JPG", "photo.Jpeg", "shot.HEIC", "scan.TIF", "DSC_0001.NEF"])
def test_extension_check_ignores_case(name: str) -> None:
    assert is_photo_path(Path(name))


@pytest.mark.parametrize("name", ["DSC_0001.NEF", "IMG_0001.cr3", "x.Dng", "a.RW2", "b.arw"])
def test_raw_names_are_raw(name: str) -> None:
    assert is_raw_path(name)


@pytest.mark.parametrize("name", ["IMG_0001.jpg", "a.heic", "b.png", "c.webp"])
def test_decodable_names_are_not_raw(name: str) -> None:
    assert not is_raw_path(name)


@pytest.mark.parametrize("name", ["notes.txt", "clip.mp4", "photos.jpg.zip", "README", ".jpg", "jpg"])
def test_other_names_are_not_photos(name: str) -> None:
    assert not is_photo_path(Path(name))
