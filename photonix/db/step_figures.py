"""Figures per step from the record that the dashboard needs beyond the tallies: the runs retrying now.

Read through the state index, so the cost follows the retrying runs, not the size of the record."""

from __future__ import annotations

from photonix.db.tables import StepRun


async def retrying_jobs(limit: int = 2000) -> list[tuple[str, str]]:
    """(step, job id) of runs waiting for another try, so the queue can say when each is due."""
    rows = await StepRun.select(StepRun.step, StepRun.job_id).where(
        (StepRun.state == "retrying") & (StepRun.is_latest == True)  # noqa: E712
    ).limit(limit)
    return [(row["step"], row["job_id"]) for row in rows if row["job_id"]]
