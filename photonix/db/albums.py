"""Albums themselves: create, rename, describe, sort, delete, and the list a user sees (owned + shared).

Who may do what, checked in the query: the owner does everything; a member of the album ("viewer" or
"contributor", db/album_members.py) sees it; a contributor also adds, removes and arranges photos. An album
the user cannot see (or that does not exist) is NotVisible (404); one they see but may not change as asked
is NotAllowed (403). Deleting an album deletes its list, never its photos."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from piccolo.custom_types import Combinable

from photonix.db.tables import Album
from photonix.errors import NotAllowed, NotVisible, PhotonixError
from photonix.media.dates import UNDATED_SORT_AT

MAX_TITLE = 200
MAX_DESCRIPTION = 5000
SORT_ORDERS = {"date_desc": "Newest first", "date_asc": "Oldest first", "manual": "Manual order"}


class AlbumError(PhotonixError):
    """An album request that cannot be met as typed (an empty title, an unknown sort order or user)."""


class AlbumRole(IntEnum):
    """Ordered: a higher role may do everything a lower one may."""

    VIEWER = 1
    CONTRIBUTOR = 2
    OWNER = 3


MEMBER_ROLES = {"viewer": AlbumRole.VIEWER, "contributor": AlbumRole.CONTRIBUTOR}


@dataclass(frozen=True, slots=True)
class AlbumSummary:
    """An album as a list or a page shows it: counts and dates cover its photos outside the trash."""

    id: int
    title: str
    description: str
    owner_id: int
    owner_name: str
    role: AlbumRole              # the viewer's
    sort_order: str
    cover_id: int | None         # the chosen cover, else the first photo in the album's order
    photo_count: int
    first_at: datetime | None    # the oldest and newest photo (capture time, else import time)
    last_at: datetime | None

    @property
    def may_edit(self) -> bool:
        """Add, remove and arrange photos, choose the cover and the order."""
        return self.role >= AlbumRole.CONTRIBUTOR

    @property
    def is_owner(self) -> bool:
        return self.role == AlbumRole.OWNER


def _now() -> datetime:
    return datetime.now(UTC)


def clean_title(raw: str) -> str:
    """The title with runs of white space made one space; AlbumError unless 1 to 200 characters."""
    title = " ".join(raw.split())
    if not title or len(title) > MAX_TITLE:
        raise AlbumError(f"An album's title is 1 to {MAX_TITLE} characters.")
    return title


def clean_description(raw: str) -> str:
    description = raw.strip()
    if len(description) > MAX_DESCRIPTION:
        raise AlbumError(f"A description is at most {MAX_DESCRIPTION} characters.")
    return description


# The album's role for a user, in one statement: owner, else their membership's role, else no row.
_ROLE_SQL = (
    'SELECT a.owner, m.role FROM album a LEFT JOIN album_member m ON m.album = a.id AND m."user" = {} '
    "WHERE a.id = {} AND (a.owner = {} OR m.id IS NOT NULL)"
)


async def album_role(user_id: int, album_id: int) -> AlbumRole | None:
    """The user's role in the album; None when it does not exist or is neither theirs nor shared with them."""
    rows = await Album.raw(_ROLE_SQL, int(user_id), int(album_id), int(user_id))
    if not rows:
        return None
    if rows[0]["owner"] == user_id:
        return AlbumRole.OWNER
    return MEMBER_ROLES.get(rows[0]["role"], AlbumRole.VIEWER)   # an unknown stored value grants the least


async def require_album_role(user_id: int, album_id: int, needs: AlbumRole) -> AlbumRole:
    """The user's role when it is at least `needs`; NotVisible (404) or NotAllowed (403) otherwise."""
    role = await album_role(user_id, album_id)
    if role is None:
        raise NotVisible("This album isn't here.")
    if role < needs:
        if needs == AlbumRole.OWNER:
            raise NotAllowed("Only the album's owner can do that.")
        raise NotAllowed("You can look at this album, but only its owner and contributors can change it.")
    return role


async def create_album(owner_id: int, title: str, description: str = "") -> int:
    now = _now()
    rows = await Album.insert(Album(
        owner=owner_id, title=clean_title(title), description=clean_description(description),
        created_at=now, updated_at=now,
    )).returning(Album.id)
    return int(rows[0]["id"])


async def _update_album(user_id: int, album_id: int, needs: AlbumRole,
                        values: Callable[[], dict[Any, Any]]) -> None:
    """The role first (so a viewer hears 403 whatever they typed), then the values (AlbumError), then the
    update, whose where-clause carries the permission too."""
    role = await require_album_role(user_id, album_id, needs)
    where: Combinable = Album.id == album_id
    if role == AlbumRole.OWNER:
        where &= Album.owner == user_id
    await Album.update({**values(), Album.updated_at: _now()}).where(where)


async def rename_album(user_id: int, album_id: int, title: str) -> str:
    """The owner renames; the clean title is returned."""
    await _update_album(user_id, album_id, AlbumRole.OWNER, lambda: {Album.title: clean_title(title)})
    return clean_title(title)


async def describe_album(user_id: int, album_id: int, description: str) -> str:
    await _update_album(user_id, album_id, AlbumRole.OWNER,
                        lambda: {Album.description: clean_description(description)})
    return clean_description(description)


def _sort_order(value: str) -> str:
    if value not in SORT_ORDERS:
        raise AlbumError("Choose newest first, oldest first or manual order.")
    return value


async def set_sort_order(user_id: int, album_id: int, sort_order: str) -> None:
    """date_desc, date_asc or manual (AlbumPhoto.position); owners and contributors."""
    await _update_album(user_id, album_id, AlbumRole.CONTRIBUTOR,
                        lambda: {Album.sort_order: _sort_order(sort_order)})


