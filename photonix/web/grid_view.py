"""The grid's page context as a typed value: which view a filter is (Photos, Favourites, Archive, Trash), the
chips that remove each narrowing, and the URLs that keep the filter (next page, a tile's photo page)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from photonix.db.photo_filter import MAIN_GRID, PhotoFilter
from photonix.db.photo_values import Tile, TilePage


@dataclass(frozen=True, slots=True)
class View:
    """A named list of photos with a sidebar link: its path, title and the filter it implies."""

    path: str
    title: str
    implied: PhotoFilter
    empty: str          # the sentence when it holds nothing


PHOTOS = View("/photos/", "Photos", MAIN_GRID, "")
FAVOURITES = View("/photos/favourites", "Favourites", PhotoFilter(favourite=True),
                  "No favourites yet. Photos you mark with the heart appear here.")
ARCHIVE = View("/photos/archive", "Archive", PhotoFilter(archived=True),
               "Nothing archived. Archived photos leave the main grid and wait here.")
TRASH = View("/photos/trash", "Trash", PhotoFilter(trashed=True, archived=None),
             "The trash is empty.")
VIEWS = (PHOTOS, FAVOURITES, ARCHIVE, TRASH)

LABELS = {"library": "Library", "tag": "Tag", "state": "State", "from": "From", "to": "To", "album": "Album",
          "favourite": "Favourites", "rating": "Rating ≥", "camera": "Camera", "order": "Order",
          "archived": "Archived", "trashed": "Trash", "q": "Search"}


def view_of(narrowed: PhotoFilter) -> View:
    """The view a filter belongs to: the trash, then the archive, then favourites, else the photos."""
    if narrowed.trashed:
        return TRASH
    if narrowed.archived:
        return ARCHIVE
    if narrowed.favourite:
        return FAVOURITES
    return PHOTOS


@dataclass(frozen=True, slots=True)
class Chip:
    label: str
    remove_url: str


@dataclass(frozen=True, slots=True)
class GridView:
    """What pages/photos.html and partials/photo_grid.html render."""

    view: View
    narrowed: PhotoFilter
    months: dict[str, list[Tile]]
    month_counts: dict[str, int]
    next_url: str | None
    continued: bool                 # a later page: its first month's header was already shown

    @property
    def chips(self) -> tuple[Chip, ...]:
        """One removable chip per narrowing beyond what the view itself implies."""
        own = self.own_items()
        return tuple(Chip(f"{LABELS.get(key, key)}: {value}" if key not in ("favourite",) else LABELS[key],
                          self.view.path + _query([item for item in own if item != (key, value)]))
                     for key, value in own)

    def own_items(self) -> list[tuple[str, str]]:
        implied = self.view.implied.query_items()
        return [item for item in self.narrowed.query_items() if item not in implied]

    @property
    def list_query(self) -> str:
        """What a tile's photo page URL carries, so its neighbours are this list's ("" for the main grid)."""
        return _query(self.narrowed.query_items())

    @property
    def search_text(self) -> str:
        return self.narrowed.search or (self.narrowed.tags[0] if self.narrowed.tags else "")


def _query(items: list[tuple[str, str]]) -> str:
    return f"?{urlencode(items)}" if items else ""


def list_url(narrowed: PhotoFilter, **extra: str) -> str:
    """The view's path with the narrowing beyond what the view implies (and `extra`) as its query."""
    view = view_of(narrowed)
    implied = view.implied.query_items()
    own = [item for item in narrowed.query_items() if item not in implied]
    return view.path + _query([*own, *extra.items()])


def grid_view(narrowed: PhotoFilter, page: TilePage, counts: dict[str, int], *, continued: bool) -> GridView:
    next_url = list_url(narrowed, before=page.next.encode()) if page.next is not None else None
    return GridView(view_of(narrowed), narrowed, page.by_month(), counts, next_url, continued)
