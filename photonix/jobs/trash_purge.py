"""Emptying the trash: photos trashed more than PHOTONIX_TRASH_DAYS ago are purged by a nightly cron job
(or at once by an admin's "Empty trash now").

A purge deletes the photo's row (its files, tags and runs go with it), its derivatives (thumbnails, RAW
render) and an uploaded original. A file in a watched library folder stays on disk unless an admin
allowed deleting those (db/trash.py); left there, it is forgotten, so a rescan or the watcher does not
import it again while its content is unchanged (jobs/importer.py).

The row goes first, and only while the photo is still due (a restore meanwhile keeps everything); the
files after it. A crash in between leaves files no photo names, never a photo whose files are gone. A
file is deleted only when it really lies in the place its kind belongs (links resolved), and a
derivative only when no other photo has it (the same picture in another library shares it)."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import structlog
from arq import ArqRedis
from redis.exceptions import RedisError

from photonix.config import Settings
from photonix.db import trash
from photonix.db.trash import TrashedPhoto
from photonix.media.contained import is_within, real_roots

log = structlog.get_logger()

FUNCTION = "empty_trash"                        # the ARQ function of "Empty trash now"
PURGE_BATCH = 200
PURGED_KEY = "photonix:metrics:trash_purged"     # photos purged, counted in Redis for /metrics
PURGE_HOUR, PURGE_MINUTE = 3, 47                 # nightly, UTC, after the history clean-up


@dataclass(frozen=True, slots=True)
class Purged:
    """What one purge did."""

    photos: int = 0
    files_deleted: int = 0
    files_forgotten: int = 0     # library files left on disk and forgotten
    more: bool = False           # the time budget ran out with photos still due


@dataclass(frozen=True, slots=True)
class Places:
    """Where each kind of file may be deleted from (real paths)."""

    uploads: tuple[Path, ...]
    derivatives: tuple[Path, ...]
    library: tuple[Path, ...]


def _real_parent(path: Path) -> Path:
    """The path with its folders' links resolved but not its last part: unlinking a link deletes the link,
    while a linked folder on the way could lead the unlink anywhere."""
    return Path(os.path.realpath(path.parent)) / path.name


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:      # the row is gone already: say which file stays, and go on with the rest
        log.warning("trash_file_not_deleted", path=str(path), error=exc.strerror or str(exc))
        return False
    return True


async def _purge_files(photo: TrashedPhoto, places: Places, deletes_library_files: bool) -> Purged:
    in_use = await trash.paths_in_use(photo.files)
    deleted = forgotten = 0
    for path in photo.files:
        if path in in_use:
            continue
        real = _real_parent(path)
        if is_within(real, places.derivatives) or is_within(real, places.uploads):
            deleted += _unlink(real)
        elif path != photo.original_path:
            log.warning("trash_file_outside_data", photo_id=photo.id, path=str(path))
        elif deletes_library_files and is_within(real, places.library) and _unlink(real):
            deleted += 1
        else:
            # Left on disk (by default, or it could not be deleted; or out of reach now, a folder since
            # removed or a share not mounted, which may come back): forgotten, so no rescan brings it back.
            await trash.forget(photo.library_id, path, photo.content_hash)
            forgotten += 1
    return Purged(1, deleted, forgotten)


async def _purge_one(photo: TrashedPhoto, cutoff: datetime, places: Places,
                     deletes_library_files: bool) -> Purged | None:
    if not await trash.delete_if_still_due(photo.id, cutoff):
        return None                                     # restored meanwhile: nothing is touched
    done = await _purge_files(photo, places, deletes_library_files)
    log.info("photo_purged", photo_id=photo.id, library_id=photo.library_id,
             files_deleted=done.files_deleted, original_kept=bool(done.files_forgotten))
    return done


async def purge_trash(settings: Settings, redis: ArqRedis | None, *, older_than: timedelta,
                      library_ids: set[int] | None = None, now: datetime | None = None,
                      budget_seconds: float | None = None) -> Purged:
    """Purge the photos trashed at least `older_than` ago (of these libraries only, when given).

    With a budget, no photo is begun once that many seconds have gone by (after the first): `more` then
    says some are left, for another job to go on with. Each photo's purge runs to its end even if the
    job is cancelled meanwhile (ARQ's timeout), so a row never goes without its files going too."""
    started = time.monotonic()
    cutoff = (now or datetime.now(UTC)) - older_than
    deletes_library_files = await trash.deletes_library_files()
    folders: dict[int, tuple[Path, ...]] = {}
    photos = deleted = forgotten = counted = 0
    more = False
    while not more and (batch := await trash.due_for_purge(cutoff, limit=PURGE_BATCH,
                                                            library_ids=library_ids)):
        for photo in batch:
            if budget_seconds is not None and photos and time.monotonic() - started > budget_seconds:
                more = True
                break
            if photo.library_id not in folders:
                folders[photo.library_id] = real_roots(await trash.library_folders(photo.library_id))
            places = Places(real_roots([settings.originals_dir]), real_roots([settings.derivatives_dir]),
                            folders[photo.library_id])
            done = await asyncio.shield(_purge_one(photo, cutoff, places, deletes_library_files))
            if done is not None:
                photos += 1
                deleted += done.files_deleted
                forgotten += done.files_forgotten
        await _count(redis, photos - counted)
        counted = photos
    outcome = Purged(photos, deleted, forgotten, more)
    log.info("trash_purged", photos=photos, files_deleted=deleted, files_forgotten=forgotten,
             trash_days=older_than.days, more=more)
    return outcome


async def _count(redis: ArqRedis | None, photos: int) -> None:
    """Best effort, like the step counters: a Redis hiccup costs a sample, never the purge."""
    if redis is None or not photos:
        return
    try:
        await redis.incrby(PURGED_KEY, photos)
    except RedisError as exc:
        log.warning("trash_count_failed", error=str(exc))


async def purged_total(redis: ArqRedis) -> int:
    """Photos purged since Redis last started empty (a Prometheus counter)."""
    raw = await redis.get(PURGED_KEY)
    return int(raw) if raw else 0


def _budget(settings: Settings) -> float:
    """Half the job timeout: a purge stops beginning photos well before ARQ would cancel it."""
    return settings.job_timeout_seconds / 2


async def purge_expired_trash(ctx: dict[str, Any]) -> int:
    """Nightly cron: purge what has been in the trash longer than PHOTONIX_TRASH_DAYS; photos purged. A
    trash too big for one job's time goes on in follow-up jobs."""
    settings: Settings = ctx["settings"]
    return await empty_trash(ctx, None, settings.trash_days)


async def empty_trash(ctx: dict[str, Any], library_ids: list[int] | None = None, older_than_days: int = 0,
                      budget_seconds: float | None = None) -> int:
    """ARQ job for "Empty trash now" (and the cron's follow-ups): purge what has been in the trash at least
    `older_than_days` (of these libraries only, when given); photos purged. What the time budget leaves is
    handed to a follow-up job."""
    settings: Settings = ctx["settings"]
    purged = await purge_trash(settings, ctx["redis"], older_than=timedelta(days=older_than_days),
                               library_ids=set(library_ids) if library_ids is not None else None,
                               budget_seconds=_budget(settings) if budget_seconds is None else budget_seconds)
    if purged.more:
        # Its own id: this job's is still taken while it runs.
        await ctx["redis"].enqueue_job(FUNCTION, library_ids, older_than_days, budget_seconds,
                                       _job_id=f"{FUNCTION}:more:{uuid.uuid4().hex[:12]}")
    return purged.photos


async def enqueue_empty_trash(redis: ArqRedis, library_ids: list[int] | None = None) -> bool:
    """Ask a worker to empty the trash; False when such a request is waiting already."""
    scope = "all" if library_ids is None else ",".join(str(i) for i in sorted(library_ids))
    job = await redis.enqueue_job(FUNCTION, library_ids, _job_id=f"{FUNCTION}:{scope}")
    return job is not None
