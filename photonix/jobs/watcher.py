"""Keep libraries in step with their folders: a watchfiles watcher, and a full rescan that catches the rest."""

from __future__ import annotations

import asyncio
from pathlib import Path

import structlog
from arq import ArqRedis
from watchfiles import Change, awatch

from photonix.db import accounts
from photonix.jobs.flow import Chain
from photonix.jobs.importer import import_folder, import_paths, outside_summary, reread_sidecars_of
from photonix.media.formats import is_photo_path
from photonix.media.sidecars import is_sidecar_path

log = structlog.get_logger()


async def rescan_all(redis: ArqRedis, pipeline: Chain) -> int:
    """Import whatever is new in every library folder; returns how many photos were added."""
    added = outside = 0
    for library in await accounts.all_libraries():
        for folder in library.folders:
            if folder.is_dir():
                report = await import_folder(redis, pipeline, library.id, folder)
                added += len(report.new_photo_ids)
                outside += len(report.outside_library)
    if added or outside:
        log.info("rescan_added", photos=added, **({"skipped": outside_summary(outside)} if outside else {}))
    return added


async def watch_libraries(redis: ArqRedis, pipeline: Chain, stop: asyncio.Event) -> None:
    """Import files as they appear or change in library folders, until `stop` is set."""
    libraries = await accounts.all_libraries()
    owner: dict[Path, int] = {f: lib.id for lib in libraries for f in lib.folders if f.is_dir()}
    if not owner:
        return
    async for changes in awatch(*owner, stop_event=stop, recursive=True):
        touched = [Path(p) for change, p in changes if change != Change.deleted and is_photo_path(Path(p))]
        # A sidecar written, replaced or deleted: its photos' metadata is read again.
        sidecars = [Path(p) for _, p in changes if is_sidecar_path(Path(p))]
        for folder, library_id in owner.items():
            # A link in the folder is never followed out of it: import_paths skips (and counts) those.
            mine = [p for p in touched if p.is_relative_to(folder) and (p.is_symlink() or p.is_file())]
            if mine:
                report = await import_paths(redis, pipeline, library_id, sorted(mine))
                log.info("watcher_imported", library_id=library_id, photos=len(report.new_photo_ids),
                         **({"skipped": outside_summary(len(report.outside_library))}
                            if report.outside_library else {}))
            if changed := [p for p in sidecars if p.is_relative_to(folder)]:
                await reread_sidecars_of(redis, library_id, changed)
