"""The read model: every way of looking at photos compiles a Scope (who looks) and a PhotoFilter (what they
asked for) into one query here, and gets typed values back (db/photo_values.py).

    scope = Scope.user(viewer.id)                        # or Scope.share(link_id), .album(album_id)
    page = await tile_page(scope, PhotoFilter(favourite=True), before=Cursor.decode(raw))
    counts = await month_counts(scope, narrowed, set(page.by_month()))
    detail = await photo_detail(scope, photo_id, narrowed)      # None: answer 404
    permitted = await permitted_file(scope, photo_id, "thumbnail", "medium", settings)   # one query

A new view adds filter fields (db/photo_filter.py), never a second query."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import Any

from piccolo.querystring import QueryString

from photonix.config import Settings
from photonix.db import keyset, stepruns, tags
from photonix.db.keyset import Cursor
from photonix.db.photo_filter import MAIN_GRID, PhotoFilter
from photonix.db.photo_values import (
    ORIGINAL,
    PermittedFile,
    PhotoDetail,
    Thumbnail,
    Tile,
    TilePage,
    file_name_of,
    month_span,
)
from photonix.db.scope import Scope
from photonix.db.tables import Photo
from photonix.media.contained import FileRoots

PAGE_SIZE = 120
MAX_PAGE_SIZE = 500
NEWEST_FIRST = ' ORDER BY "photo"."sort_at" DESC, "photo"."id" DESC'
OLDEST_FIRST = ' ORDER BY "photo"."sort_at" ASC, "photo"."id" ASC'

# The tile's shape comes from its medium thumbnail (orientation applied), its badge from the trigger-kept
# photo_progress row, its heart from the viewer's own favourites: one statement for the whole page.
TILE_SELECT = (
    'SELECT "photo"."id", "photo"."library", "photo"."sort_at", "photo"."taken_at", "photo"."rating", '
    '"photo"."width", "photo"."height", "photo"."orientation", "photo"."format", {} AS favourite, '
    '"photo"."camera_make", "photo"."camera_model", f.width AS thumb_width, f.height AS thumb_height, '
    'f.id AS thumb_id, pp.failed AS failed_steps, pp.unfinished AS unfinished_steps, '
    # A tile without a picture names its file and, when failed, its first failed step: a subquery run
    # for those rows alone (the step_run photo index), so a page of finished photos pays nothing.
    'CASE WHEN f.id IS NULL THEN COALESCE("photo"."original_name", "photo"."original_path") END '
    'AS shown_name, '
    "CASE WHEN pp.failed > 0 THEN (SELECT s.step FROM step_run s WHERE s.photo = \"photo\".\"id\" "
    "AND s.state = 'failed' AND s.is_latest ORDER BY s.id LIMIT 1) END AS failed_step FROM photo "
    "LEFT JOIN photo_file f ON f.photo = \"photo\".\"id\" AND f.kind = 'thumbnail' "
    "AND f.size_name = 'medium' "
    'LEFT JOIN photo_progress pp ON pp.photo = "photo"."id" WHERE {}')


def compiled(scope: Scope, narrowed: PhotoFilter = MAIN_GRID) -> QueryString:
    """The where-clause on "photo" for what this viewer sees of this filter."""
    if narrowed.album is not None:
        scope = scope.album(narrowed.album)
    where = scope.where()
    if narrowed.favourite:
        where = QueryString("{} AND {}", where, scope.favourites_only())
    clause = narrowed.where()
    return where if clause is None else QueryString("{} AND {}", where, clause)


async def _rows(template: str, *args: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await Photo.raw(template, *args)
    return rows


def _state(failed: int | None, unfinished: int | None) -> str:
    return "failed" if failed else ("pending" if unfinished else "done")


def _shape(row: dict[str, Any]) -> tuple[int, int]:
    """As displayed: the medium thumbnail's size; before thumbnails exist, the stored size turned for
    orientations 5-8 (square while unknown)."""
    if row["thumb_id"] is not None and row["thumb_width"] and row["thumb_height"]:
        return int(row["thumb_width"]), int(row["thumb_height"])
    width, height = row["width"] or 1, row["height"] or 1
    return (height, width) if row["orientation"] in (5, 6, 7, 8) else (width, height)


def as_datetime(value: Any) -> datetime:
    """A time column's value: SQLite hands raw SQL's timestamps back as text, PostgreSQL as datetimes."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def tile_of(row: dict[str, Any]) -> Tile:
    """The Tile of a row selected with TILE_SELECT (album pages' manual order selects it too)."""
    width, height = _shape(row)
    taken = row["taken_at"]
    return Tile(
        id=int(row["id"]), library_id=int(row["library"]), sort_at=as_datetime(row["sort_at"]),
        taken_at=as_datetime(taken) if taken is not None else None, width=width, height=height,
        stored_width=row["width"], stored_height=row["height"], orientation=int(row["orientation"] or 1),
        format=row["format"], camera_make=row["camera_make"], camera_model=row["camera_model"],
        state=_state(row["failed_steps"], row["unfinished_steps"]), rating=int(row["rating"] or 0),
        favourite=bool(row["favourite"]), has_thumbnail=row["thumb_id"] is not None,
        file_name=file_name_of(row["shown_name"]) if row["shown_name"] else None,
        failed_step=row["failed_step"],
    )


