"""Import: find photo files, dedupe them by content hash, register new ones and start their pipeline."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import structlog
from arq import ArqRedis

from photonix.config import Settings
from photonix.db import accounts, photos, trash
from photonix.errors import PhotonixError
from photonix.jobs import flow
from photonix.jobs.flow import Chain
from photonix.jobs.pipeline import metadata_steps
from photonix.media.contained import FileRoots, is_within, real_roots
from photonix.media.formats import is_photo_path
from photonix.media.hashing import contained_hash, content_hash
from photonix.media.sidecars import is_sidecar_path, originals_of, sidecar_candidates
from photonix.media.sidecars import signature as sidecar_signature

log = structlog.get_logger()


@dataclass
class ImportReport:
    """What one import pass did."""

    found: int = 0
    new_photo_ids: list[int] = field(default_factory=list)
    duplicates: int = 0
    unchanged: int = 0
    unreadable: dict[str, str] = field(default_factory=dict)      # path -> why it could not be read
    outside_library: list[str] = field(default_factory=list)     # links leading out: skipped
    sidecar_rereads: list[int] = field(default_factory=list)      # photos whose XMP sidecar changed
    forgotten: int = 0              # files the trash forgot, content unchanged: left out (db/trash.py)


@dataclass(frozen=True, slots=True)
class FolderWalk:
    """The photo files and XMP sidecars found below a folder (by real path), and the links not followed."""

    files: list[Path]
    sidecars: list[Path]
    outside_links: list[Path]


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def walk_folder(folder: Path) -> FolderWalk:
    """Every photo file below the folder, by its real path, in a stable order (hidden entries skipped).

    A file or folder link is followed only when its target lies inside the folder; one leading out
    (`holiday.jpg -> /etc/passwd`, `old -> /`) is skipped and reported. Each real folder is walked once
    and each real file listed once, so link loops and two links to one photo import nothing twice."""
    root = Path(os.path.realpath(folder))
    files: set[Path] = set()
    sidecars: set[Path] = set()
    outside: list[Path] = []
    walked = {root}
    pending = [root]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            log.warning("folder_unreadable", error=exc.strerror or str(exc))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            if not entry.is_symlink():
                # scandir knows the type already: no extra system call per file of a large library
                is_dir, is_file = entry.is_dir(follow_symlinks=False), entry.is_file(follow_symlinks=False)
            else:
                real = Path(os.path.realpath(path))
                if not is_within(real, (root,)):
                    if real.is_dir() or is_photo_path(path) or is_photo_path(real):
                        outside.append(path)
                        log.warning("link_outside_library", path=str(path))
                    continue
                if _is_hidden(real, root) or real.is_symlink():     # hidden, or a link loop
                    continue
                path, is_dir, is_file = real, real.is_dir(), real.is_file()
            if is_dir and path not in walked:
                walked.add(path)
                pending.append(path)
            elif is_file and is_photo_path(path):
                files.add(path)
            elif is_file and is_sidecar_path(path):
                sidecars.add(path)
    return FolderWalk(sorted(files), sorted(sidecars), outside)


def photo_files(folder: Path) -> list[Path]:
    """Every photo file below the folder (see walk_folder), in a stable order."""
    return walk_folder(folder).files


def _inside(path: Path, roots: tuple[Path, ...]) -> Path | None:
    """The real path to import for path, or None when it (or a link on its way) leads out of roots."""
    real = Path(os.path.realpath(path))
    return real if is_within(real, roots) else None


async def import_paths(redis: ArqRedis, pipeline: Chain, library_id: int, paths: Iterable[Path],
                       on_file: Callable[[Path], None] | None = None) -> ImportReport:
    """Register each file the library does not hold yet and start its pipeline; known files cost a stat.

    Only files whose real path lies in one of the library's folders are imported, under that real
    path; anything else (a link leading out, a path outside) is skipped and counted. A file whose photo
    was purged from the trash but left on disk stays out while its content is the one forgotten (and so
    does a copy of that content elsewhere in the library)."""
    report = ImportReport()
    library = await accounts.library_by_id(library_id)
    roots = real_roots(library.folders if library else ())
    known = await photos.known_paths(library_id)
    forgotten = await trash.forgotten_files(library_id)
    forgotten_content = set(forgotten.values())
    for given in paths:
        report.found += 1
        path = _inside(given, roots)
        if path is None:
            report.outside_library.append(str(given))
            log.warning("link_outside_library", path=str(given), library_id=library_id)
            if on_file:
                on_file(given)
            continue
        try:
            if known.get(str(path)) == path.stat().st_size:
                report.unchanged += 1
                continue
            size, digest = await asyncio.to_thread(contained_hash, path, FileRoots(roots))
        except (OSError, PhotonixError) as exc:
            report.unreadable[str(path)] = str(exc)
            log.warning("file_unreadable", path=str(path), error=str(exc))
            continue
        finally:
            if on_file:
                on_file(given)
        if digest in forgotten_content:
            # The purged picture, here or in a copy of it that the photo had stood for: it stays out.
            report.forgotten += 1
            continue
        if str(path) in forgotten:
            await trash.unforget(library_id, path)      # new content at that path: a new photo
        photo_id, is_new = await photos.register(library_id, digest, path, size)
        if is_new:
            report.new_photo_ids.append(photo_id)
            await flow.start(redis, pipeline, photo_id, 1)
            log.info("photo_imported", photo_id=photo_id, library_id=library_id, path=str(path))
        else:
            report.duplicates += 1
    return report


async def import_folder(redis: ArqRedis, pipeline: Chain, library_id: int, folder: Path,
                        on_file: Callable[[Path], None] | None = None) -> ImportReport:
    """Import every photo below one of the library's folders (links leading out are counted, not
    followed), and re-read the metadata of photos whose sidecar changed."""
    known = await photos.sidecar_states(library_id)     # before importing: new photos get read anyway
    walk = walk_folder(folder)
    report = await import_paths(redis, pipeline, library_id, walk.files, on_file)
    report.outside_library[:0] = [str(link) for link in walk.outside_links]
    sidecars = set(walk.sidecars)
    # Only photos with a sidecar now, or read with one before, need their sidecar's state checked.
    concerned = [path for path in walk.files
                 if sidecars.intersection(sidecar_candidates(path)) or known.get(str(path), (0, ""))[1]]
    report.sidecar_rereads = await reread_changed_sidecars(redis, pipeline, concerned, known)
    return report


def outside_summary(count: int) -> str:
    """The summary line for links not followed: "skipped 2 links outside the library"."""
    return f"skipped {count} link{'s' if count != 1 else ''} outside the library"


async def reread_sidecars_of(redis: ArqRedis, pipeline: Chain, library_id: int,
                             sidecars: Iterable[Path]) -> list[int]:
    """After sidecars were written or deleted (the watcher): re-read their photos' metadata."""
    originals = sorted({original for sidecar in sidecars for original in originals_of(sidecar)})
    known = await photos.sidecar_states(library_id, [str(path) for path in originals])
    return await reread_changed_sidecars(redis, pipeline, originals, known)


