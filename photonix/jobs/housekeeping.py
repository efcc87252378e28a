"""Housekeeping: cancel a library's queued work, and clear old finished history (by hand or nightly).

- Cancel: the library's runs waiting to start become skipped with the reason "cancelled by <user>" and
  their Redis jobs are removed; running steps finish, and the steps after them stay cancelled. A
  later "re-run missing" picks cancelled photos up again.
- Clear history: deletes finished runs older than N days that a newer version of the same step of the
  same photo supersedes. The latest run of every step of every photo stays, however old: it is what
  the photo shows, what "re-run missing" reads and what a retry retries. The nightly cron uses the
  `history_days` setting (0, the default, keeps everything).
- Expired sign-in sessions: the nightly cron deletes the sessions the configured idle timeout or
  absolute lifetime has ended (a lookup deletes an expired session too; this catches the abandoned)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from arq import ArqRedis
from arq.constants import default_queue_name, in_progress_key_prefix, job_key_prefix, retry_key_prefix

from photonix.db import accounts, job_actions, job_settings, user_sessions
from photonix.db.user_sessions import SessionPolicy
from photonix.errors import InvalidAction
from photonix.jobs import flow

log = structlog.get_logger()

REDIS_BATCH = 500
MAX_HISTORY_DAYS = 36500


@dataclass(frozen=True, slots=True)
class Cancelled:
    photos: int
    runs: int


@dataclass(frozen=True, slots=True)
class Cleared:
    runs: int
    photos: int


async def _library(library_id: int | None) -> int:
    if library_id is None or await accounts.library_by_id(library_id) is None:
        raise InvalidAction("Choose the library whose queued work to cancel.")
    return library_id


async def photos_to_cancel(library_id: int | None) -> int:
    """Photos of the library with work waiting to start (a dry run)."""
    return await job_actions.queued_photo_count(await _library(library_id))


async def cancel_library(redis: ArqRedis, library_id: int | None, cancelled_by: str) -> Cancelled:
    removed = await job_actions.cancel_queued(await _library(library_id), f"cancelled by {cancelled_by}")
    job_ids = [flow.job_id(run.step, run.photo_id, run.version) for run in removed]
    for start in range(0, len(job_ids), REDIS_BATCH):
        batch = job_ids[start:start + REDIS_BATCH]
        async with redis.pipeline(transaction=False) as pipe:
            for job in batch:
                pipe.exists(in_progress_key_prefix + job)
            running = await pipe.execute()
        async with redis.pipeline(transaction=False) as pipe:
            # A job a worker has just taken stays: its claim finds the record cancelled and runs nothing.
            for job, is_running in zip(batch, running, strict=True):
                if not is_running:
                    pipe.delete(job_key_prefix + job, retry_key_prefix + job)
                    pipe.zrem(default_queue_name, job)
            await pipe.execute()
    outcome = Cancelled(len({run.photo_id for run in removed}), len(removed))
    log.info("library_work_cancelled", library_id=library_id, by=cancelled_by, photos=outcome.photos,
             runs=outcome.runs)
    return outcome


def history_cutoff(days: int, now: datetime | None = None) -> datetime:
    if not 1 <= days <= MAX_HISTORY_DAYS:
        raise InvalidAction(f"Keep history for 1 to {MAX_HISTORY_DAYS} days.")
    return (now or datetime.now(UTC)) - timedelta(days=days)


async def clearable(days: int) -> Cleared:
    """What clearing history older than `days` would delete (a dry run)."""
    runs, photos = await job_actions.clearable_history(history_cutoff(days))
    return Cleared(runs, photos)


async def clear_history(days: int) -> Cleared:
    before = await clearable(days)
    deleted = await job_actions.clear_history(history_cutoff(days))
    log.info("history_cleared", days=days, runs=deleted)
    return Cleared(deleted, before.photos)


async def clear_old_history(ctx: dict[str, Any]) -> int:
    """Nightly cron: clear what the `history_days` setting no longer keeps; runs deleted."""
    days = await job_settings.history_days()
    return (await clear_history(days)).runs if days else 0


async def delete_expired_sessions(ctx: dict[str, Any]) -> int:
    """Nightly cron: delete the sign-in sessions that have ended by the settings' limits; how many."""
    deleted = await user_sessions.delete_expired(SessionPolicy.from_settings(ctx["settings"]))
    log.info("expired_sessions_deleted", sessions=deleted)
    return deleted