async def tile_page(scope: Scope, narrowed: PhotoFilter = MAIN_GRID, *, before: Cursor | None = None,
                    limit: int = PAGE_SIZE, offset: int = 0) -> TilePage:
    """A page of tiles in the filter's order (newest first unless `oldest_first`), starting after
    `before` (the cursor the previous page returned); `offset` only for the API's numbered pages."""
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    where = compiled(scope, narrowed)
    if before is not None:
        where = QueryString("{} AND {}", where,
                            keyset.after(before) if narrowed.oldest_first else keyset.before(before))
    order = OLDEST_FIRST if narrowed.oldest_first else NEWEST_FIRST
    rows = await _rows(TILE_SELECT + order + " LIMIT {} OFFSET {}", scope.favourite(), where, limit + 1,
                       max(0, int(offset)))
    tiles = tuple(tile_of(row) for row in rows[:limit])
    more = len(rows) > limit
    return TilePage(tiles, Cursor(tiles[-1].sort_at, tiles[-1].id) if more and tiles else None)


async def tiles_of(scope: Scope, photo_ids: Collection[int]) -> list[Tile]:
    """The tiles of these photos that the viewer may see, in id order (the others are left out): rows
    that follow a few known photos, like the upload page's."""
    ids = sorted({int(photo_id) for photo_id in photo_ids})[:MAX_PAGE_SIZE]
    if not ids:
        return []
    marks = ", ".join("{}" for _ in ids)
    where = QueryString(f'"photo"."id" IN ({marks}) AND {{}}', *ids, scope.where())
    rows = await _rows(TILE_SELECT + ' ORDER BY "photo"."id"', scope.favourite(), where)
    return [tile_of(row) for row in rows]


async def photo_count(scope: Scope, narrowed: PhotoFilter = MAIN_GRID) -> int:
    rows = await _rows('SELECT COUNT(*) AS n FROM photo WHERE {}', compiled(scope, narrowed))
    return int(rows[0]["n"])


async def month_counts(scope: Scope, narrowed: PhotoFilter, months: Collection[str]) -> dict[str, int]:
    """'YYYY-MM' (or UNDATED) -> how many photos of this list fall in that month, for the months a page
    shows: one statement over the span of those months (a sum per month), walking the sort_at index once."""
    ordered = sorted(set(months), key=lambda month: month_span(month)[0])
    if not ordered:
        return {}
    bounds = [month_span(month) for month in ordered]
    sums = ", ".join(
        f'SUM(CASE WHEN "photo"."sort_at" >= {{}} AND "photo"."sort_at" < {{}} THEN 1 ELSE 0 END) AS m{i}'
        for i in range(len(bounds)))
    args: list[Any] = [value for pair in bounds for value in pair]
    span = '"photo"."sort_at" >= {} AND "photo"."sort_at" < {}'
    rows = await _rows(f"SELECT {sums} FROM photo WHERE {span} AND {{}}", *args, bounds[0][0], bounds[-1][1],
                       compiled(scope, narrowed))
    return {month: int(rows[0][f"m{i}"] or 0) for i, month in enumerate(ordered)}


