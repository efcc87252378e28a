"""content_hash: SHA-256 of a file's bytes, with missing files and failing disks as our error types."""

import hashlib
from pathlib import Path

import pytest

from photonix.errors import MissingFile, StorageUnavailable, UndecodableImage
from photonix.media.hashing import CHUNK_BYTES, content_hash
from tests import corpus


@pytest.mark.parametrize("row", corpus.rows(), ids=lambda row: row.path)
def test_content_hash_matches_manifest_sha256(row: corpus.Row) -> None:
    assert content_hash(row.file) == row.sha256


def test_file_spanning_several_chunks_hashes_like_hashlib(tmp_path: Path) -> None:
    data = bytes(range(256)) * (CHUNK_BYTES * 5 // 2 // 256 + 1)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert content_hash(path) == hashlib.sha256(data).hexdigest()


def test_empty_file_hashes_to_the_empty_digest(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.touch()
    assert content_hash(path) == hashlib.sha256(b"").hexdigest()


def test_missing_file_raises_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MissingFile, match="gone.jpg"):
        content_hash(tmp_path / "gone.jpg")


def test_directory_raises_a_permanent_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(UndecodableImage, match="cannot read"):
        content_hash(tmp_path)


def test_io_error_raises_storage_unavailable() -> None:
    # Reading /proc/self/mem at offset 0 is a real EIO from the kernel: a disk-like failure at the edge.
    with pytest.raises(StorageUnavailable, match="mem"):
        content_hash(Path("/proc/self/mem"))
