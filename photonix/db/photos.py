"""Photo rows: register imported files, save what the steps found, set a rating. (What viewers see is read
through the read model, db/photo_reads.py.)"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from piccolo.columns.base import Column
from piccolo.custom_types import Combinable

from photonix.config import Settings
from photonix.db import tags
from photonix.db.photo_reads import roots_for
from photonix.db.scope import member_of_library
from photonix.db.tables import LibraryFolder, Photo, PhotoFile
from photonix.errors import MissingFile
from photonix.media.contained import FileRoots
from photonix.media.dates import sort_at_for
from photonix.media.metadata import Metadata

# Every Metadata field is a photo column, except keywords: those are tags (db/tags.py).
METADATA_FIELDS = tuple(field.name for field in dataclasses.fields(Metadata) if field.name != "keywords")


@dataclass(frozen=True, slots=True)
class PhotoSource:
    """What a pipeline step needs to find a photo's files."""

    id: int
    library_id: int
    content_hash: str
    original_path: Path
    version: int


@dataclass(frozen=True, slots=True)
class StoredFile:
    kind: str
    size_name: str
    path: Path
    width: int | None
    height: int | None


async def register(library_id: int, content_hash: str, path: Path, size: int,
                   original_name: str | None = None) -> tuple[int, bool]:
    """(photo id, is_new): a file whose content the library already holds adds nothing. `original_name`:
    the name an upload came with (its stored file is renamed; see jobs/importer.upload_destination)."""
    now = datetime.now(UTC)
    inserted = await Photo.insert(
        Photo(library=library_id, content_hash=content_hash, original_path=str(path), file_size=size,
              original_name=original_name, imported_at=now, sort_at=now.replace(tzinfo=None))
    ).on_conflict(target=(Photo.library, Photo.content_hash), action="DO NOTHING").returning(Photo.id)
    if inserted:
        photo_id = int(inserted[0]["id"])
        await PhotoFile.insert(
            PhotoFile(photo=photo_id, kind="original", size_name="", path=str(path))
        ).on_conflict(target=(PhotoFile.photo, PhotoFile.kind, PhotoFile.size_name), action="DO NOTHING")
        return photo_id, True
    existing = await Photo.select(Photo.id).where(
        (Photo.library == library_id) & (Photo.content_hash == content_hash)
    ).first()
    assert existing is not None
    return int(existing["id"]), False


async def known_paths(library_id: int) -> dict[str, int]:
    """original path -> file size, for the files a library already imported (rescans skip hashing them)."""
    rows = await Photo.select(Photo.original_path, Photo.file_size).where(Photo.library == library_id)
    return {row["original_path"]: row["file_size"] for row in rows}


async def sidecar_states(library_id: int, paths: list[str] | None = None) -> dict[str, tuple[int, str]]:
    """original path -> (photo id, signature of the sidecar its metadata was read with), for the library's
    photos (only those at `paths` when given)."""
    where: Combinable = Photo.library == library_id
    if paths is not None:
        if not paths:
            return {}
        where &= Photo.original_path.is_in(paths)
    rows = await Photo.select(Photo.id, Photo.original_path, Photo.sidecar_signature).where(where)
    return {row["original_path"]: (int(row["id"]), row["sidecar_signature"] or "") for row in rows}


async def source_for(photo_id: int) -> PhotoSource:
    row = await Photo.select(
        Photo.id, Photo.library, Photo.content_hash, Photo.original_path, Photo.version
    ).where(Photo.id == photo_id).first()
    if row is None:
        raise MissingFile(f"photo {photo_id} was deleted")
    return PhotoSource(row["id"], row["library"], row["content_hash"], Path(row["original_path"]),
                       row["version"])


async def bump_version(photo_id: int) -> int:
    """A new version for a reprocess: new job ids, new StepRun rows; the old record stays."""
    row = await Photo.update({Photo.version: Photo.version + 1}).where(Photo.id == photo_id).returning(
        Photo.version
    )
    return int(row[0]["version"])


async def bump_versions(photo_ids: Iterable[int], chunk: int = 500) -> dict[int, int]:
    """bump_version for many photos at once: photo id -> its new version (photos that are gone: absent)."""
    ids = sorted(set(photo_ids))
    bumped: dict[int, int] = {}
    for start in range(0, len(ids), chunk):
        rows = await Photo.update({Photo.version: Photo.version + 1}).where(
            Photo.id.is_in(ids[start:start + chunk])
        ).returning(Photo.id, Photo.version)
        bumped.update({int(row["id"]): int(row["version"]) for row in rows})
    return bumped


