"""Scanning a library's folders as a job, so the web never waits for a big import."""

from __future__ import annotations

import time
from typing import Any

import structlog
from arq import ArqRedis

from photonix.db import accounts
from photonix.jobs.importer import import_folder, outside_summary

log = structlog.get_logger()

SCAN_DEDUPE_SECONDS = 60


async def enqueue_scan(redis: ArqRedis, library_id: int) -> None:
    """Requests within the same minute are one scan (the job id says which minute)."""
    bucket = int(time.time() // SCAN_DEDUPE_SECONDS)
    await redis.enqueue_job("scan_library", library_id, _job_id=f"scan_library:{library_id}:{bucket}")


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
