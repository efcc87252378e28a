"""Numbers that steer the workers, set by an admin: per-step concurrency limits and history retention."""

from __future__ import annotations

from photonix.db.tables import JobSetting

LIMIT_PREFIX = "limit:"
HISTORY_DAYS = "history_days"


async def _set(name: str, value: int) -> None:
    await JobSetting.insert(JobSetting(name=name, value=value)).on_conflict(
        target=JobSetting.name, action="DO UPDATE", values=[JobSetting.value]
    )


async def step_limits() -> dict[str, int]:
    """step -> the most runs of it one worker starts at once; a step not listed has no limit of its own."""
    rows = await JobSetting.select(JobSetting.name, JobSetting.value).where(
        JobSetting.name.like(f"{LIMIT_PREFIX}%") & (JobSetting.value > 0)
    )
    return {row["name"].removeprefix(LIMIT_PREFIX): int(row["value"]) for row in rows}


async def set_step_limit(step: str, limit: int | None) -> None:
    """At most `limit` runs of this step at once per worker; None (or 0) lifts the limit."""
    if not limit:
        await JobSetting.delete().where(JobSetting.name == LIMIT_PREFIX + step)
    else:
        await _set(LIMIT_PREFIX + step, limit)


async def history_days() -> int:
    """Finished history older than this many days is cleared each night; 0 keeps all of it."""
    row = await JobSetting.select(JobSetting.value).where(JobSetting.name == HISTORY_DAYS).first()
    return int(row["value"]) if row else 0


async def set_history_days(days: int) -> None:
    await _set(HISTORY_DAYS, days)
