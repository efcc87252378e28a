"""Recent figures per step from the record: durations of the last finished runs, the runs retrying now.

Both read a bounded slice through an index (step_run (step, finished_at); the state index), so they
cost the same at 600k runs as at 600."""

from __future__ import annotations

from collections.abc import Sequence

from photonix.db.tables import StepRun

RECENT_RUNS = 200          # the durations p50/p95 are taken over, per step


async def recent_durations(steps: Sequence[str], per_step: int = RECENT_RUNS) -> dict[str, list[int]]:
    """step -> duration_ms of its latest finished (done or failed) runs, newest first; one statement."""
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


async def retrying_jobs(limit: int = 2000) -> list[tuple[str, str]]:
    """(step, job id) of runs waiting for another try, so the queue can say when each is due."""
    rows = await StepRun.select(StepRun.step, StepRun.job_id).where(
        (StepRun.state == "retrying") & (StepRun.is_latest == True)  # noqa: E712
    ).limit(limit)
    return [(row["step"], row["job_id"]) for row in rows if row["job_id"]]