async def delete_album(user_id: int, album_id: int) -> str:
    """The owner deletes the album (its photo list, members and links go with it; the photos stay).
    Returns the title it had, for the sentence that confirms it."""
    await require_album_role(user_id, album_id, AlbumRole.OWNER)
    rows = await Album.delete().where(
        (Album.id == album_id) & (Album.owner == user_id)).returning(Album.title)
    if not rows:                      # deleted by a concurrent request in between
        raise NotVisible("This album isn't here.")
    return str(rows[0]["title"])


# Photos an album shows: its photos outside the trash. Anyone who sees the album sees all of them,
# whichever library they come from (the read model's Scope.album says the same).
_SHOWN = "ap.album = a.id AND p.trashed_at IS NULL"
# The first photo in the album's own order: what stands in for a cover nobody chose. One subquery per
# order, picked by CASE: SQLite does not let a subquery's ORDER BY read the outer row.
_FIRST_BY = "SELECT ap.photo FROM album_photo ap JOIN photo p ON p.id = ap.photo WHERE " + _SHOWN + \
    " ORDER BY {} LIMIT 1"
_FIRST_PHOTO = (
    "CASE a.sort_order "
    f"WHEN 'manual' THEN ({_FIRST_BY.format('ap.position, ap.photo')}) "
    f"WHEN 'date_asc' THEN ({_FIRST_BY.format('p.sort_at, p.id')}) "
    f"ELSE ({_FIRST_BY.format('p.sort_at DESC, p.id DESC')}) END"
)
_CHOSEN_COVER = "SELECT ap.photo FROM album_photo ap JOIN photo p ON p.id = ap.photo WHERE " + _SHOWN + \
    " AND ap.photo = a.cover"
# One statement for the whole list, counts and covers included: no query per album.
_LIST_SQL = (
    "SELECT a.id, a.title, a.description, a.owner, u.username AS owner_name, a.sort_order, "
    "CASE WHEN a.owner = {} THEN 'owner' ELSE m.role END AS role, "
    f"COALESCE(({_CHOSEN_COVER}), {_FIRST_PHOTO}) AS cover_id, "
    "COALESCE(s.n, 0) AS photo_count, s.first_at, s.last_at "
    "FROM album a JOIN photonix_user u ON u.id = a.owner "
    'LEFT JOIN album_member m ON m.album = a.id AND m."user" = {} '
    # Undated photos (media/dates.UNDATED_SORT_AT) have no place in the album's date range.
    "LEFT JOIN (SELECT ap.album, COUNT(*) AS n, "
    "MIN(CASE WHEN p.sort_at > {} THEN p.sort_at END) AS first_at, "
    "MAX(CASE WHEN p.sort_at > {} THEN p.sort_at END) AS last_at "
    "FROM album_photo ap JOIN photo p ON p.id = ap.photo WHERE p.trashed_at IS NULL GROUP BY ap.album) s "
    "ON s.album = a.id "
    "WHERE (a.owner = {} OR m.id IS NOT NULL)"
)


def _stamp(value: Any) -> datetime | None:
    """SQLite hands aggregates of a timestamp column back as text; PostgreSQL as datetimes."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _summary(row: dict[str, Any]) -> AlbumSummary:
    role = AlbumRole.OWNER if row["role"] == "owner" else MEMBER_ROLES.get(row["role"], AlbumRole.VIEWER)
    return AlbumSummary(
        id=int(row["id"]), title=row["title"], description=row["description"] or "",
        owner_id=int(row["owner"]),
        owner_name=row["owner_name"], role=role, sort_order=row["sort_order"],
        cover_id=int(row["cover_id"]) if row["cover_id"] is not None else None,
        photo_count=int(row["photo_count"]), first_at=_stamp(row["first_at"]), last_at=_stamp(row["last_at"]),
    )


async def albums_of(user_id: int) -> list[AlbumSummary]:
    """Every album the user sees (their own and those shared with them), most recently changed first."""
    uid = int(user_id)
    rows = await Album.raw(_LIST_SQL + " ORDER BY a.updated_at DESC, a.id DESC", uid, uid, UNDATED_SORT_AT,
                           UNDATED_SORT_AT, uid)
    return [_summary(row) for row in rows]


async def album_summary(user_id: int, album_id: int) -> AlbumSummary:
    """One album as the user sees it; NotVisible when it is not theirs nor shared with them."""
    uid = int(user_id)
    rows = await Album.raw(_LIST_SQL + " AND a.id = {}", uid, uid, UNDATED_SORT_AT, UNDATED_SORT_AT, uid,
                           int(album_id))
    if not rows:
        raise NotVisible("This album isn't here.")
    return _summary(rows[0])


async def editable_albums(user_id: int) -> list[tuple[int, str]]:
    """(id, title) of the albums the user may add photos to (owned, or shared as contributor), by title:
    what an "Add to album" select offers."""
    uid = int(user_id)
    rows = await Album.raw(
        'SELECT a.id, a.title FROM album a LEFT JOIN album_member m ON m.album = a.id AND m."user" = {} '
        "WHERE a.owner = {} OR m.role = 'contributor' ORDER BY LOWER(a.title), a.id", uid, uid)
    return [(int(row["id"]), str(row["title"])) for row in rows]


async def touch(album_id: int) -> None:
    """The album changed (photos added or removed): it moves to the top of its people's lists."""
    await Album.update({Album.updated_at: _now()}).where(Album.id == album_id)
