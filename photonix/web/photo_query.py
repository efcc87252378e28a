"""The PhotoFilter a request asks for, from its query parameters: one dependency shared by the grid and its
views, the photo page (its neighbours) and the JSON API, so every list reads the same names the same way
and /schema documents them once.

    ?library=2 &tag=paris (repeatable) &q=rome (the search box: db/photo_search.py) &state=failed|pending
    &from=2024-05-01 &to=2024-05-31 &album=7 &favourite=1 &archived=1 &trashed=1 &rating=4
    &camera=Canon &order=oldest"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from urllib.parse import urlencode

from litestar.params import QueryParameter

from photonix.db.photo_filter import PhotoFilter
from photonix.web.params import MAX_ID

Order = Literal["newest", "oldest"]


Q = QueryParameter
OptionalDay = date | None


async def provide_photo_filter(
    library: Annotated[int | None, Q(ge=1, le=MAX_ID, description="only this library's photos")] = None,
    tag: Annotated[list[str] | None, Q(
        description="a tag name, any kind, any case; repeat for photos with all of them")] = None,
    q: Annotated[str | None, Q(max_length=200, description=(
        "the search box: a tag's first letters (any kind, any case), a file name, a camera or a lens; "
        "years, month names and seasons ('june 2019', 'summer') narrow to photos taken then"))] = None,
    state_filter: Annotated[Literal["failed", "pending", ""] | None, Q(
        name="state", description="processing state: a step failed, or work still to do")] = None,
    taken_from: Annotated[OptionalDay, Q(name="from", description="first day (inclusive)")] = None,
    taken_to: Annotated[OptionalDay, Q(name="to", description="last day (inclusive)")] = None,
    album: Annotated[int | None, Q(ge=1, le=MAX_ID, description="only this album's photos")] = None,
    favourite: Annotated[bool, Q(description="only favourites")] = False,
    archived: Annotated[bool, Q(description="only archived photos (left out otherwise)")] = False,
    trashed: Annotated[bool, Q(description="only photos in the trash (left out otherwise)")] = False,
    rating: Annotated[int | None, Q(ge=0, le=5, description="at least this many stars")] = None,
    camera: Annotated[str | None, Q(max_length=200, description="a camera make, model, or both")] = None,
    order: Annotated[Order, Q(description="newest or oldest first")] = "newest",
) -> PhotoFilter:
    """Bad values answer 400 (Litestar's validation, or InvalidFilter from PhotoFilter itself)."""
    return PhotoFilter(
        library=library, tags=tuple(tag or ()), search=q, state=state_filter or None,
        taken_from=taken_from, taken_to=taken_to, album=album, favourite=favourite,
        # the trash shows archived photos too: trashing one takes it out of the archive view
        archived=None if trashed and not archived else archived, trashed=trashed,
        rating=rating or None, camera=camera, oldest_first=order == "oldest",
    )


def query_string(narrowed: PhotoFilter, **extra: str) -> str:
    """`?...` for links that keep the filter (the next page, a tile's photo page); "" when there is none."""
    items = [*narrowed.query_items(), *extra.items()]
    return f"?{urlencode(items)}" if items else ""
