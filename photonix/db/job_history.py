"""What happened to the work, as lists: failures grouped by cause, a group's photos, the run history.

Failures are the latest run of a (photo, step) in state failed (is_latest: no newer version),
grouped by step, error kind and reason (the error without the file it names). Lists page by keyset on
the run id, newest first, never OFFSET. Permission is the caller's: these lists are for admins. One
photo's tries are in photo_timeline.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from photonix.db.stepruns import LATEST
from photonix.db.tables import Photo, PhotoFile, StepRun
from photonix.errors import PhotonixError

GROUPS_SHOWN = 100        # the largest groups; 40 distinct causes is already a bad day
SAMPLES_PER_GROUP = 6     # thumbnails beside a group
PAGE_SIZE = 50
# Kinds we write ourselves besides the PhotonixError classes: not internal errors.
RECORD_KINDS = frozenset({"Upstream", "Cancelled", "Lost"})

RUN_COLUMNS = ", ".join(f"step_run.{column}" for column in (
    "id", "photo", "step", "version", "state", "tries", "worker", "error", "error_kind", "queued_at",
    "started_at", "finished_at", "duration_ms"))


def is_internal(error_kind: str) -> bool:
    """A bug rather than a file's or the machine's fault: the kind is no PhotonixError of ours."""
    return bool(error_kind) and error_kind not in RECORD_KINDS and error_kind not in _photonix_error_names()


def _photonix_error_names() -> set[str]:
    names, pending = set(), [PhotonixError]
    while pending:
        kind = pending.pop()
        names.add(kind.__name__)
        pending.extend(kind.__subclasses__())
    return names


def _as_datetime(value: Any) -> datetime | None:
    """A timestamp as the engines return it: a datetime, or on SQLite the text of an aggregate (MIN/MAX)."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def file_name(path: str) -> str:
    """The original's file name, without the server folder it lies in."""
    return str(path).replace("\\", "/").rsplit("/", 1)[-1]


class _Where:
    """A where-clause built from optional parts, with its arguments in placeholder order."""

    def __init__(self, *clauses: str) -> None:
        self.clauses = list(clauses)
        self.args: list[Any] = []

    def add(self, clause: str, *args: Any) -> None:
        self.clauses.append(clause)
        self.args.extend(args)

    def sql(self) -> str:
        return " AND ".join(self.clauses) or "TRUE"


def _of_library(where: _Where, library_id: int | None) -> None:
    if library_id is not None:
        where.add("step_run.library = {}", library_id)   # the run carries its photo's library


# --- failures -------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class FailureFilter:
    """Which failures: of one library, one step, finished inside [since, until)."""

    library_id: int | None = None
    step: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def where(self) -> _Where:
        where = _Where("step_run.state = 'failed'", LATEST)
        if self.step:
            where.add("step_run.step = {}", self.step)
        _of_library(where, self.library_id)
        if self.since is not None:
            where.add("step_run.finished_at >= {}", self.since)
        if self.until is not None:
            where.add("step_run.finished_at < {}", self.until)
        return where


@dataclass(frozen=True, slots=True)
class GroupKey:
    """One cause of failure: the step, the error's kind, and its reason."""

    step: str
    error_kind: str
    reason: str

    def narrow(self, where: _Where) -> _Where:
        where.add("step_run.step = {} AND step_run.error_kind = {} AND step_run.reason = {}",
                  self.step, self.error_kind, self.reason)
        return where

    @property
    def is_internal(self) -> bool:
        return is_internal(self.error_kind)


@dataclass(frozen=True, slots=True)
class PhotoRef:
    """A photo shown as a thumbnail, or by its file name while it has none (it failed before thumbnails)."""

    photo_id: int
    file_name: str
    has_thumbnail: bool


@dataclass(frozen=True, slots=True)
class FailureGroup:
    key: GroupKey
    count: int
    first_seen: datetime | None
    last_seen: datetime | None
    samples: tuple[PhotoRef, ...]