async def neighbours(scope: Scope, narrowed: PhotoFilter, photo_id: int,
                     sort_at: datetime) -> tuple[int | None, int | None]:
    """(newer, older) photo ids around this one in the list's order (the same scope and filter)."""
    cursor = Cursor(sort_at, photo_id)
    where = compiled(scope, narrowed)
    older, newer = await asyncio.gather(
        _rows('SELECT "photo"."id" FROM photo WHERE {} AND {}' + NEWEST_FIRST + " LIMIT 1",
              where, keyset.before(cursor)),
        _rows('SELECT "photo"."id" FROM photo WHERE {} AND {}' + OLDEST_FIRST + " LIMIT 1",
              where, keyset.after(cursor)),
    )
    return (int(newer[0]["id"]) if newer else None), (int(older[0]["id"]) if older else None)


def folders_sql() -> str:
    """The photo's library folders as a JSON array of paths, in the dialect of the bound engine."""
    if Photo._meta.db.engine_type == "postgres":
        return ("(SELECT COALESCE(json_agg(lf.path), '[]'::json)::text FROM library_folder lf "
                'WHERE lf.library = "photo"."library")')
    return '(SELECT json_group_array(lf.path) FROM library_folder lf WHERE lf.library = "photo"."library")'


def roots_for(kind: str, folders: list[str], settings: Settings) -> FileRoots:
    """Where a photo's file of this kind may really lie: an original in its library's folders or the
    uploads dir, anything else (thumbnails, RAW renders) in the derivatives dir; the rest of the data dir
    never. Files are opened only there."""
    if kind != ORIGINAL:
        return FileRoots((settings.derivatives_dir,), (settings.data_dir,))
    return FileRoots((*(Path(folder) for folder in folders), settings.originals_dir), (settings.data_dir,))


async def permitted_file(scope: Scope, photo_id: int, kind: str, size_name: str,
                         settings: Settings) -> PermittedFile | None:
    """The photo's file of this kind and size if the viewer may see the photo and the file exists; None
    otherwise (both answer 404). One statement: photo, permission, file and, for an original, the
    library's folders."""
    folders = folders_sql() if kind == ORIGINAL else "NULL"
    rows = await _rows(
        f'SELECT "photo"."library", f.path, {folders} AS folders FROM photo '
        'JOIN photo_file f ON f.photo = "photo"."id" AND f.kind = {} AND f.size_name = {} '
        'WHERE "photo"."id" = {} AND {}', kind, size_name, int(photo_id), scope.where())
    if not rows:
        return None
    row = rows[0]
    roots = roots_for(kind, json.loads(row["folders"]) if row["folders"] else [], settings)
    return PermittedFile(int(photo_id), int(row["library"]), kind, size_name, Path(row["path"]), roots)


_DETAIL_SELECT = (
    'SELECT "photo".*, {} AS can_edit, {} AS favourite, {} AS folders, pp.failed AS failed_steps, '
    '(SELECT u.username FROM photonix_user u WHERE u.id = "photo"."rated_by") AS rated_by_name, '
    'pp.unfinished AS unfinished_steps FROM photo LEFT JOIN photo_progress pp ON pp.photo = "photo"."id" '
    'WHERE "photo"."id" = {} AND {}')


