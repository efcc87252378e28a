"""Scanning a library's folders as a job, so the web never waits for a big import."""

from __future__ import annotations

import time
from typing import Any

import structlog
from arq import ArqRedis
from arq.jobs import Job, JobStatus

from photonix.db import accounts
from photonix.jobs.importer import import_folder, outside_summary

log = structlog.get_logger()

SCAN_DEDUPE_SECONDS = 60
LATEST_SCAN_KEY = "photonix:scan-job:{library_id}"       # the library's latest scan job id, for its progress
LATEST_SCAN_SECONDS = 24 * 3600
SCAN_STATES = {JobStatus.deferred: "queued", JobStatus.queued: "queued", JobStatus.in_progress: "running",
               JobStatus.complete: "done"}


async def enqueue_scan(redis: ArqRedis, library_id: int) -> None:
    """Requests within the same minute are one scan (the job id says which minute)."""
    bucket = int(time.time() // SCAN_DEDUPE_SECONDS)
    job_id = f"scan_library:{library_id}:{bucket}"
    await redis.enqueue_job("scan_library", library_id, _job_id=job_id)
    await redis.set(LATEST_SCAN_KEY.format(library_id=library_id), job_id, ex=LATEST_SCAN_SECONDS)


async def latest_scan_state(redis: ArqRedis, library_id: int) -> str | None:
    """Where the library's latest scan is: "queued" (no worker has taken it yet), "running", "done"; None
    when there was none this day (or its record is gone)."""
    job_id = await redis.get(LATEST_SCAN_KEY.format(library_id=library_id))
    if job_id is None:
        return None
    status = await Job(job_id.decode() if isinstance(job_id, bytes) else str(job_id), redis).status()
    return SCAN_STATES.get(status)


async def scan_library(ctx: dict[str, Any], library_id: int) -> int:
    """ARQ job: import what is new in every folder of the library; returns how many photos were added."""
    library = await accounts.library_by_id(library_id)
    added = outside = 0
    for folder in library.folders if library else ():
        if folder.is_dir():
            report = await import_folder(ctx["redis"], ctx["pipeline"], library_id, folder)
            added += len(report.new_photo_ids)
            outside += len(report.outside_library)
    log.info("library_scanned", library_id=library_id, photos=added,
             **({"skipped": outside_summary(outside)} if outside else {}))
    return added
