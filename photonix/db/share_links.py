"""Public share links: make one for a photo, a selection or an album, change its options, revoke it, list
an owner's links, find a link by its token and count its page views.

Who may share what is decided in the queries: a photo or selection link holds only the photos its owner
may see (ids outside are ignored and counted); an album link is made by the album's owner alone (a
member of the album gets NotAllowed, 403; anyone else NotVisible, 404). Contributors add photos, but
making the album public stays the owner's decision.

A token is `secrets.token_urlsafe(24)` (192 bits), or a custom slug the owner picks: 3 to 64 characters
of a-z, 0-9 and "-", unique, and not a reserved word."""

from __future__ import annotations

import re
import secrets
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from piccolo.columns.combination import WhereRaw

from photonix.db import passwords
from photonix.db.scope import member_of_library
from photonix.db.tables import Album, AlbumMember, Photo, ShareLink, ShareLinkPhoto
from photonix.errors import NotAllowed, NotVisible, PhotonixError

TOKEN_BYTES = 24                    # 192 bits from secrets: far past the 128 the issue asks for
SLUG = re.compile(r"^[a-z0-9-]{3,64}$")
RESERVED_SLUGS = frozenset({
    "new", "edit", "admin", "api", "static", "login", "logout", "welcome", "shares", "share", "photos",
    "albums", "upload", "download", "settings", "account", "jobs", "healthz", "metrics", "schema",
})
DOWNLOADS = ("none", "display", "original")
# The expiry choices of the form, in days; "never" is a choice of its own, never the default.
EXPIRY_DAYS = {"1d": 1, "7d": 7, "30d": 30, "90d": 90, "365d": 365}
NEVER = "never"
DEFAULT_EXPIRY = "30d"
MAX_TITLE = 200
MAX_PASSWORD = 200
MAX_VIEWS = 1_000_000

# The states a link can be in; only a live one opens.
LIVE, EXPIRED, REVOKED, USED_UP = "live", "expired", "revoked", "used up"


class InvalidShare(PhotonixError):
    """What the owner typed cannot make a link (a taken slug, a bad option): the sentence says why."""


@dataclass(frozen=True, slots=True)
class ShareOptions:
    """What a link lets a stranger do. `password`: None keeps the present one, "" removes it."""

    title: str = ""
    expiry: str = DEFAULT_EXPIRY        # a key of EXPIRY_DAYS, "never", or "keep" when editing
    password: str | None = None
    download: str = "none"
    show_metadata: bool = False
    show_location: bool = False
    max_views: int | None = None
    allow_upload: bool = False


@dataclass(frozen=True, slots=True)
class ShareLinkInfo:
    """A link as its owner sees it on /shares, and as the public pages check it (the hash stays here)."""

    id: int
    owner_id: int
    token: str
    album_id: int | None
    album_title: str | None
    title: str
    created_at: datetime
    expires_at: datetime | None
    password_hash: str | None = field(repr=False)
    download: str
    show_metadata: bool
    show_location: bool
    max_views: int | None
    views: int
    last_viewed_at: datetime | None
    allow_upload: bool
    revoked_at: datetime | None
    photo_count: int = 0
    cover_id: int | None = None

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    @property
    def kind(self) -> str:
        if self.album_id is not None:
            return "album"
        return "photo" if self.photo_count == 1 else "selection"

    @property
    def used_up(self) -> bool:
        return self.max_views is not None and self.views >= self.max_views

    def state(self, now: datetime | None = None) -> str:
        now = now or datetime.now(UTC)
        if self.revoked_at is not None:
            return REVOKED
        if self.expires_at is not None and _aware(self.expires_at) <= now:
            return EXPIRED
        if self.used_up:
            return USED_UP
        return LIVE

    def display_title(self) -> str:
        """The page's title: the one given, else the album's, else a plain one (never the owner's name)."""
        if self.title:
            return self.title
        if self.album_title:
            return self.album_title
        return "A shared photo" if self.kind == "photo" else "Shared photos"


