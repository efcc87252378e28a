"""Pauses of queued work, kept in the database so they survive restarts: everything, one step or one
library. A paused step's queued jobs end without running (their records stay queued) until resumed."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime

from photonix.db.tables import JobPause, StepRun


class PauseScope(enum.StrEnum):
    GLOBAL = "global"
    STEP = "step"
    LIBRARY = "library"


@dataclass(frozen=True, slots=True)
class Pause:
    """One active pause, as the header, the controls page and the API show it."""

    scope: PauseScope
    step: str                    # scope "step": the step; else ""
    library_id: int | None       # scope "library": the library; else None
    library_name: str            # scope "library": its name; else ""
    created_by: str
    created_at: datetime

    @property
    def label(self) -> str:
        """'everything', 'classify_color' or 'library Family': what is paused, in a sentence's words."""
        if self.scope is PauseScope.STEP:
            return self.step
        if self.scope is PauseScope.LIBRARY:
            return f"library {self.library_name}"
        return "everything"


@dataclass(frozen=True, slots=True)
class PauseTarget:
    """What to pause or resume: a scope, with its step or library."""

    scope: PauseScope
    step: str = ""
    library_id: int | None = None


async def active_pauses() -> list[Pause]:
    """Every pause in force, oldest first (the header shows "paused" when there is any)."""
    rows = await JobPause.raw(
        'SELECT jp.scope, jp.step, jp.library, jp.created_by, jp.created_at, l.name AS library_name '
        'FROM job_pause jp LEFT JOIN library l ON l.id = jp.library ORDER BY jp.created_at, jp.id'
    )
    return [Pause(PauseScope(row["scope"]), row["step"], row["library"], row["library_name"] or "",
                  row["created_by"], row["created_at"]) for row in rows]


async def pause(target: PauseTarget, created_by: str) -> bool:
    """Pause this scope; False when it was paused already (the unique index keeps one row per scope)."""
    inserted = await JobPause.raw(
        'INSERT INTO job_pause (scope, step, library, created_by, created_at) VALUES ({}, {}, {}, {}, {}) '
        'ON CONFLICT DO NOTHING RETURNING id',
        target.scope.value, target.step, target.library_id, created_by, datetime.now(UTC),
    )
    return bool(inserted)


async def resume(target: PauseTarget) -> bool:
    """Lift the pause of this scope; False when it was not paused."""
    where = (JobPause.scope == target.scope.value) & (JobPause.step == target.step)
    where &= (JobPause.library.is_null() if target.library_id is None
              else JobPause.library == target.library_id)
    deleted = await JobPause.delete().where(where).returning(JobPause.id)
    return bool(deleted)


async def resume_all() -> int:
    """Lift every pause; how many there were."""
    return len(await JobPause.delete(force=True).returning(JobPause.id))


async def is_paused(step: str, photo_id: int) -> bool:
    """Whether a pause holds this step of this photo back (one indexed query; the table is tiny)."""
    rows = await JobPause.raw(
        "SELECT 1 AS paused FROM job_pause WHERE scope = 'global' OR (scope = 'step' AND step = {}) "
        "OR (scope = 'library' AND library = (SELECT library FROM photo WHERE id = {})) LIMIT 1",
        step, photo_id,
    )
    return bool(rows)


async def waiting_photo_count(target: PauseTarget) -> int:
    """Photos with work still to run in this scope: what a pause holds back, or a resume releases."""
    sql = ("SELECT COUNT(DISTINCT photo) AS n FROM step_run "
           "WHERE state IN ('queued', 'running', 'retrying')")
    args: list[object] = []
    if target.scope is PauseScope.STEP:
        sql += " AND step = {}"
        args.append(target.step)
    elif target.scope is PauseScope.LIBRARY:
        sql += " AND photo IN (SELECT id FROM photo WHERE library = {})"
        args.append(target.library_id)
    rows = await StepRun.raw(sql, *args)
    return int(rows[0]["n"])
