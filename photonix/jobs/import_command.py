"""`photonix import`: scan a folder into a library with a progress bar, optionally follow the pipeline."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from photonix.config import Settings, child_env
from photonix.db import accounts
from photonix.db.tables import StepRun
from photonix.jobs.embedded_redis import start_embedded_redis
from photonix.jobs.importer import ImportReport, import_paths, outside_summary, walk_folder
from photonix.jobs.pipeline import PIPELINE
from photonix.jobs.queue import connect
from photonix.jobs.worker import build_worker

POLL_SECONDS = 0.5


def _progress(console: Console) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=False)


async def run_import(settings: Settings, folder: Path, library_name: str, *, wait: bool,
                     console: Console) -> dict[str, Any]:
    """Import `folder` into the library (created for it when new); returns the summary."""
    library = await accounts.library_by_name(library_name)
    library_id = library.id if library else await accounts.create_library(library_name, [folder])
    await accounts.add_folder(library_id, folder)
    embedded = None
    if settings.redis_url is None:
        # No queue running anywhere: bring one up for this command and work the queue here.
        embedded = start_embedded_redis(settings.data_dir / "import-run")
        settings = Settings.from_env(child_env({"PHOTONIX_REDIS_URL": embedded.url}))
        wait = True
    redis = await connect(settings)
    try:
        walk = walk_folder(folder)
        with _progress(console) as progress:
            scan = progress.add_task("scanning", total=len(walk.files))
            report = await import_paths(redis, PIPELINE, library_id, walk.files,
                                        on_file=lambda _path: progress.advance(scan))
        report.outside_library[:0] = [str(link) for link in walk.outside_links]
        summary = _summary(library_name, report)
        if wait and report.new_photo_ids:
            worker = build_worker(settings, burst=True) if embedded else None
            working = asyncio.create_task(worker.main()) if worker else None
            await _follow(report.new_photo_ids, console)
            if working:
                await working
                await worker.close()  # type: ignore[union-attr]
            summary.update(await _outcome(report.new_photo_ids))
        elif report.new_photo_ids:
            console.print("queued; follow with `photonix status` (a worker must be running)")
        _print_summary(summary, console)
        return summary
    finally:
        await redis.aclose()
        if embedded:
            embedded.stop()


def _summary(library: str, report: ImportReport) -> dict[str, Any]:
    return {"library": library, "found": report.found, "new": len(report.new_photo_ids),
            "duplicates": report.duplicates, "unchanged": report.unchanged, "unreadable": report.unreadable,
            "outside_library": report.outside_library}


async def _follow(photo_ids: list[int], console: Console) -> None:
    total = await StepRun.count().where(StepRun.photo.is_in(photo_ids))
    with _progress(console) as progress:
        task = progress.add_task("processing steps", total=total)
        while True:
            finished = await StepRun.count().where(
                StepRun.photo.is_in(photo_ids) & StepRun.state.is_in(["done", "skipped", "failed"])
            )
            progress.update(task, completed=finished)
            if finished >= total:
                return
            await asyncio.sleep(POLL_SECONDS)


async def _outcome(photo_ids: list[int]) -> dict[str, Any]:
    failed_rows = await StepRun.select(
        StepRun.photo.original_path, StepRun.step, StepRun.error
    ).where(StepRun.photo.is_in(photo_ids) & (StepRun.state == "failed"))
    failed: dict[str, list[str]] = {}
    for row in failed_rows:
        failed.setdefault(row["photo.original_path"], []).append(f"{row['step']}: {row['error']}")
    return {"done": len(photo_ids) - len(failed), "failed": failed}


def _print_summary(summary: dict[str, Any], console: Console) -> None:
    console.print(f"[bold]{summary['library']}[/bold]: {summary['found']} files, {summary['new']} new, "
                  f"{summary['duplicates']} duplicates, {summary['unchanged']} already imported")
    if summary["outside_library"]:
        console.print(f"[yellow]{outside_summary(len(summary['outside_library']))}[/yellow] (not followed):")
        for link in summary["outside_library"]:
            console.print(f"  [yellow]link[/yellow] {link}")
    if "done" in summary:
        console.print(f"[green]{summary['done']} processed[/green], "
                      f"[red]{len(summary['failed'])} failed[/red]")
        for path, reasons in sorted(summary["failed"].items()):
            console.print(f"  [red]✗[/red] {path}: {'; '.join(reasons)}")
    for path, why in sorted(summary["unreadable"].items()):
        console.print(f"  [yellow]unreadable[/yellow] {path}: {why}")