@dataclass(frozen=True, slots=True)
class Created:
    link: ShareLinkInfo
    ignored: int            # ids asked for that the owner may not see (or that do not exist)


def _aware(moment: datetime | str) -> datetime:
    """SQLite hands back naive datetimes for timestamptz columns (text, from a raw query); they were
    written in UTC."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def slug_problem(slug: str) -> str | None:
    """Why this custom slug cannot be a token, as a sentence; None when its form is fine."""
    if not SLUG.match(slug):
        return "A custom link is 3 to 64 characters: lower-case letters, digits and hyphens."
    if slug in RESERVED_SLUGS:
        return f"“{slug}” is reserved. Choose another custom link."
    return None


def expires_at_for(expiry: str, now: datetime) -> datetime | None:
    if expiry == NEVER:
        return None
    days = EXPIRY_DAYS.get(expiry)
    if days is None:
        raise InvalidShare("Choose when the link expires, or “never”.")
    return now + timedelta(days=days)


def _check(options: ShareOptions, *, for_album: bool) -> None:
    if options.download not in DOWNLOADS:
        raise InvalidShare("Downloads are none, display size or originals.")
    if len(options.title) > MAX_TITLE:
        raise InvalidShare(f"A title is at most {MAX_TITLE} characters.")
    if options.password is not None and len(options.password) > MAX_PASSWORD:
        raise InvalidShare(f"A password is at most {MAX_PASSWORD} characters.")
    if options.max_views is not None and not 1 <= options.max_views <= MAX_VIEWS:
        raise InvalidShare("A view limit is a whole number from 1, or empty for no limit.")
    if options.allow_upload and not for_album:
        raise InvalidShare("Guests can upload only into a shared album.")


async def _option_values(options: ShareOptions, now: datetime) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": options.title.strip(), "download": options.download,
        "show_metadata": options.show_metadata, "show_location": options.show_location,
        "max_views": options.max_views, "allow_upload": options.allow_upload,
    }
    if options.expiry != "keep":
        values["expires_at"] = expires_at_for(options.expiry, now)
    if options.password is not None:
        # argon2 in the bounded thread pool (Busy past it), as sign-in does: never on the event loop.
        password = options.password
        values["password_hash"] = await passwords.hash_password(password) if password else None
    return values


def _is_unique_violation(exc: BaseException) -> bool:
    return isinstance(exc, (sqlite3.IntegrityError, asyncpg.UniqueViolationError))


async def _insert(owner_id: int, album_id: int | None, options: ShareOptions, slug: str) -> int:
    now = datetime.now(UTC)
    token = slug.strip().lower() if slug.strip() else new_token()
    if slug.strip():
        problem = slug_problem(token)
        if problem:
            raise InvalidShare(problem)
        if await ShareLink.exists().where(ShareLink.token == token):
            raise InvalidShare(f"The custom link “{token}” is taken. Choose another.")
    values = await _option_values(options, now)
    try:
        rows = await ShareLink.insert(ShareLink(
            owner=owner_id, token=token, album=album_id, created_at=now, views=0, **values,
        )).returning(ShareLink.id)
    except Exception as exc:
        if _is_unique_violation(exc):     # another owner took the slug between the check and the insert
            raise InvalidShare(f"The custom link “{token}” is taken. Choose another.") from exc
        raise
    return int(rows[0]["id"])


async def sharable_photo_ids(owner_id: int, photo_ids: Collection[int]) -> list[int]:
    """The ids among these in the owner's own libraries and not in the trash, in the order asked. (Photos
    the owner sees only through someone else's album are that album owner's to make public, not theirs.)"""
    wanted = sorted({int(i) for i in photo_ids})
    if not wanted:
        return []
    rows = await Photo.select(Photo.id).where(
        Photo.id.is_in(wanted) & member_of_library(owner_id) & Photo.trashed_at.is_null())
    found = {int(row["id"]) for row in rows}
    seen: set[int] = set()
    ordered = []
    for photo_id in photo_ids:
        if photo_id in found and photo_id not in seen:
            seen.add(photo_id)
            ordered.append(photo_id)
    return ordered


async def create_for_photos(owner_id: int, photo_ids: Collection[int], options: ShareOptions,
                            slug: str = "") -> Created:
    """A link to one photo or a selection: only the photos the owner may see go in."""
    _check(options, for_album=False)
    sharable = await sharable_photo_ids(owner_id, photo_ids)
    if not sharable:
        raise InvalidShare("None of these photos can be shared: they are not in your libraries.")
    link_id = await _insert(owner_id, None, options, slug)
    await ShareLinkPhoto.insert(*(ShareLinkPhoto(share_link=link_id, photo=p) for p in sharable))
    link = await link_of(owner_id, link_id)
    assert link is not None
    return Created(link, len({int(i) for i in photo_ids}) - len(sharable))


async def album_role(user_id: int, album_id: int) -> str | None:
    """"owner", the member's role ("viewer" / "contributor"), or None when the user cannot see the album."""
    album = await Album.select(Album.owner).where(Album.id == album_id).first()
    if album is None:
        return None
    if album["owner"] == user_id:
        return "owner"
    member = await AlbumMember.select(AlbumMember.role).where(
        (AlbumMember.album == album_id) & (AlbumMember.user == user_id)).first()
    return str(member["role"]) if member else None


