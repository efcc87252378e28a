"""The job lists' filter forms: GET parameters as typed filters, with a sentence for each one that is wrong.

The forms are plain GET forms, so an empty field arrives as "" and means no filter. Times are UTC: a
date alone means the whole day (`until` 2026-11-30 takes in the 30th)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from photonix.db import job_history
from photonix.db.step_states import StepState
from photonix.web.params import parse_id

MAX_TEXT = 200
FAILURE_FIELDS = ("library", "step", "since", "until")
HISTORY_FIELDS = ("state", "step", "library", "photo", "since", "until", "q")


@dataclass
class ParsedFilters:
    """What the form said (kept to fill it again), what it means, and why a field was refused."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    library_id: int | None = None
    step: str | None = None
    state: str | None = None
    photo_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None

    def failures(self) -> job_history.FailureFilter:
        return job_history.FailureFilter(library_id=self.library_id, step=self.step, since=self.since,
                                         until=self.until)

    def history(self) -> job_history.HistoryFilter:
        return job_history.HistoryFilter(state=self.state, step=self.step, library_id=self.library_id,
                                         photo_id=self.photo_id, since=self.since, until=self.until,
                                         text=self.text)


def parse_time(raw: str, *, is_end: bool) -> datetime | None:
    """A date (the day's start, or for an end the next day's) or a date and time, in UTC; None if neither."""
    try:
        if len(raw) == 10:
            day = datetime.fromisoformat(raw).replace(tzinfo=UTC)
            return day + timedelta(days=1) if is_end else day
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_filters(params: Mapping[str, str], names: tuple[str, ...], steps: list[str],
                  library_ids: set[int]) -> ParsedFilters:
    """The named filters from the query string; an unknown library, step or state is an error, not
    silently no filter."""
    values = {name: (params.get(name) or "").strip() for name in names}
    parsed = ParsedFilters(values={name: value for name, value in values.items() if value})
    raw = parsed.values
    if "library" in raw:
        parsed.library_id = parse_id(raw["library"])
        if parsed.library_id not in library_ids:
            parsed.errors["library"] = "Choose a library from the list."
    if "step" in raw:
        parsed.step = raw["step"]
        if parsed.step not in steps:
            parsed.errors["step"] = "Choose a step from the list."
    if "state" in raw:
        parsed.state = raw["state"]
        if parsed.state not in tuple(StepState):
            parsed.errors["state"] = "Choose a state from the list."
    if "photo" in raw:
        parsed.photo_id = parse_id(raw["photo"])
        if parsed.photo_id is None:
            parsed.errors["photo"] = "A photo is named by its number, e.g. 1234."
    for name in ("since", "until"):
        if name in raw:
            moment = parse_time(raw[name], is_end=name == "until")
            if moment is None:
                parsed.errors[name] = "Give a date like 2026-11-30, or a date and a time."
            setattr(parsed, name, moment)
    if parsed.since and parsed.until and parsed.since >= parsed.until:
        parsed.errors["until"] = "The end comes before the start."
    if "q" in raw:
        parsed.text = raw["q"][:MAX_TEXT]
    return parsed
