"""One photo's processing record: every run of every step and version, each with the tries it took.

Permission is the caller's: members of the photo's library (photo_reads.photo_access) see its timeline;
tracebacks name server paths, so only admins get them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from photonix.db.tables import StepRun, StepTry


@dataclass(frozen=True, slots=True)
class TryRecord:
    try_number: int
    worker: str
    state: str
    error: str
    error_kind: str
    traceback: str              # empty unless asked for (admins)
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One step at one version: its current state, and every try it took (none while queued, or skipped)."""

    run_id: int
    step: str
    version: int
    state: str
    worker: str
    error: str
    error_kind: str
    queued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None
    tries: tuple[TryRecord, ...]


@dataclass(frozen=True, slots=True)
class PhotoTimeline:
    """Every run of every step and version of one photo: newest version first, steps in pipeline order."""

    photo_id: int
    runs: tuple[RunRecord, ...]

    @property
    def latest(self) -> list[RunRecord]:
        """The latest version's run of each step: what the photo's processing looks like now."""
        newest: dict[str, RunRecord] = {}
        for run in self.runs:
            if run.step not in newest or run.version > newest[run.step].version:
                newest[run.step] = run
        return list(newest.values())

    @property
    def versions(self) -> list[tuple[int, list[RunRecord]]]:
        grouped: dict[int, list[RunRecord]] = {}
        for run in self.runs:
            grouped.setdefault(run.version, []).append(run)
        return list(grouped.items())


async def photo_timeline(photo_id: int, step_order: Sequence[str] = (), *,
                         with_tracebacks: bool = False) -> PhotoTimeline:
    """The photo's runs and tries; `step_order` (the pipeline's) orders the steps of a version, unknown
    steps last. Tracebacks name server paths: only admins ask for them."""
    runs = await StepRun.select(
        StepRun.id, StepRun.step, StepRun.version, StepRun.state, StepRun.worker, StepRun.error,
        StepRun.error_kind, StepRun.queued_at, StepRun.started_at, StepRun.finished_at, StepRun.duration_ms,
    ).where(StepRun.photo == photo_id)
    tries = await StepTry.select().where(StepTry.photo == photo_id).order_by(StepTry.try_number)
    by_run: dict[int, list[TryRecord]] = {}
    for row in tries:
        by_run.setdefault(row["step_run"], []).append(TryRecord(
            row["try_number"], row["worker"], row["state"], row["error"], row["error_kind"],
            row["traceback"] if with_tracebacks else "", row["started_at"], row["finished_at"],
            row["duration_ms"]))
    order = {name: index for index, name in enumerate(step_order)}
    runs.sort(key=lambda run: (-run["version"], order.get(run["step"], len(order)), run["step"]))
    return PhotoTimeline(photo_id, tuple(RunRecord(
        run_id=run["id"], step=run["step"], version=run["version"], state=run["state"], worker=run["worker"],
        error=run["error"], error_kind=run["error_kind"], queued_at=run["queued_at"],
        started_at=run["started_at"], finished_at=run["finished_at"], duration_ms=run["duration_ms"],
        tries=tuple(by_run.get(run["id"], ())),
    ) for run in runs))
