"""Figures from the record beyond the tallies: runs retrying or running now, recent durations.

Retrying runs are read through the state index, so the cost follows them, not the size of the record.
Recent durations are what the status falls back on without Redis (workers keep them there): one
statement reading the last finished runs of each step."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from photonix.db.tables import StepRun


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


async def running_now(photo_ids: Collection[int]) -> set[tuple[int, str]]:
    """(photo, step) of the latest runs of these photos that the record says are running."""
    if not photo_ids:
        return set()
    rows = await StepRun.select(StepRun.photo, StepRun.step).where(
        StepRun.photo.is_in(sorted(photo_ids)) & (StepRun.state == "running")
        & (StepRun.is_latest == True)  # noqa: E712
    )
    return {(int(row["photo"]), str(row["step"])) for row in rows}
