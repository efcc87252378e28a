"""StepRun rows: queue, claim and finish one step of one photo at one version; recent failures.

The dashboard's counts are in step_tally.py (kept by triggers)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from photonix.db.step_states import FINAL_STATES
from photonix.db.tables import Photo, StepRun, StepTry
from photonix.errors import StepRunMissing
from photonix.media.failures import failure_reason, without_directories

# The latest version of each (photo, step): what the photo's step looks like now (triggers keep the flag).
LATEST = "step_run.is_latest"


@dataclass(frozen=True, slots=True)
class StepRecord:
    """One step's record, as the API and dashboard show it."""

    photo_id: int
    step: str
    version: int
    state: str
    tries: int
    error: str
    error_kind: str
    duration_ms: int | None
    started_at: datetime | None
    finished_at: datetime | None


def _now() -> datetime:
    return datetime.now(UTC)


def _record(row: dict[str, object]) -> StepRecord:
    return StepRecord(
        photo_id=int(row["photo"]), step=str(row["step"]), version=int(row["version"]),  # type: ignore[call-overload]
        state=str(row["state"]), tries=int(row["tries"]),  # type: ignore[call-overload]
        error=without_directories(str(row["error"])),      # rows written before errors were cleaned too
        error_kind=str(row["error_kind"]), duration_ms=row["duration_ms"],  # type: ignore[arg-type]
        started_at=row["started_at"], finished_at=row["finished_at"],  # type: ignore[arg-type]
    )


async def mark_queued(photo_id: int, version: int, steps: Iterable[str], job_ids: dict[str, str],
                      step_versions: dict[str, int] | None = None) -> None:
    """Create the queued rows for a run (each with its step's code version, 1 when not given; rows that
    already exist are left as they are); the triggers mark the steps' older runs as no longer latest."""
    versions = step_versions or {}
    library = (await _libraries_of([photo_id])).get(photo_id)
    rows = [
        StepRun(photo=photo_id, step=step, version=version, state="queued", job_id=job_ids.get(step, ""),
                queued_at=_now(), step_version=versions.get(step, 1), library=library)
        for step in steps
    ]
    if rows:
        await StepRun.insert(*rows).on_conflict(
            target=(StepRun.photo, StepRun.step, StepRun.version), action="DO NOTHING"
        )


async def _libraries_of(photo_ids: list[int], chunk: int = 500) -> dict[int, int]:
    """photo id -> its library, copied onto each run so per-library filters need no join."""
    libraries: dict[int, int] = {}
    for start in range(0, len(photo_ids), chunk):
        some = photo_ids[start:start + chunk]
        rows = await Photo.select(Photo.id, Photo.library).where(Photo.id.is_in(some))
        libraries.update((int(row["id"]), int(row["library"])) for row in rows)
    return libraries


async def mark_queued_many(runs: dict[int, int], steps: list[str], job_id: Callable[[str, int, int], str],
                           step_versions: dict[str, int], chunk: int = 1000) -> None:
    """mark_queued for many photos at once: `runs` maps photo id -> the version to record the steps at.

    Plain multi-row INSERTs: building a Piccolo object per row cost four times the database's work."""
    now = _now()
    libraries = await _libraries_of(list(runs))
    rows = [(photo_id, step, version, "queued", job_id(step, photo_id, version), now,
             step_versions.get(step, 1), libraries.get(photo_id))
            for photo_id, version in runs.items() for step in steps]
    for start in range(0, len(rows), chunk):
        some = rows[start:start + chunk]
        values = ", ".join(["({}, {}, {}, {}, {}, {}, {}, {})"] * len(some))
        await StepRun.raw(
            "INSERT INTO step_run (photo, step, version, state, job_id, queued_at, step_version, library) "
            f"VALUES {values} ON CONFLICT (photo, step, version) DO NOTHING",
            *[value for row in some for value in row])


LOST_TRY = "the try ended without an outcome (its worker stopped); the next try took over"
LATE_TRY = ("its worker finished it after being taken over (silent past the heartbeat window); "
            "the step was released to another try, so this result did not count")
LATE = "Late"


@dataclass(frozen=True, slots=True)
class Claim:
    """The try a worker holds on a step run: its outcome counts only while the run is still this try's
    (running, on this worker, at this try), not after a takeover released it to another."""

    run_id: int
    try_id: int
    worker: str
    attempt: int


async def claim(photo_id: int, step: str, version: int, job_id: str, attempt: int, worker: str = ""
                ) -> Claim | None:
    """Mark the step running and open its next try; None when it already finished (a duplicate delivery
    runs nothing).

    Every job is enqueued after mark_queued recorded it, so a missing row is a bug (or a photo deleted
    meanwhile): StepRunMissing, never "already finished"."""
    started = _now()
    claimed = await StepRun.update(
        {StepRun.state: "running", StepRun.tries: attempt, StepRun.job_id: job_id, StepRun.worker: worker,
         StepRun.started_at: started, StepRun.error: "", StepRun.error_kind: "", StepRun.reason: ""}
    ).where(
        (StepRun.photo == photo_id) & (StepRun.step == step) & (StepRun.version == version)
        & StepRun.state.not_in(list(FINAL_STATES))
    ).returning(StepRun.id)
    if claimed:
        run_id = int(claimed[0]["id"])
        try_id = await _open_try(run_id, photo_id, step, version, worker, started)
        return Claim(run_id, try_id, worker, attempt)
    exists = await StepRun.exists().where(
        (StepRun.photo == photo_id) & (StepRun.step == step) & (StepRun.version == version)
    )
    if not exists:
        raise StepRunMissing(f"no record of step {step} for photo {photo_id} at version {version}")
    return None