async def create_for_album(owner_id: int, album_id: int, options: ShareOptions, slug: str = "") -> Created:
    """A link to an album: its owner's alone to make."""
    role = await album_role(owner_id, album_id)
    if role is None:
        raise NotVisible("This album isn't here.")
    if role != "owner":
        raise NotAllowed("Only the album's owner can share it with a public link.")
    _check(options, for_album=True)
    link_id = await _insert(owner_id, album_id, options, slug)
    link = await link_of(owner_id, link_id)
    assert link is not None
    return Created(link, 0)


async def album_title_of(user_id: int, album_id: int) -> str | None:
    """The album's title for its owner (None otherwise): what the share form says it shares."""
    row = await Album.select(Album.title).where((Album.id == album_id) & (Album.owner == user_id)).first()
    return str(row["title"]) if row else None


async def update(owner_id: int, link_id: int, options: ShareOptions) -> ShareLinkInfo:
    """Change a link's options; only its owner can (anyone else: NotVisible)."""
    link = await link_of(owner_id, link_id)
    if link is None:
        raise NotVisible("This link isn't here.")
    _check(options, for_album=link.album_id is not None)
    values = await _option_values(options, datetime.now(UTC))
    await ShareLink.update(**values).where((ShareLink.id == link_id) & (ShareLink.owner == owner_id))
    changed = await link_of(owner_id, link_id)
    assert changed is not None
    return changed


async def revoke(owner_id: int, link_id: int) -> bool:
    """Kill the link for good; False when the owner has no such link."""
    rows = await ShareLink.update({ShareLink.revoked_at: datetime.now(UTC)}).where(
        (ShareLink.id == link_id) & (ShareLink.owner == owner_id) & ShareLink.revoked_at.is_null()
    ).returning(ShareLink.id)
    return bool(rows) or await link_of(owner_id, link_id) is not None


_COLUMNS = (ShareLink.id, ShareLink.owner, ShareLink.token, ShareLink.album, ShareLink.album._.title,
            ShareLink.title, ShareLink.created_at, ShareLink.expires_at, ShareLink.password_hash,
            ShareLink.download, ShareLink.show_metadata, ShareLink.show_location, ShareLink.max_views,
            ShareLink.views, ShareLink.last_viewed_at, ShareLink.allow_upload, ShareLink.revoked_at)

def _info(row: dict[str, Any], count: int = 0, cover: int | None = None) -> ShareLinkInfo:
    return ShareLinkInfo(
        id=row["id"], owner_id=row["owner"], token=row["token"], album_id=row["album"],
        album_title=row["album.title"], title=row["title"], created_at=_aware(row["created_at"]),
        expires_at=_aware(row["expires_at"]) if row["expires_at"] else None,
        password_hash=row["password_hash"], download=row["download"],
        show_metadata=bool(row["show_metadata"]), show_location=bool(row["show_location"]),
        max_views=row["max_views"], views=row["views"],
        last_viewed_at=_aware(row["last_viewed_at"]) if row["last_viewed_at"] else None,
        allow_upload=bool(row["allow_upload"]),
        revoked_at=_aware(row["revoked_at"]) if row["revoked_at"] else None,
        photo_count=count, cover_id=cover,
    )