async def save_metadata(photo_id: int, metadata: Metadata, sidecar_signature: str = "") -> None:
    """The file's metadata (keywords as tags with source "xmp"), and the sidecar state it was read with."""
    values: dict[Column | str, Any] = {
        name: getattr(metadata, name) for name in METADATA_FIELDS if name != "rating"
    }
    values["sidecar_signature"] = sidecar_signature
    values["sort_at"] = sort_at_for(metadata.taken_at, metadata.date_source)   # undated: last (media/dates)
    await Photo.update(values).where(Photo.id == photo_id)
    await tags.replace_keyword_tags(photo_id, metadata.keywords)
    if metadata.rating:
        # The EXIF rating seeds an unrated photo; a rating someone gave here survives reprocessing.
        await Photo.update({Photo.rating: metadata.rating}).where((Photo.id == photo_id)
                                                                  & (Photo.rating == 0))


async def metadata_of(photo_id: int) -> Metadata:
    row = await Photo.select(*(getattr(Photo, name) for name in METADATA_FIELDS)).where(
        Photo.id == photo_id
    ).first()
    if row is None:
        raise MissingFile(f"photo {photo_id} was deleted")
    values = dict(row)
    values["format"] = values["format"] or ""
    values["width"] = values["width"] or 0
    values["height"] = values["height"] or 0
    return Metadata(**values)


async def save_file(photo_id: int, kind: str, path: Path, *, size_name: str = "",
                    width: int | None = None, height: int | None = None) -> None:
    await PhotoFile.insert(
        PhotoFile(photo=photo_id, kind=kind, size_name=size_name, path=str(path), width=width, height=height)
    ).on_conflict(
        target=(PhotoFile.photo, PhotoFile.kind, PhotoFile.size_name), action="DO UPDATE",
        values=[PhotoFile.path, PhotoFile.width, PhotoFile.height],
    )


async def save_thumbnails(photo_id: int, thumbnails: list[tuple[str, Path, int, int]]) -> None:
    """(size name, path, width, height) of each thumbnail, in one statement."""
    await PhotoFile.insert(*(
        PhotoFile(photo=photo_id, kind="thumbnail", size_name=size, path=str(path), width=width,
                  height=height)
        for size, path, width, height in thumbnails
    )).on_conflict(
        target=(PhotoFile.photo, PhotoFile.kind, PhotoFile.size_name), action="DO UPDATE",
        values=[PhotoFile.path, PhotoFile.width, PhotoFile.height],
    )


async def save_histogram(photo_id: int, histogram: Any) -> None:
    await Photo.update({Photo.histogram: histogram}).where(Photo.id == photo_id)


async def files_of(photo_id: int) -> list[StoredFile]:
    rows = await PhotoFile.select(
        PhotoFile.kind, PhotoFile.size_name, PhotoFile.path, PhotoFile.width, PhotoFile.height
    ).where(PhotoFile.photo == photo_id)
    return [StoredFile(r["kind"], r["size_name"], Path(r["path"]), r["width"], r["height"]) for r in rows]


async def file_of(photo_id: int, kind: str, size_name: str = "") -> StoredFile | None:
    for stored in await files_of(photo_id):
        if stored.kind == kind and stored.size_name == size_name:
            return stored
    return None


ORIGINAL = "original"


async def file_roots(library_id: int, kind: str, settings: Settings) -> FileRoots:
    """Where a photo's file of this kind may really lie (photo_reads.roots_for), for the pipeline's steps."""
    rows = await LibraryFolder.select(LibraryFolder.path).where(LibraryFolder.library == library_id)
    return roots_for(kind, [row["path"] for row in rows], settings)


async def set_rating(user_id: int, photo_id: int, rating: int) -> bool:
    """False when the user is not a member of the photo's library (the caller answers 404)."""
    updated = await Photo.update({Photo.rating: rating, Photo.rated_by: user_id}).where(
        (Photo.id == photo_id) & member_of_library(user_id)
    ).returning(Photo.id)
    return bool(updated)


async def set_ratings(user_id: int, photo_ids: Collection[int], rating: int, chunk: int = 500) -> set[int]:
    """set_rating for many photos: the ids it rated, only among those of the user's libraries (the check is
    in the UPDATE itself, so any other id is never touched)."""
    ids = sorted(set(photo_ids))
    rated: set[int] = set()
    for start in range(0, len(ids), chunk):
        rows = await Photo.update({Photo.rating: rating, Photo.rated_by: user_id}).where(
            Photo.id.is_in(ids[start:start + chunk]) & member_of_library(user_id)
        ).returning(Photo.id)
        rated.update(int(row["id"]) for row in rows)
    return rated