async def reread_changed_sidecars(redis: ArqRedis, pipeline: Chain, originals: Iterable[Path],
                                  known: dict[str, tuple[int, str]]) -> list[int]:
    """Re-read the metadata of each known photo whose sidecar appeared, changed or went since its
    metadata was read (see rerun_metadata)."""
    reread: list[int] = []
    for path in originals:
        photo_id, read_with = known.get(str(path), (0, ""))
        if not photo_id or await asyncio.to_thread(sidecar_signature, path) == read_with:
            continue
        await rerun_metadata(redis, pipeline, photo_id)
        reread.append(photo_id)
        log.info("sidecar_changed", photo_id=photo_id)
    return reread


async def rerun_metadata(redis: ArqRedis, pipeline: Chain, photo_id: int) -> None:
    """At a new version, run extract_metadata and then the steps that read only metadata (a place from
    new GPS, events from a new date), in pipeline order; RAW renders and thumbnails are kept."""
    version = await photos.bump_version(photo_id)
    await flow.start(redis, metadata_steps(pipeline), photo_id, version)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def upload_destination(settings: Settings, library_id: int, filename: str) -> Path:
    """Where an uploaded original is kept: by library and month, under a name no upload can collide with."""
    name = _UNSAFE.sub("_", Path(filename).name).strip("._") or "upload"
    month = datetime.now(UTC).strftime("%Y-%m")
    return settings.originals_dir / str(library_id) / month / f"{uuid.uuid4().hex[:12]}_{name}"


async def ingest_upload(settings: Settings, redis: ArqRedis, pipeline: Chain, library_id: int,
                        filename: str, data: IO[bytes]) -> tuple[int, bool]:
    """Store an uploaded original under the data dir, then import it like a scanned file.

    Returns (photo id, is_new); a duplicate upload keeps nothing and points at the photo already there."""
    dest = upload_destination(settings, library_id, filename)
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".part")
    with partial.open("wb") as out:
        await asyncio.to_thread(shutil.copyfileobj, data, out, 1 << 20)
    digest = await asyncio.to_thread(content_hash, partial)
    partial.replace(dest)
    photo_id, is_new = await photos.register(library_id, digest, dest, dest.stat().st_size,
                                               original_name=filename)
    if is_new:
        await flow.start(redis, pipeline, photo_id, 1)
        log.info("photo_uploaded", photo_id=photo_id, library_id=library_id)
    else:
        dest.unlink()
    return photo_id, is_new
