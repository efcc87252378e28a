"""Keep libraries in step with their folders: a watchfiles watcher, and a full rescan that catches the
rest."""

from __future__ import annotations

import asyncio
import contextlib
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


WATCH_REFRESH_SECONDS = 2.0          # a library or folder added while the worker runs is watched this soon


async def _watched_folders() -> dict[Path, int]:
    """Every library folder that exists now, with its library's id."""
    return {f: lib.id for lib in await accounts.all_libraries() for f in lib.folders if f.is_dir()}


async def _restart_on_change(owner: dict[Path, int], restart: asyncio.Event, stop: asyncio.Event) -> None:
    """Set `restart` once `stop` is set or the library folders are no longer `owner`."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), WATCH_REFRESH_SECONDS)
        if stop.is_set() or await _watched_folders() != owner:
            break
    restart.set()


async def _import_new_folders(redis: ArqRedis, pipeline: Chain, folders: dict[Path, int]) -> None:
    """Files put into a new folder before its watch began (the web's scan job may have run earlier)."""
    for folder, library_id in folders.items():
        report = await import_folder(redis, pipeline, library_id, folder)
        log.info("watcher_caught_up", library_id=library_id, photos=len(report.new_photo_ids))


async def watch_libraries(redis: ArqRedis, pipeline: Chain, stop: asyncio.Event) -> None:
    """Import files as they appear or change in library folders, until `stop` is set.

    The set of folders is re-read every few seconds; when it changes the watch restarts on the new set,
    and folders that are new since the last round are scanned once."""
    watched: dict[Path, int] | None = None          # None: the first round, at worker start
    while not stop.is_set():
        owner = await _watched_folders()
        restart = asyncio.Event()
        refresher = asyncio.create_task(_restart_on_change(owner, restart, stop))
        new = {f: lib for f, lib in owner.items() if watched is not None and f not in watched}
        catch_up = asyncio.create_task(_import_new_folders(redis, pipeline, new)) if new else None
        try:
            if owner:
                await _watch(redis, pipeline, owner, restart)
            else:
                await restart.wait()
            if catch_up:
                await catch_up
        finally:
            refresher.cancel()
            if catch_up:
                catch_up.cancel()
        watched = owner


async def _watch(redis: ArqRedis, pipeline: Chain, owner: dict[Path, int], restart: asyncio.Event) -> None:
    async for changes in awatch(*owner, stop_event=restart, recursive=True):
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
                await reread_sidecars_of(redis, pipeline, library_id, changed)