async def failure_groups(chosen: FailureFilter = FailureFilter(), limit: int = GROUPS_SHOWN,
                         samples: int = SAMPLES_PER_GROUP) -> list[FailureGroup]:
    """The causes of failure, most photos first, each with a few of its photos (the latest failures)."""
    where = chosen.where()
    rows = await StepRun.raw(
        "SELECT step_run.step, step_run.error_kind, step_run.reason, COUNT(*) AS n, "
        "MIN(step_run.finished_at) AS first_seen, MAX(step_run.finished_at) AS last_seen "
        f"FROM step_run WHERE {where.sql()} "
        "GROUP BY step_run.step, step_run.error_kind, step_run.reason "
        f"ORDER BY n DESC, last_seen DESC LIMIT {int(limit)}", *where.args)
    keys = [GroupKey(row["step"], row["error_kind"], row["reason"]) for row in rows]
    sampled = await _samples(chosen, keys, samples)
    return [FailureGroup(key, int(row["n"]), _as_datetime(row["first_seen"]), _as_datetime(row["last_seen"]),
                         tuple(sampled.get(index, ())))
            for index, (key, row) in enumerate(zip(keys, rows, strict=True))]


async def _samples(chosen: FailureFilter, keys: list[GroupKey], limit: int) -> dict[int, list[PhotoRef]]:
    """group index -> its latest failed photos, for every group in one statement (one index range each)."""
    if not keys or limit < 1:
        return {}
    branches, args = [], []
    for index, key in enumerate(keys):
        where = key.narrow(chosen.where())
        branches.append(f"SELECT {index} AS g, photo FROM (SELECT step_run.photo FROM step_run "
                        f"WHERE {where.sql()} ORDER BY step_run.id DESC LIMIT {int(limit)}) AS s{index}")
        args.extend(where.args)
    rows = await StepRun.raw(" UNION ALL ".join(branches), *args)
    refs = await photo_refs([int(row["photo"]) for row in rows])
    grouped: dict[int, list[PhotoRef]] = {}
    for row in rows:
        grouped.setdefault(int(row["g"]), []).append(refs[int(row["photo"])])
    return grouped


async def photo_refs(photo_ids: Sequence[int]) -> dict[int, PhotoRef]:
    """photo id -> its file name and whether it has a square thumbnail."""
    if not photo_ids:
        return {}
    unique = sorted(set(photo_ids))
    names = await Photo.select(Photo.id, Photo.original_path, Photo.original_name).where(
        Photo.id.is_in(unique))
    thumbs = await PhotoFile.select(PhotoFile.photo).where(
        PhotoFile.photo.is_in(unique) & (PhotoFile.kind == "thumbnail")
        & (PhotoFile.size_name == "square"))
    with_thumbnail = {row["photo"] for row in thumbs}
    return {row["id"]: PhotoRef(row["id"], row["original_name"] or file_name(row["original_path"]),
                                row["id"] in with_thumbnail) for row in names}


@dataclass(frozen=True, slots=True)
class FailedPhoto:
    run_id: int
    photo: PhotoRef
    error: str                  # this photo's own sentence (it names the file)
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class GroupPage:
    """A page of one group's photos (newest failure first), and where the next page starts."""

    key: GroupKey
    count: int
    photos: list[FailedPhoto]
    next_before: int | None     # a run id: the next page holds the runs below it
    traceback: str              # of the group's latest run, for internal errors only


async def group_page(key: GroupKey, chosen: FailureFilter = FailureFilter(), before: int | None = None,
                     limit: int = PAGE_SIZE) -> GroupPage:
    where = key.narrow(chosen.where())
    counted = await StepRun.raw(f"SELECT COUNT(*) AS n FROM step_run WHERE {where.sql()}", *where.args)
    if before is not None:
        where.add("step_run.id < {}", before)
    rows = await StepRun.raw(
        "SELECT step_run.id, step_run.photo, step_run.error, step_run.finished_at FROM step_run "
        f"WHERE {where.sql()} ORDER BY step_run.id DESC LIMIT {int(limit) + 1}", *where.args)
    more = len(rows) > limit
    rows = rows[:limit]
    refs = await photo_refs([row["photo"] for row in rows])
    photos = [FailedPhoto(row["id"], refs[row["photo"]], row["error"], _as_datetime(row["finished_at"]))
              for row in rows]
    return GroupPage(key, int(counted[0]["n"]), photos, photos[-1].run_id if more and photos else None,
                     await _latest_traceback(key, chosen) if key.is_internal else "")


