"""Photo rows: register imported files, save what the steps found, and read photos a viewer may see."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from piccolo.columns.base import Column
from piccolo.columns.combination import WhereRaw
from piccolo.custom_types import Combinable

from photonix.config import Settings
from photonix.db import stepruns, tags
from photonix.db.tables import LibraryFolder, Photo, PhotoFile, PhotoTag
from photonix.errors import MissingFile
from photonix.media.contained import FileRoots
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


async def register(library_id: int, content_hash: str, path: Path, size: int) -> tuple[int, bool]:
    """(photo id, is_new): a file whose content the library already holds adds nothing."""
    now = datetime.now(UTC)
    inserted = await Photo.insert(
        Photo(library=library_id, content_hash=content_hash, original_path=str(path), file_size=size,
              imported_at=now, sort_at=now.replace(tzinfo=None))
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
    if metadata.taken_at is not None:
        values["sort_at"] = metadata.taken_at
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
    """Where a photo's file of this kind may really lie: an original in its library's folders or the
    uploads dir, anything else (thumbnails, RAW renders) in the derivatives dir; the rest of the data dir
    never. Files are opened only there."""
    if kind != ORIGINAL:
        return FileRoots((settings.derivatives_dir,), (settings.data_dir,))
    rows = await LibraryFolder.select(LibraryFolder.path).where(LibraryFolder.library == library_id)
    return FileRoots((*(Path(row["path"]) for row in rows), settings.originals_dir), (settings.data_dir,))


def visible_to(user_id: int) -> WhereRaw:
    """The where-clause every viewer-facing photo query carries: photos of the user's libraries.

    A correlated EXISTS rather than `library IN (...)`: the planner then cannot pick the library index
    (every photo of a one-library install) over the sort_at order the grid pages and counts walk."""
    return WhereRaw(
        'EXISTS (SELECT 1 FROM membership m WHERE m.library = "photo"."library" AND m."user" = {})',
        int(user_id)
    )


async def thumbnailed(user_id: int, photo_ids: Collection[int], size_name: str = "square") -> set[int]:
    """The photos among these that the user may see and whose thumbnail of this size exists (the file
    route answers 404 for the others: a photo still at its first step has none yet)."""
    if not photo_ids:
        return set()
    rows = await Photo.select(Photo.id).where(
        Photo.id.is_in(sorted(photo_ids)) & visible_to(user_id) & WhereRaw(
            'EXISTS (SELECT 1 FROM photo_file f WHERE f.photo = "photo"."id" '
            "AND f.kind = 'thumbnail' AND f.size_name = {})", size_name)
    )
    return {int(row["id"]) for row in rows}


async def visible_photo(user_id: int, photo_id: int) -> dict[str, Any] | None:
    """The photo row, or None when it does not exist or the user may not see it (both answer 404)."""
    row: dict[str, Any] | None = await Photo.select(*Photo.all_columns()).where(
        (Photo.id == photo_id) & visible_to(user_id)
    ).output(load_json=True).first()
    return row


async def visible_photos(
    user_id: int, *, library_id: int | None = None, tag_ids: list[int] | None = None,
    state: str | None = None,
    limit: int = 50, offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """A page of photos (newest first) the user may see, and how many match in all."""
    where: Combinable = visible_to(user_id)
    if library_id is not None:
        where &= Photo.library == library_id
    if tag_ids is not None:
        where &= Photo.id.is_in(PhotoTag.select(PhotoTag.photo).where(PhotoTag.tag.is_in(tag_ids)))
    if state is not None:
        where &= stepruns.photo_state_clause(state)
    total = await Photo.count().where(where)
    # The grid's order (sort_at: capture time, else import time): NULL taken_at sorts alike everywhere.
    rows = await Photo.select(*Photo.all_columns()).where(where).order_by(
        Photo.sort_at, Photo.id, ascending=False
    ).limit(limit).offset(offset)
    return rows, total


async def set_rating(user_id: int, photo_id: int, rating: int) -> bool:
    """False when the user may not see the photo (the caller answers 404)."""
    updated = await Photo.update({Photo.rating: rating}).where(
        (Photo.id == photo_id) & visible_to(user_id)
    ).returning(Photo.id)
    return bool(updated)


async def set_ratings(user_id: int, photo_ids: Collection[int], rating: int, chunk: int = 500) -> set[int]:
    """set_rating for many photos: the ids it rated, only among those the user may see (the check is in
    the UPDATE itself, so an id outside the user's libraries is never touched)."""
    ids = sorted(set(photo_ids))
    rated: set[int] = set()
    for start in range(0, len(ids), chunk):
        rows = await Photo.update({Photo.rating: rating}).where(
            Photo.id.is_in(ids[start:start + chunk]) & visible_to(user_id)
        ).returning(Photo.id)
        rated.update(int(row["id"]) for row in rows)
    return rated