async def _open_try(run_id: int, photo_id: int, step: str, version: int, worker: str,
                    started: datetime) -> int:
    """A try row for the claim just made, numbered after the run's earlier tries (a retried run keeps
    counting); an earlier try still open lost its worker, and is closed as such. Returns its id."""
    await StepTry.update(
        {StepTry.state: "lost", StepTry.error: LOST_TRY, StepTry.error_kind: "Lost",
         StepTry.finished_at: started}
    ).where((StepTry.step_run == run_id) & StepTry.finished_at.is_null())
    earlier = await StepTry.count().where(StepTry.step_run == run_id)
    opened = await StepTry.insert(StepTry(step_run=run_id, photo=photo_id, step=step, version=version,
                                          try_number=earlier + 1, worker=worker, state="running",
                                          started_at=started)).returning(StepTry.id)
    return int(opened[0]["id"])


async def finish(
    photo_id: int, step: str, version: int, state: str, *, error: str = "", error_kind: str = "",
    traceback: str = "", duration_ms: int | None = None, held: Claim | None = None,
) -> bool:
    """Record a step's outcome, on the run and on its open try; its error text (shown to members) never
    names a server folder.

    With `held` (what a worker's claim returned), only while the run is still that try's: a worker that
    was taken over and then finished anyway (it had been stopped or starved, not dead) must not
    overwrite the try that replaced it. Its try is then closed as late, and False returned."""
    shown = without_directories(error)
    now = _now()
    where = (StepRun.photo == photo_id) & (StepRun.step == step) & (StepRun.version == version)
    if held is not None:
        # Conditions on the run's own row, so a concurrent claim (which rewrites it) is seen by this update.
        where &= ((StepRun.id == held.run_id) & (StepRun.state == "running") & (StepRun.worker == held.worker)
                  & (StepRun.tries == held.attempt))
    finished = await StepRun.update(
        {StepRun.state: state, StepRun.error: shown, StepRun.error_kind: error_kind,
         StepRun.reason: failure_reason(shown), StepRun.traceback: traceback,
         StepRun.duration_ms: duration_ms,
         StepRun.finished_at: None if state == "retrying" else now}
    ).where(where).returning(StepRun.id)
    if not finished:
        if held is not None:
            await StepTry.update(
                {StepTry.state: "lost", StepTry.error: f"{LATE_TRY} (it ended {state})",
                 StepTry.error_kind: LATE, StepTry.duration_ms: duration_ms, StepTry.finished_at: now}
            ).where(StepTry.id == held.try_id)
        return False
    tries = StepTry.step_run == finished[0]["id"]
    tries &= (StepTry.id == held.try_id) if held is not None else StepTry.finished_at.is_null()
    await StepTry.update(
        {StepTry.state: state, StepTry.error: shown, StepTry.error_kind: error_kind,
         StepTry.traceback: traceback, StepTry.duration_ms: duration_ms, StepTry.finished_at: now}
    ).where(tries)
    return True


async def skip_waiting(photo_id: int, version: int, steps: Iterable[str], reason: str) -> None:
    """Steps that will not run because an earlier one failed: skipped, with that reason."""
    names = list(steps)
    if names:
        await StepRun.update(
            {StepRun.state: "skipped", StepRun.error: reason, StepRun.error_kind: "Upstream",
             StepRun.reason: failure_reason(reason), StepRun.finished_at: _now()}
        ).where(
            (StepRun.photo == photo_id) & (StepRun.version == version) & StepRun.step.is_in(names)
            & (StepRun.state == "queued")
        )


async def states_at(photo_id: int, version: int) -> dict[str, str]:
    rows = await StepRun.select(StepRun.step, StepRun.state).where(
        (StepRun.photo == photo_id) & (StepRun.version == version)
    )
    return {row["step"]: row["state"] for row in rows}


async def current_steps(photo_id: int) -> list[StepRecord]:
    """The latest run of every step of one photo."""
    rows = await StepRun.select(*StepRun.all_columns()).where(StepRun.photo == photo_id).order_by(StepRun.id)
    latest: dict[str, StepRecord] = {}
    for row in rows:
        state = _record(row)
        if state.step not in latest or state.version >= latest[state.step].version:
            latest[state.step] = state
    return list(latest.values())


def _of_user(user_id: int | None) -> str:
    """SQL restricting step runs to the photos of a user's libraries (None: every photo).

    The run carries its photo's library, so this tests it against the user's few libraries: the planner
    starts from the state indexes (few unfinished or failed rows) and reads no photo row."""
    if user_id is None:
        return ""
    return f' AND step_run.library IN (SELECT m.library FROM membership m WHERE m."user" = {int(user_id)})'


async def recent_failures(limit: int = 50, user_id: int | None = None) -> list[StepRecord]:
    rows = await StepRun.raw(
        f"SELECT * FROM step_run WHERE state = 'failed' AND {LATEST}{_of_user(user_id)} "
        f"ORDER BY finished_at DESC LIMIT {int(limit)}"
    )
    return [_record(row) for row in rows]


async def mean_durations() -> dict[str, float]:
    """step -> mean seconds of its finished runs."""
    rows = await StepRun.raw(
        "SELECT step, AVG(duration_ms) AS ms FROM step_run WHERE state IN ('done', 'failed') "
        "AND duration_ms IS NOT NULL GROUP BY step"
    )
    return {row["step"]: float(row["ms"] or 0) / 1000 for row in rows}


async def delete_runs(run_ids: Iterable[int]) -> int:
    """Delete step runs, and with them (ON DELETE CASCADE) their tries; how many runs there were."""
    ids = [int(run_id) for run_id in run_ids]
    if not ids:
        return 0
    deleted = await StepRun.delete().where(StepRun.id.is_in(ids)).returning(StepRun.id)
    return len(deleted)
