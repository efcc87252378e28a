"""The queries behind the job actions: which runs a retry, re-run, cancel or history clearing touches,
and the writes that carry them out. Each write re-checks the state it expects, so two admins acting at
once (or a worker finishing meanwhile) never move a run twice."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from photonix.db.step_states import FINAL_STATES
from photonix.db.stepruns import LATEST
from photonix.db.tables import StepRun

CHUNK = 500
UNFINISHED = "('queued', 'running', 'retrying')"
# Skips that say nothing about the photo: it was not looked at, so "re-run missing" runs it again.
# ("turned off in settings" was a plain StepSkipped before StepDisabled existed.)
UNSEEN_SKIP = ("(s.error_kind IN ('Upstream', 'StepDisabled', 'Cancelled') "
               "OR s.error = 'turned off in settings')")


@dataclass(frozen=True, slots=True)
class FailedRun:
    """The latest run of a step of a photo, failed: what a retry sends back to the queue."""

    id: int
    photo_id: int
    step: str
    version: int
    error_kind: str


@dataclass(frozen=True, slots=True)
class RecordedRun:
    id: int
    step: str
    state: str
    error_kind: str


@dataclass(frozen=True, slots=True)
class RemovedRun:
    photo_id: int
    step: str
    version: int


def _now() -> datetime:
    return datetime.now(UTC)


def _chunks(values: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(values), CHUNK):
        yield list(values[start:start + CHUNK])


def _ids(values: Iterable[int]) -> str:
    return ", ".join(str(int(value)) for value in values)


async def failed_runs(*, photo_ids: Sequence[int] | None = None, step: str | None = None,
                      error_kind: str | None = None, reason: str | None = None, library_id: int | None = None,
                      leave_out_kinds: Iterable[str] = ()) -> list[FailedRun]:
    """The latest runs that failed, narrowed by photos, step, error kind, reason (the error without the
    file it names, step_run.reason: a failure group's key, as db/job_history.py groups them) and library;
    runs that failed with one of `leave_out_kinds` are left out."""
    sql = f"SELECT id, photo, step, version, error_kind FROM step_run WHERE state = 'failed' AND {LATEST}"
    args: list[object] = []
    for column, value in (("step", step), ("error_kind", error_kind), ("reason", reason)):
        if value is not None:
            sql += f" AND {column} = {{}}"
            args.append(value)
    if library_id is not None:
        sql += " AND photo IN (SELECT id FROM photo WHERE library = {})"
        args.append(library_id)
    left_out = sorted(set(leave_out_kinds))
    if left_out:
        sql += f" AND error_kind NOT IN ({', '.join('{}' for _ in left_out)})"
        args.extend(left_out)
    batches = [f" AND photo IN ({_ids(chunk)})" for chunk in _chunks(sorted(set(photo_ids)))] \
        if photo_ids is not None else [""]
    runs: list[FailedRun] = []
    for batch in batches:
        rows = await StepRun.raw(sql + batch + " ORDER BY photo, step", *args)
        runs.extend(FailedRun(int(r["id"]), int(r["photo"]), str(r["step"]), int(r["version"]),
                              str(r["error_kind"])) for r in rows)
    return runs


async def runs_at(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], list[RecordedRun]]:
    """(photo, version) -> every run recorded for it."""
    wanted = set(pairs)
    found: dict[tuple[int, int], list[RecordedRun]] = {pair: [] for pair in wanted}
    for chunk in _chunks(sorted({photo for photo, _ in wanted})):
        rows = await StepRun.raw(
            f"SELECT id, photo, version, step, state, error_kind FROM step_run WHERE photo IN ({_ids(chunk)})"
        )
        for r in rows:
            pair = (int(r["photo"]), int(r["version"]))
            if pair in wanted:
                found[pair].append(RecordedRun(int(r["id"]), str(r["step"]), str(r["state"]),
                                               str(r["error_kind"])))
    return found


async def requeue(run_ids: Iterable[int], from_state: str, step_version: int) -> set[int]:
    """Runs in `from_state` back to queued, tries reset, at this step version; the ids that moved.

    The error text stays until the step is claimed again, so a queued retry still says why it failed."""
    moved: set[int] = set()
    for chunk in _chunks(sorted(set(run_ids))):
        rows = await StepRun.update({
            StepRun.state: "queued", StepRun.tries: 0, StepRun.queued_at: _now(), StepRun.started_at: None,
            StepRun.finished_at: None, StepRun.duration_ms: None, StepRun.step_version: step_version,
        }).where(StepRun.id.is_in(chunk) & (StepRun.state == from_state)).returning(StepRun.id)
        moved.update(int(row["id"]) for row in rows)
    return moved


async def photos_to_rerun(step: str, step_version: int, library_id: int | None, *, missing_only: bool,
                          photo_ids: Sequence[int] | None = None) -> list[int]:
    """Photos whose `step` a re-run runs: not those with the step already on its way, and with
    missing_only, not those with a successful run at this step version either (done, or skipped for a
    reason of the photo's own, like "no GPS")."""
    satisfied = (f"s.state IN {UNFINISHED} OR (s.step_version = {{}} AND (s.state = 'done' OR "
                 f"(s.state = 'skipped' AND NOT {UNSEEN_SKIP})))") if missing_only else \
        f"s.state IN {UNFINISHED}"
    sql = (f"SELECT p.id FROM photo p WHERE NOT EXISTS (SELECT 1 FROM step_run s WHERE s.photo = p.id "
           f"AND s.step = {{}} AND ({satisfied}))")
    args: list[object] = [step, step_version] if missing_only else [step]
    if library_id is not None:
        sql += " AND p.library = {}"
        args.append(library_id)
    batches = [f" AND p.id IN ({_ids(chunk)})" for chunk in _chunks(sorted(set(photo_ids)))] \
        if photo_ids is not None else [""]
    found: list[int] = []
    for batch in batches:
        found.extend(int(row["id"]) for row in await StepRun.raw(sql + batch + " ORDER BY p.id", *args))
    return found


async def queued_photo_count(library_id: int) -> int:
    """Photos of the library with work waiting to start (what a cancel would stop)."""
    rows = await StepRun.raw(
        "SELECT COUNT(DISTINCT photo) AS n FROM step_run WHERE state IN ('queued', 'retrying') "
        "AND photo IN (SELECT id FROM photo WHERE library = {})", library_id)
    return int(rows[0]["n"])


async def cancel_queued(library_id: int, reason: str) -> list[RemovedRun]:
    """The library's runs waiting to start become skipped with this reason; running ones finish."""
    rows = await StepRun.raw(
        "UPDATE step_run SET state = 'skipped', error = {}, error_kind = 'Cancelled', finished_at = {} "
        "WHERE state IN ('queued', 'retrying') AND photo IN (SELECT id FROM photo WHERE library = {}) "
        "RETURNING photo, step, version", reason, _now(), library_id)
    return [RemovedRun(int(r["photo"]), str(r["step"]), int(r["version"])) for r in rows]


_FINISHED = ", ".join(f"'{state}'" for state in sorted(FINAL_STATES))
# Finished before the cutoff and superseded: a newer version of the same step of the same photo exists
# (step_run.is_latest is false). The latest run of each step of each photo is never cleared, however old.
_CLEARABLE = f"state IN ({_FINISHED}) AND finished_at < {{}} AND NOT is_latest"


async def clearable_history(before: datetime) -> tuple[int, int]:
    """(runs, photos) that clearing history finished before `before` would delete."""
    rows = await StepRun.raw(
        f"SELECT COUNT(*) AS runs, COUNT(DISTINCT photo) AS photos FROM step_run WHERE {_CLEARABLE}", before)
    return int(rows[0]["runs"]), int(rows[0]["photos"])


async def clear_history(before: datetime) -> int:
    """Delete the superseded runs finished before `before`; how many went."""
    rows = await StepRun.raw(f"DELETE FROM step_run WHERE {_CLEARABLE} RETURNING id", before)
    return len(rows)
