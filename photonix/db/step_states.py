"""StepState, where a run of a photo's step stands: the one list of states the record, the tallies and
the status share."""

from __future__ import annotations

from enum import StrEnum


class StepState(StrEnum):
    """Where a run of a photo's step stands (step_run.state). A StrEnum, so it compares and hashes like
    the text the record holds."""

    QUEUED = "queued"
    RUNNING = "running"
    RETRYING = "retrying"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


UNFINISHED_STATES = frozenset({StepState.QUEUED, StepState.RUNNING, StepState.RETRYING})
FINAL_STATES = frozenset({StepState.DONE, StepState.SKIPPED, StepState.FAILED})
SUCCESS_STATES = frozenset({StepState.DONE, StepState.SKIPPED})
