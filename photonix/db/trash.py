"""The trash's records: photos due for purging, deleting their rows, forgotten library files, and the
admin's switch that lets a purge delete files in watched library folders."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from piccolo.custom_types import Combinable

from photonix.db.tables import ForgottenFile, JobSetting, LibraryFolder, Photo, PhotoFile

DELETE_LIBRARY_FILES = "trash_delete_library_files"     # JobSetting: 1 lets a purge delete library files


@dataclass(frozen=True, slots=True)
class TrashedPhoto:
    """A photo due for purging, with every file recorded for it (original, RAW render, thumbnails)."""

    id: int
    library_id: int
    content_hash: str
    original_path: Path
    files: tuple[Path, ...]


async def deletes_library_files() -> bool:
    """Whether emptying the trash deletes a photo's file in a watched library folder (off by default:
    the trash then only forgets it)."""
    row = await JobSetting.select(JobSetting.value).where(JobSetting.name == DELETE_LIBRARY_FILES).first()
    return bool(row and row["value"])


async def set_deletes_library_files(enabled: bool) -> None:
    await JobSetting.insert(JobSetting(name=DELETE_LIBRARY_FILES, value=int(enabled))).on_conflict(
        target=JobSetting.name, action="DO UPDATE", values=[JobSetting.value]
    )


def _due(cutoff: datetime, library_ids: Collection[int] | None) -> Combinable:
    where: Combinable = Photo.trashed_at.is_not_null() & (Photo.trashed_at <= cutoff)
    if library_ids is not None:
        where &= Photo.library.is_in(sorted(library_ids) or [0])
    return where


async def due_for_purge(cutoff: datetime, *, limit: int,
                        library_ids: Collection[int] | None = None) -> list[TrashedPhoto]:
    """Photos in the trash since `cutoff` or before (of these libraries only, when given), oldest first."""
    rows = await Photo.select(Photo.id, Photo.library, Photo.content_hash, Photo.original_path).where(
        _due(cutoff, library_ids)
    ).order_by(Photo.trashed_at, Photo.id).limit(limit)
    if not rows:
        return []
    files: dict[int, list[Path]] = {}
    for row in await PhotoFile.select(PhotoFile.photo, PhotoFile.path).where(
        PhotoFile.photo.is_in([row["id"] for row in rows])
    ):
        files.setdefault(int(row["photo"]), []).append(Path(row["path"]))
    return [TrashedPhoto(int(row["id"]), int(row["library"]), row["content_hash"], Path(row["original_path"]),
                         tuple(dict.fromkeys([Path(row["original_path"]), *files.get(int(row["id"]), [])])))
            for row in rows]


async def trashed_count(library_ids: Collection[int] | None = None) -> int:
    """Photos in the trash now (of these libraries only, when given)."""
    return int(await Photo.count().where(_due(datetime.now(UTC), library_ids)))


async def delete_if_still_due(photo_id: int, cutoff: datetime) -> bool:
    """Delete the photo's row (its files, tags and runs go with it) unless it was restored meanwhile."""
    deleted = await Photo.delete().where((Photo.id == photo_id) & _due(cutoff, None)).returning(Photo.id)
    return bool(deleted)


async def paths_in_use(paths: Collection[Path]) -> set[Path]:
    """Those of these paths that a photo still has as one of its files: a derivative keyed by content hash
    is shared by the same picture in another library, and must stay while that one does."""
    if not paths:
        return set()
    rows = await PhotoFile.select(PhotoFile.path).where(PhotoFile.path.is_in(sorted(str(p) for p in paths)))
    return {Path(row["path"]) for row in rows}


async def library_folders(library_id: int) -> tuple[Path, ...]:
    rows = await LibraryFolder.select(LibraryFolder.path).where(LibraryFolder.library == library_id)
    return tuple(Path(row["path"]) for row in rows)


async def forget(library_id: int, original_path: Path, content_hash: str) -> None:
    """Remember a library file left on disk by a purge: a rescan skips it while its content is the same."""
    await ForgottenFile.insert(ForgottenFile(
        library=library_id, original_path=str(original_path), content_hash=content_hash,
        forgotten_at=datetime.now(UTC),
    )).on_conflict(target=(ForgottenFile.library, ForgottenFile.original_path), action="DO UPDATE",
                   values=[ForgottenFile.content_hash, ForgottenFile.forgotten_at])


async def forgotten_files(library_id: int) -> dict[str, str]:
    """original path -> content hash, for the library files its trash forgot."""
    rows = await ForgottenFile.select(ForgottenFile.original_path, ForgottenFile.content_hash).where(
        ForgottenFile.library == library_id
    )
    return {row["original_path"]: row["content_hash"] for row in rows}


async def unforget(library_id: int, original_path: Path) -> None:
    """The file at this path changed: it is a new photo now, and no longer forgotten."""
    await ForgottenFile.delete().where(
        (ForgottenFile.library == library_id) & (ForgottenFile.original_path == str(original_path))
    )