async def group_photo_ids(key: GroupKey, chosen: FailureFilter = FailureFilter()) -> list[int]:
    """Every photo of one group, newest failure first: what retrying the group touches (POST /jobs/retry
    sends the group's step, error_kind and reason)."""
    where = key.narrow(chosen.where())
    rows = await StepRun.raw(
        f"SELECT step_run.photo FROM step_run WHERE {where.sql()} ORDER BY step_run.id DESC", *where.args)
    return [int(row["photo"]) for row in rows]


async def _latest_traceback(key: GroupKey, chosen: FailureFilter) -> str:
    where = key.narrow(chosen.where())
    rows = await StepRun.raw(
        f"SELECT step_run.traceback FROM step_run WHERE {where.sql()} AND step_run.traceback <> '' "
        "ORDER BY step_run.id DESC LIMIT 1", *where.args)
    return str(rows[0]["traceback"]) if rows else ""


# --- history --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """Which runs: by state, step, library, photo, queued inside [since, until), error text containing."""

    state: str | None = None
    step: str | None = None
    library_id: int | None = None
    photo_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None

    def where(self) -> _Where:
        where = _Where()
        if self.state:
            where.add("step_run.state = {}", self.state)
        if self.step:
            where.add("step_run.step = {}", self.step)
        if self.photo_id is not None:
            where.add("step_run.photo = {}", self.photo_id)
        _of_library(where, self.library_id)
        if self.since is not None:
            where.add("step_run.queued_at >= {}", self.since)
        if self.until is not None:
            where.add("step_run.queued_at < {}", self.until)
        if self.text:
            where.add("LOWER(step_run.error) LIKE {} ESCAPE '\\'", f"%{_like_escaped(self.text.lower())}%")
        return where


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True, slots=True)
class HistoryRow:
    run_id: int
    photo_id: int
    library_id: int
    file_name: str
    step: str
    version: int
    state: str
    tries: int
    worker: str
    error: str
    error_kind: str
    queued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None


@dataclass(frozen=True, slots=True)
class HistoryPage:
    rows: list[HistoryRow]
    next_before: int | None     # a run id: the next (older) page holds the runs below it


async def history_page(chosen: HistoryFilter = HistoryFilter(), before: int | None = None,
                       limit: int = PAGE_SIZE) -> HistoryPage:
    """Runs newest first (by id: the order they were queued in), a page at a time."""
    where = chosen.where()
    if before is not None:
        where.add("step_run.id < {}", before)
    # LEFT JOIN: SQLite then keeps step_run outside and walks it by id, stopping after a page.
    rows = await StepRun.raw(
        f"SELECT {RUN_COLUMNS}, p.original_path, p.original_name, p.library FROM step_run "
        f"LEFT JOIN photo p ON p.id = step_run.photo WHERE {where.sql()} "
        f"ORDER BY step_run.id DESC LIMIT {int(limit) + 1}", *where.args)
    more = len(rows) > limit
    page = [HistoryRow(
        run_id=row["id"], photo_id=row["photo"], library_id=row["library"],
        file_name=row["original_name"] or file_name(row["original_path"]), step=row["step"],
        version=row["version"],
        state=row["state"],
        tries=row["tries"], worker=row["worker"], error=row["error"], error_kind=row["error_kind"],
        queued_at=_as_datetime(row["queued_at"]), started_at=_as_datetime(row["started_at"]),
        finished_at=_as_datetime(row["finished_at"]), duration_ms=row["duration_ms"],
    ) for row in rows[:limit]]
    return HistoryPage(page, page[-1].run_id if more and page else None)
