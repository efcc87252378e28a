"""What a viewer asked to see: a PhotoFilter, the one set of narrowing rules every photo list shares (the
grid, its favourites, archive and trash views, album and share pages, the JSON API). It compiles to a
where-clause on "photo"; the scope (db/scope.py) says who may see, the filter only narrows.

One rule for tags everywhere: a tag matches by name, case-insensitively, whatever its kind (a place, a
colour, an event, a keyword or a person's own tag), so `?q=paris` in the grid and `?tag=Paris` in the API
give the same photos. Several tags narrow to photos that carry all of them.

The search box (`search`, `?q=`) is wider: a tag's first letters, a file name, a camera, a lens, a year, a
month or a season (db/photo_search.py); it is one more clause here, never another query."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from piccolo.querystring import QueryString

from photonix.db.photo_search import parse_search, search_clause
from photonix.db.scope import not_trashed
from photonix.errors import PhotonixError

STATES = ("failed", "pending")
# Processing states from the trigger-kept photo_progress row (its latest runs): the tile badge and this
# filter read the same counts.
_STATE_SQL = {
    "failed": 'EXISTS (SELECT 1 FROM photo_progress pp WHERE pp.photo = "photo"."id" AND pp.failed > 0)',
    "pending": ('EXISTS (SELECT 1 FROM photo_progress pp WHERE pp.photo = "photo"."id" '
                "AND pp.unfinished > 0)"),
}
_TAG_SQL = ('EXISTS (SELECT 1 FROM photo_tag pt JOIN tag t ON t.id = pt.tag WHERE pt.photo = "photo"."id" '
            'AND LOWER(t.name) = LOWER({}))')
_CAMERA_SQL = ('(LOWER("photo"."camera_make") = LOWER({}) OR LOWER("photo"."camera_model") = LOWER({}) '
               "OR LOWER(COALESCE(\"photo\".\"camera_make\", '') || ' ' "
               "|| COALESCE(\"photo\".\"camera_model\", '')) = LOWER({}))")
MAX_TAGS = 10
MAX_SEARCH = 200


class InvalidFilter(PhotonixError):
    """A filter value out of range (a rating of 9, an unknown state, dates the wrong way round)."""


@dataclass(frozen=True, slots=True)
class PhotoFilter:
    """Narrowing of a photo list. The default is the main grid: every photo but archived and trashed ones.

    `archived`/`trashed`: False leaves them out, True shows only them, None shows both kinds.
    `taken_from`/`taken_to`: days, both inclusive, on the grid's date (capture time, else import time).
    `camera`: a make, a model, or "make model", any case. `album`: the photos of that album, as the
    scope sees it (Scope.album)."""

    library: int | None = None
    tags: tuple[str, ...] = ()
    state: str | None = None
    taken_from: date | None = None
    taken_to: date | None = None
    album: int | None = None
    favourite: bool = False
    archived: bool | None = False
    trashed: bool | None = False
    rating: int | None = None
    camera: str | None = None
    search: str | None = None
    oldest_first: bool = False

    def __post_init__(self) -> None:
        # An empty value is no filter (`?tag=`, `?state=`), as forms send them.
        object.__setattr__(self, "tags", tuple(dict.fromkeys(
            " ".join(tag.split()) for tag in self.tags if tag and tag.strip())))
        object.__setattr__(self, "state", self.state or None)
        object.__setattr__(self, "camera", " ".join((self.camera or "").split()) or None)
        object.__setattr__(self, "search", " ".join((self.search or "").split()) or None)
        if self.search is not None and len(self.search) > MAX_SEARCH:
            raise InvalidFilter(f"a search is at most {MAX_SEARCH} characters")
        if self.state is not None and self.state not in STATES:
            raise InvalidFilter("state must be 'failed' or 'pending'")
        if self.rating is not None and not 0 <= self.rating <= 5:
            raise InvalidFilter("a rating is 0 to 5 stars")
        if len(self.tags) > MAX_TAGS:
            raise InvalidFilter(f"at most {MAX_TAGS} tags at once")
        if self.taken_from and self.taken_to and self.taken_from > self.taken_to:
            raise InvalidFilter("the 'from' date comes after the 'to' date")

    def narrowed(self, **changes: object) -> PhotoFilter:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def where(self) -> QueryString | None:
        """The clause on "photo" for this filter. The album and the favourites are the scope's (whose
        favourites: the viewer's own): see photo_reads.compiled."""
        parts: list[QueryString] = []
        if self.library is not None:
            parts.append(QueryString('"photo"."library" = {}', int(self.library)))
        parts.extend(QueryString(_TAG_SQL, tag) for tag in self.tags)
        if self.state is not None:
            parts.append(QueryString(_STATE_SQL[self.state]))
        if self.taken_from is not None:
            parts.append(QueryString('"photo"."sort_at" >= {}', datetime.combine(self.taken_from, time())))
        if self.taken_to is not None:
            parts.append(QueryString('"photo"."sort_at" < {}',
                                     datetime.combine(self.taken_to + timedelta(days=1), time())))
        if self.archived is not None:
            parts.append(QueryString('"photo"."archived_at" IS NOT NULL' if self.archived
                                     else '"photo"."archived_at" IS NULL'))
        if self.trashed is not None:
            parts.append(QueryString('"photo"."trashed_at" IS NOT NULL') if self.trashed else not_trashed())
        if self.rating:
            parts.append(QueryString('"photo"."rating" >= {}', int(self.rating)))
        if self.camera is not None:
            parts.append(QueryString(_CAMERA_SQL, self.camera, self.camera, self.camera))
        if self.search is not None:
            parts.append(search_clause(parse_search(self.search)))
        if not parts:
            return None
        return QueryString(" AND ".join("{}" for _ in parts), *parts)

    def query_items(self) -> list[tuple[str, str]]:
        """The filter as URL query parameters (the names the grid and the API read), defaults left out.
        `archived=None` ("either") has no parameter: the trash view implies it (web/photo_query.py)."""
        items: list[tuple[str, str]] = []
        if self.library is not None:
            items.append(("library", str(self.library)))
        items.extend(("tag", tag) for tag in self.tags)
        if self.search:
            items.append(("q", self.search))
        if self.state:
            items.append(("state", self.state))
        if self.taken_from:
            items.append(("from", self.taken_from.isoformat()))
        if self.taken_to:
            items.append(("to", self.taken_to.isoformat()))
        if self.album is not None:
            items.append(("album", str(self.album)))
        if self.favourite:
            items.append(("favourite", "1"))
        if self.archived:
            items.append(("archived", "1"))
        if self.trashed:
            items.append(("trashed", "1"))
        if self.rating:
            items.append(("rating", str(self.rating)))
        if self.camera:
            items.append(("camera", self.camera))
        if self.oldest_first:
            items.append(("order", "oldest"))
        return items


MAIN_GRID = PhotoFilter()       # every photo but archived and trashed ones, newest first
