"""Suggestions under the search box as someone types: the tags (places, objects, colours, events, people's
tags, people) whose name starts with the text, and the cameras and lenses holding it, among the photos the
viewer sees in the main grid. Each suggestion opens the grid through a PhotoFilter field (`tag`, `camera`
or the search text itself): the suggestions name things, the read model still lists the photos."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from photonix.db.photo_filter import MAIN_GRID
from photonix.db.photo_reads import compiled
from photonix.db.photo_search import like_pattern
from photonix.db.scope import Scope
from photonix.db.tables import Photo

PER_KIND = 6

_TAGS = (
    "SELECT t.kind, t.name, parent.name AS parent, COUNT(DISTINCT pt.photo) AS photos FROM tag t "
    "JOIN photo_tag pt ON pt.tag = t.id JOIN photo ON \"photo\".\"id\" = pt.photo "
    "LEFT JOIN tag parent ON parent.id = t.parent "
    "WHERE LOWER(t.name) LIKE {} ESCAPE '\\' AND {} "
    "GROUP BY t.kind, t.name, parent.name ORDER BY photos DESC, t.name LIMIT {}")
_CAMERAS = (
    "SELECT TRIM(COALESCE(\"photo\".\"camera_make\", '') || ' ' || COALESCE(\"photo\".\"camera_model\", '')) "
    'AS name, COUNT(*) AS photos FROM photo WHERE "photo"."camera_model" IS NOT NULL '
    "AND LOWER(COALESCE(\"photo\".\"camera_make\", '') || ' ' || \"photo\".\"camera_model\") "
    "LIKE {} ESCAPE '\\' AND {} GROUP BY 1 ORDER BY photos DESC LIMIT {}")
_LENSES = (
    'SELECT "photo"."lens" AS name, COUNT(*) AS photos FROM photo WHERE LOWER("photo"."lens") LIKE {} '
    "ESCAPE '\\' AND {} GROUP BY 1 ORDER BY photos DESC LIMIT {}")


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One thing to pick: its kind (a tag kind, "camera" or "lens"), its name and how many photos have it."""

    kind: str
    name: str
    photos: int
    parent: str | None = None       # a place's country


async def _rows(template: str, *args: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await Photo.raw(template, *args)
    return rows


async def suggestions(scope: Scope, text: str, per_kind: int = PER_KIND) -> list[Suggestion]:
    """Tags starting with the text (any case), then cameras and lenses holding it; most photos first."""
    text = " ".join(text.split())
    if not text:
        return []
    where = compiled(scope, MAIN_GRID)
    prefix, contains = f"{like_pattern(text)}%", f"%{like_pattern(text)}%"
    tag_rows = await _rows(_TAGS, prefix, where, per_kind * 8)
    found: list[Suggestion] = []
    per: dict[str, int] = {}
    for row in tag_rows:
        if per.setdefault(row["kind"], 0) < per_kind:
            per[row["kind"]] += 1
            found.append(Suggestion(row["kind"], row["name"], int(row["photos"]), row["parent"]))
    for kind, template in (("camera", _CAMERAS), ("lens", _LENSES)):
        found.extend(Suggestion(kind, row["name"], int(row["photos"]))
                     for row in await _rows(template, contains, where, per_kind) if row["name"])
    return found