async def _selection_counts(link_ids: list[int]) -> dict[int, tuple[int, int]]:
    """link id -> (photos, the first photo) for photo and selection links."""
    if not link_ids:
        return {}
    rows = await ShareLinkPhoto.select(ShareLinkPhoto.share_link, ShareLinkPhoto.photo).where(
        ShareLinkPhoto.share_link.is_in(link_ids)).order_by(ShareLinkPhoto.id)
    counts: dict[int, tuple[int, int]] = {}
    for row in rows:
        count, first = counts.get(row["share_link"], (0, row["photo"]))
        counts[row["share_link"]] = (count + 1, first)
    return counts


async def links_of(owner_id: int) -> list[ShareLinkInfo]:
    """Every link the user made, newest first, revoked ones included (they say so)."""
    rows = await ShareLink.select(*_COLUMNS).where(ShareLink.owner == owner_id).order_by(
        ShareLink.id, ascending=False)
    counts = await _selection_counts([row["id"] for row in rows if row["album"] is None])
    return [_info(row, *counts.get(row["id"], (0, None))) for row in rows]


async def link_of(owner_id: int, link_id: int) -> ShareLinkInfo | None:
    """The owner's link, or None (someone else's link answers like a missing one)."""
    row = await ShareLink.select(*_COLUMNS).where(
        (ShareLink.id == link_id) & (ShareLink.owner == owner_id)).first()
    if row is None:
        return None
    counts = await _selection_counts([link_id]) if row["album"] is None else {}
    return _info(row, *counts.get(link_id, (0, None)))


# Raw: every thumbnail of a share page starts with this lookup, and Piccolo's query building cost more
# than the statement itself.
_BY_TOKEN = (
    'SELECT l.id, l.owner, l.token, l.album, a.title AS "album.title", l.title, l.created_at, l.expires_at, '
    "l.password_hash, l.download, l.show_metadata, l.show_location, l.max_views, l.views, l.last_viewed_at, "
    "l.allow_upload, l.revoked_at FROM share_link l LEFT JOIN album a ON a.id = l.album WHERE l.token = {}")


async def by_token(token: str) -> ShareLinkInfo | None:
    """The link a public URL names, whatever its state (the page tells expired from unknown)."""
    if not token or len(token) > 64:
        return None
    rows = await ShareLink.raw(_BY_TOKEN, token)
    return _info(rows[0]) if rows else None


TOUCH_EVERY = timedelta(minutes=1)


async def touch(link_id: int) -> None:
    """A page load by a browser whose visit was already counted: only the last access moves, to within a
    minute (reloads write nothing more)."""
    now = datetime.now(UTC)
    await ShareLink.update({ShareLink.last_viewed_at: now}).where(
        (ShareLink.id == link_id)
        & (ShareLink.last_viewed_at.is_null() | (ShareLink.last_viewed_at < now - TOUCH_EVERY)))


async def count_view(link_id: int) -> bool:
    """Count one page view, atomically within the view limit: False when the link was used up (or revoked)
    meanwhile, so two strangers racing for the last view cannot both have it."""
    rows = await ShareLink.update({ShareLink.views: ShareLink.views + 1,
                                   ShareLink.last_viewed_at: datetime.now(UTC)}).where(
        (ShareLink.id == link_id) & ShareLink.revoked_at.is_null()
        & WhereRaw('("max_views" IS NULL OR "views" < "max_views")')
    ).returning(ShareLink.id)
    return bool(rows)


async def password_matches(link: ShareLinkInfo, password: str) -> bool:
    """Whether this is the link's password (argon2 off the event loop; Busy past the bound)."""
    if not link.password_hash:
        return True
    return await passwords.password_matches(link.password_hash, password)
