"""Unfinished step runs, set-based: which may run next, and which a lost worker left running.

Recovery, takeover and the stuck-work sweep work on thousands of photos at once, so each question here
is one or two queries over all of them, never one per photo."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from piccolo.custom_types import Combinable

from photonix.db.tables import StepRun

UNFINISHED = ("queued", "running", "retrying")
CHUNK = 500                                   # ids per IN (...) list
_STEP_NAME = re.compile(r"^[A-Za-z0-9_.@-]+$")


@dataclass(frozen=True, slots=True)
class WaitingStep:
    """An unfinished step whose turn it is: every step of the links before it succeeded."""

    photo_id: int
    version: int
    step: str


@dataclass(frozen=True, slots=True)
class RunningStep:
    photo_id: int
    step: str
    version: int
    job_id: str
    tries: int
    started_at: datetime | None


def _in_list(values: Collection[int]) -> str:
    return ", ".join(str(int(value)) for value in values)


# A pause holds this step back: its record waits, queued, and resuming enqueues it (jobs/pausing.py).
PAUSED_STEP = ("SELECT 1 FROM job_pause p WHERE p.scope = 'global' OR (p.scope = 'step' AND p.step = o.step) "
               "OR (p.scope = 'library' AND p.library = (SELECT library FROM photo WHERE id = o.photo))")


def _link(link_of: Mapping[str, int], alias: str) -> str:
    """SQL for the index of a step's link in the pipeline (NULL for a step outside it)."""
    return f"CASE {alias}.step " + " ".join(f"WHEN {_quoted([name])} THEN {int(index)}"
                                            for name, index in link_of.items()) + " END"


def _quoted(names: Collection[str]) -> str:
    for name in names:
        if not _STEP_NAME.match(name):
            raise ValueError(f"not a step name: {name!r}")
    return ", ".join(f"'{name}'" for name in names)


async def waiting_steps(link_of: Mapping[str, int], photo_ids: Collection[int] | None = None
                        ) -> list[WaitingStep]:
    """At every photo version with an unfinished step: the unfinished steps of its earliest link that
    has one, unless a step of an earlier link failed (those after it are skipped, not run), or a pause
    holds the step back.

    `link_of` maps each pipeline step to its link's index; steps outside the pipeline are ignored."""
    if photo_ids is not None and not photo_ids:
        return []
    unfinished = _quoted(UNFINISHED)
    only = f" AND photo IN ({_in_list(photo_ids)})" if photo_ids is not None else ""
    # From the unfinished rows alone (the state index finds them): the earliest link with one, per photo
    # version, and the earliest failed link of the versions with a failure; each worked out once.
    rows = await StepRun.raw(
        f"WITH open_step AS MATERIALIZED (SELECT photo, version, step, {_link(link_of, 'step_run')} AS link "
        f"  FROM step_run WHERE state IN ({unfinished}){only}), "
        f"next_link AS MATERIALIZED (SELECT photo, version, MIN(link) AS link FROM open_step "
        f"  GROUP BY photo, version), "
        f"failed_link AS MATERIALIZED (SELECT photo, version, MIN({_link(link_of, 'step_run')}) AS link "
        f"  FROM step_run WHERE state = 'failed'{only} GROUP BY photo, version) "
        f"SELECT o.photo, o.version, o.step "
        f"FROM open_step o JOIN next_link n ON n.photo = o.photo AND n.version = o.version "
        f"  AND n.link = o.link "
        f"LEFT JOIN failed_link f ON f.photo = o.photo AND f.version = o.version "
        f"WHERE (f.link IS NULL OR f.link >= n.link) AND NOT EXISTS ({PAUSED_STEP})"
    )
    return [WaitingStep(int(row["photo"]), int(row["version"]), str(row["step"])) for row in rows]


async def skip_after_failures(link_of: Mapping[str, int], photo_ids: Collection[int] | None = None) -> int:
    """Queued steps that can never run because a step of an earlier link failed, skipped with that reason
    (what flow.advance does after a failure, when the worker stopped before it could); how many."""
    if photo_ids is not None and not photo_ids:
        return 0

    earlier_failure = (f"FROM step_run f WHERE f.photo = step_run.photo AND f.version = step_run.version "
                       f"AND f.state = 'failed' AND {_link(link_of, 'f')} < {_link(link_of, 'step_run')}")
    only = f" AND photo IN ({_in_list(photo_ids)})" if photo_ids is not None else ""
    # Only photos with a failed step can have one (the state index finds those few first).
    rows = await StepRun.raw(
        f"UPDATE step_run SET state = 'skipped', error_kind = 'Upstream', finished_at = {{}}, "
        f"error = 'not run: ' || (SELECT MIN(f.step) {earlier_failure}) || ' failed' "
        f"WHERE state = 'queued'{only} AND photo IN (SELECT photo FROM step_run WHERE state = 'failed') "
        f"AND EXISTS (SELECT 1 {earlier_failure}) RETURNING id",
        datetime.now(UTC))
    return len(rows or [])


async def running_steps(started_before: datetime | None = None, worker: str | None = None
                        ) -> list[RunningStep]:
    """Steps the record says are running (started before a time, on a worker, if given)."""
    where: Combinable = StepRun.state == "running"
    if started_before is not None:
        where &= StepRun.started_at < started_before
    if worker is not None:
        where &= StepRun.worker == worker
    rows = await StepRun.select(StepRun.photo, StepRun.step, StepRun.version, StepRun.job_id, StepRun.tries,
                                StepRun.started_at).where(where)
    return [RunningStep(int(row["photo"]), str(row["step"]), int(row["version"]), str(row["job_id"]),
                        int(row["tries"]), row["started_at"]) for row in rows]


async def interrupt_running(job_ids: Collection[str], reason: str, error_kind: str, max_tries: int
                            ) -> tuple[list[RunningStep], list[RunningStep]]:
    """Steps of these jobs that the record still shows running, whose worker is gone: those with tries
    left become retrying, the others failed. Returns (retrying, failed); a row that finished meanwhile is
    left alone."""
    retrying: list[RunningStep] = []
    failed: list[RunningStep] = []
    ids = sorted(set(job_ids))
    now = datetime.now(UTC)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        held = (StepRun.state == "running") & StepRun.job_id.is_in(chunk)
        columns = (StepRun.photo, StepRun.step, StepRun.version, StepRun.job_id, StepRun.tries,
                   StepRun.started_at)
        gave_up = await StepRun.update(
            {StepRun.state: "failed", StepRun.error: f"gave up after {max_tries} tries: {reason}",
             StepRun.error_kind: error_kind, StepRun.finished_at: now}
        ).where(held & (StepRun.tries >= max_tries)).returning(*columns)
        again = await StepRun.update(
            {StepRun.state: "retrying", StepRun.error: reason, StepRun.error_kind: error_kind}
        ).where(held).returning(*columns)
        failed += [_running(row) for row in gave_up]
        retrying += [_running(row) for row in again]
    return retrying, failed


def _running(row: dict[str, object]) -> RunningStep:
    return RunningStep(int(row["photo"]), str(row["step"]), int(row["version"]),  # type: ignore[call-overload]
                       str(row["job_id"]), int(row["tries"]), row["started_at"])  # type: ignore[call-overload,arg-type]


def older_than(seconds: float) -> datetime:
    return datetime.now(UTC) - timedelta(seconds=seconds)