async def photo_detail(scope: Scope, photo_id: int, settings: Settings,
                       narrowed: PhotoFilter = MAIN_GRID) -> PhotoDetail | None:
    """The photo if the viewer may see it (None: 404), with its thumbnails, tags and steps, and its
    neighbours within `narrowed` (the list the viewer came from). Visibility is the scope's alone: a
    photo in the trash still opens from the trash view."""
    rows = await _rows(_DETAIL_SELECT.format("{}", "{}", folders_sql(), "{}", "{}"),
                       scope.can_edit(), scope.favourite(), int(photo_id), scope.where())
    if not rows:
        return None
    row = rows[0]
    sort_at = as_datetime(row["sort_at"])
    (newer, older), files, photo_tags, steps = await asyncio.gather(
        neighbours(scope, narrowed, photo_id, sort_at),
        _rows("SELECT size_name, width, height FROM photo_file WHERE photo = {} AND kind = 'thumbnail' "
              "ORDER BY size_name", int(photo_id)),
        tags.tags_of(photo_id),
        stepruns.current_steps(photo_id),
    )
    histogram = row["histogram"]
    if isinstance(histogram, str):
        histogram = json.loads(histogram)
    roots = roots_for(ORIGINAL, json.loads(row["folders"]) if row["folders"] else [], settings)
    original = PermittedFile(int(row["id"]), int(row["library"]), ORIGINAL, "", Path(row["original_path"]),
                             roots)
    return PhotoDetail(
        id=int(row["id"]), library_id=int(row["library"]), content_hash=row["content_hash"],
        original_path=row["original_path"], file_size=int(row["file_size"] or 0),
        imported_at=row["imported_at"], version=int(row["version"]), sort_at=sort_at,
        taken_at=as_datetime(row["taken_at"]) if row["taken_at"] is not None else None,
        taken_at_offset=row["taken_at_offset"], date_source=row["date_source"],
        date_uncertain=bool(row["date_uncertain"]), format=row["format"], width=row["width"],
        height=row["height"], orientation=int(row["orientation"] or 1), camera_make=row["camera_make"],
        camera_model=row["camera_model"], lens=row["lens"], exposure_time=row["exposure_time"],
        f_number=row["f_number"], iso=row["iso"], focal_length=row["focal_length"],
        flash=None if row["flash"] is None else bool(row["flash"]), gps_lat=row["gps_lat"],
        gps_lon=row["gps_lon"], gps_altitude=row["gps_altitude"], histogram=histogram, title=row["title"],
        original_name=row["original_name"], description=row["description"], rating=int(row["rating"] or 0),
        favourite=bool(row["favourite"]),
        archived_at=row["archived_at"], trashed_at=row["trashed_at"], can_edit=bool(row["can_edit"]),
        state=_state(row["failed_steps"], row["unfinished_steps"]),
        thumbnails=tuple(Thumbnail(f["size_name"], f["width"], f["height"]) for f in files),
        tags=tuple(photo_tags), steps=tuple(steps),
        original=original,
        newer=newer, older=older, rated_by_name=row["rated_by_name"],
    )


async def visible_ids(scope: Scope, photo_ids: Collection[int], *, editable: bool = False,
                      chunk: int = 500) -> set[int]:
    """The ids among these that the viewer may see (with `editable`: may change, as a library member).
    Bulk actions act on these and count the rest as ignored."""
    ids = sorted({int(photo_id) for photo_id in photo_ids})
    seen: set[int] = set()
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        where = QueryString("{} AND {}", scope.where(), scope.can_edit()) if editable else scope.where()
        marks = ", ".join("{}" for _ in part)
        rows = await _rows(f'SELECT "photo"."id" FROM photo WHERE "photo"."id" IN ({marks}) AND {{}}',
                           *part, where)
        seen.update(int(row["id"]) for row in rows)
    return seen


async def thumbnailed(scope: Scope, photo_ids: Collection[int], size_name: str = "square") -> set[int]:
    """The photos among these that the viewer may see and whose thumbnail of this size exists (the file
    route answers 404 for the others: a photo still at its first step has none yet)."""
    ids = sorted({int(photo_id) for photo_id in photo_ids})
    if not ids:
        return set()
    marks = ", ".join("{}" for _ in ids)
    rows = await _rows(
        f'SELECT "photo"."id" FROM photo WHERE "photo"."id" IN ({marks}) AND {{}} AND EXISTS (SELECT 1 FROM '
        "photo_file f WHERE f.photo = \"photo\".\"id\" AND f.kind = 'thumbnail' AND f.size_name = {})",
        *ids, scope.where(), size_name)
    return {int(row["id"]) for row in rows}


async def photo_access(scope: Scope, photo_id: int) -> bool | None:
    """None when the viewer cannot see the photo; else whether they may change it (db/scope.py can_edit)."""
    rows = await _rows('SELECT {} AS can_edit FROM photo WHERE "photo"."id" = {} AND {}',
                       scope.can_edit(), int(photo_id), scope.where())
    return bool(rows[0]["can_edit"]) if rows else None
