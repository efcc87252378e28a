"""`photonix status` and `photonix jobs …`: the job dashboard from the command line.

cli.parser() makes the `jobs` group and hands it to register(); each subcommand is one handler here.
Both commands print the one JobsStatus (jobs/status.py): a table for people, `--json` for scripts."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from photonix.config import Settings
from photonix.db.step_states import StepState

if TYPE_CHECKING:       # the status module imports the pipeline: `photonix up` would carry it for nothing
    from photonix.jobs.status import JobsStatus

Command = Callable[..., argparse.ArgumentParser]
EXIT_OK = 0


def register(jobs: Any, command: Command) -> None:
    """Add the `jobs` subcommands to the group cli.parser() made.

    One `command(name, handler, help, jobs)` call per subcommand; actions (retry, rerun, pause, resume,
    cancel, clear-history) are registered below the read-only ones."""
    listed = command("list", cmd_jobs_list, "per-step counts, throughput, durations and ETA", jobs)
    listed.add_argument("--json", action="store_true", help="print the status as JSON on stdout")
    # Actions: register them here.


def cmd_status(settings: Settings, args: argparse.Namespace) -> int:
    """`photonix status`: per-step counts, queue depth and recent failures."""
    return show_status(settings, as_json=args.json, detailed=False)


def cmd_jobs_list(settings: Settings, args: argparse.Namespace) -> int:
    """`photonix jobs list`: the dashboard's Steps table."""
    return show_status(settings, as_json=args.json, detailed=True)


def show_status(settings: Settings, *, as_json: bool, detailed: bool) -> int:
    from photonix.cli import run_with_db, with_reachable_redis

    settings = with_reachable_redis(settings, required=False)
    status = run_with_db(settings, lambda: read_status(settings))
    if as_json:
        print(msgspec.json.format(msgspec.json.encode(status), indent=2).decode())
    else:
        print_status(status, Console(), detailed=detailed)
    return EXIT_OK


async def read_status(settings: Settings) -> JobsStatus:
    from photonix.jobs.queue import connect
    from photonix.jobs.status import jobs_status

    if not settings.redis_url:
        return await jobs_status(None)
    redis = await connect(settings)
    try:
        return await jobs_status(redis)
    finally:
        await redis.aclose()


def print_status(status: JobsStatus, console: Console, *, detailed: bool) -> None:
    from photonix.jobs.status import eta_words

    table = Table(title="Pipeline steps")
    table.add_column("step")
    for state in StepState:
        table.add_column(state.value, justify="right")
    if detailed:
        for heading in ("photos/min", "p50", "p95", "ETA"):
            table.add_column(heading, justify="right")
    for step, counts in status.steps.items():
        cells = [f"{counts[state]:,}" for state in StepState]
        if detailed:
            timing = status.timing[step]
            cells += [f"{timing.photos_per_minute:g}", _ms(timing.p50_ms), _ms(timing.p95_ms),
                      eta_words(timing.eta_seconds)]
        table.add_row(step, *cells)
    console.print(table)
    queue = status.queue
    console.print("queue: " + (f"{queue.queued} waiting, {queue.running} running" if queue
                               else "Redis not answering" if status.redis_unreachable else "no Redis"))
    totals = status.totals
    console.print(f"photos: {totals.photos_processing:,} processing, {totals.photos_failed:,} failed; "
                  f"workers: {totals.live_workers} live" + (f", {totals.lost_workers} lost"
                                                            if totals.lost_workers else ""))
    if status.paused:
        console.print(f"[yellow]paused:[/yellow] {escape(', '.join(status.paused))}")
    for failure in status.recent_failures:
        console.print(f"[red]✗[/red] photo {failure.photo_id} {failure.step}: {escape(failure.error)}")


def _ms(value: int | None) -> str:
    if value is None:
        return "—"
    return f"{value} ms" if value < 1000 else f"{value / 1000:.1f} s"
