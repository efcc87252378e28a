"""What the pipeline is doing: per-step state counts, queue depth and recent failures, as plain data."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from photonix.config import Settings
from photonix.db import stepruns
from photonix.jobs.queue import connect, queue_depth


async def collect_status(settings: Settings) -> dict[str, Any]:
    queue: dict[str, int] | None = None
    if settings.redis_url:
        redis = await connect(settings)
        try:
            queue = await queue_depth(redis)
        finally:
            await redis.aclose()
    failures = await stepruns.recent_failures(20)
    return {
        "steps": await stepruns.summary(),
        "queue": queue,
        "recent_failures": [
            {"photo_id": f.photo_id, "step": f.step, "error": f.error, "error_kind": f.error_kind}
            for f in failures
        ],
    }


def print_status(report: dict[str, Any], console: Console) -> None:
    table = Table(title="Pipeline steps")
    table.add_column("step")
    for state in stepruns.STATES:
        table.add_column(state, justify="right")
    for step, counts in sorted(report["steps"].items()):
        table.add_row(step, *(str(counts.get(state, 0)) for state in stepruns.STATES))
    console.print(table)
    queue = report["queue"]
    console.print("queue: " + (f"{queue['queued']} waiting, {queue['running']} running" if queue
                               else "no Redis"))
    for failure in report["recent_failures"]:
        console.print(f"[red]✗[/red] photo {failure['photo_id']} {failure['step']}: {failure['error']}")
