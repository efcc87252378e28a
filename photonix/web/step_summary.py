"""What the photo page says of its processing: "6/6 ok" once all went well, "1 failed, 3 not run, 2 ok"
when a step failed (the steps after it never run), and which step failed, for the missing preview."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

IN_PROGRESS = frozenset({"queued", "running", "retrying"})
UPSTREAM = "Upstream"       # the error_kind of a step skipped because an earlier one failed (db/stepruns)


class StepState(Protocol):
    @property
    def step(self) -> str: ...

    @property
    def state(self) -> str: ...

    @property
    def error_kind(self) -> str: ...


def _not_run(run: StepState) -> bool:
    return run.state == "skipped" and run.error_kind == UPSTREAM


def processing_summary(steps: Sequence[StepState]) -> str:
    """The Processing section's title after "Processing ·": counts of what ran, not a ratio that calls
    the steps a failure kept from running "not ok"."""
    failed = sum(run.state == "failed" for run in steps)
    not_run = sum(_not_run(run) for run in steps)
    to_go = sum(run.state in IN_PROGRESS for run in steps)
    ok = len(steps) - failed - not_run - to_go
    if not (failed or not_run):
        return f"{ok}/{len(steps)} ok" + (f", {to_go} to go" if to_go else "")
    parts = [f"{failed} failed" if failed else "", f"{not_run} not run" if not_run else "",
             f"{to_go} to go" if to_go else "", f"{ok} ok" if ok else ""]
    return ", ".join(part for part in parts if part)


Run = TypeVar("Run", bound=StepState)


def first_failure(steps: Sequence[Run]) -> Run | None:
    """The first failed step in pipeline order: the one the preview waited for when it never came."""
    return next((run for run in steps if run.state == "failed"), None)
