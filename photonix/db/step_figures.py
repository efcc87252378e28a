"""Figures from the record beyond the tallies: runs retrying or running now, recent durations.

Retrying runs are read through the state index, so the cost follows them, not the size of the record.
Recent durations are what the status falls back on without Redis (workers keep them there): one
statement reading the last finished runs of each step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from photonix.db.tables import StepRun
from photonix.media.failures import without_directories


async def retrying_jobs(limit: int = 2000) -> list[tuple[str, str]]:
    """(step, job id) of runs waiting for another try, so the queue can say when each is due."""
    rows = await StepRun.select(StepRun.step, StepRun.job_id).where(
        (StepRun.state == "retrying") & (StepRun.is_latest == True)  # noqa: E712
    ).limit(limit)
    return [(row["step"], row["job_id"]) for row in rows if row["job_id"]]


async def recent_durations(steps: Sequence[str], per_step: int = 200) -> dict[str, list[int]]:
    """step -> duration_ms of its latest finished (done or failed) runs, newest first."""
    if not steps:
        return {}
    parts = [
        f"SELECT * FROM (SELECT step, duration_ms FROM step_run WHERE step = {{}} "
        f"AND finished_at IS NOT NULL AND state IN ('done', 'failed') AND duration_ms IS NOT NULL "
        f"ORDER BY finished_at DESC LIMIT {int(per_step)}) AS recent_{index}"
        for index in range(len(steps))
    ]
    rows = await StepRun.raw(" UNION ALL ".join(parts), *steps)
    durations: dict[str, list[int]] = {step: [] for step in steps}
    for row in rows:
        durations[row["step"]].append(int(row["duration_ms"]))
    return durations


@dataclass(frozen=True, slots=True)
class RunningRun:
    """A latest run the record says is running, and the worker of its try."""

    worker: str
    photo_id: int
    step: str
    job_id: str
    started_at: datetime


async def running_runs(limit: int = 1000) -> list[RunningRun]:
    """The runs running now (a few per worker), oldest first, through the state index."""
    rows = await StepRun.select(StepRun.worker, StepRun.photo, StepRun.step, StepRun.job_id,
                                StepRun.started_at).where(
        (StepRun.state == "running") & (StepRun.is_latest == True)  # noqa: E712
    ).order_by(StepRun.started_at).limit(limit)
    return [RunningRun(str(row["worker"]), int(row["photo"]), str(row["step"]), str(row["job_id"]),
                       row["started_at"]) for row in rows]


@dataclass(frozen=True, slots=True)
class RecentFailure:
    photo_id: int
    step: str
    error: str
    error_kind: str
    finished_at: datetime | None


async def recent_failures(limit: int) -> list[RecentFailure]:
    """The latest failed runs, newest first: only the columns the status shows (never a traceback),
    through step_run (state, finished_at)."""
    rows = await StepRun.select(StepRun.photo, StepRun.step, StepRun.error, StepRun.error_kind,
                                StepRun.finished_at).where(
        (StepRun.state == "failed") & (StepRun.is_latest == True)  # noqa: E712
    ).order_by(StepRun.finished_at, ascending=False).limit(limit)
    return [RecentFailure(int(row["photo"]), str(row["step"]), without_directories(str(row["error"])),
                          str(row["error_kind"]), row["finished_at"]) for row in rows]
