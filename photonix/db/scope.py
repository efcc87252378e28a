"""Who is looking at photos: a user (their libraries, plus albums they own or that are shared with them),
a public share link, or an album inside either. A Scope compiles to the where-clause on "photo" that every
read of the read model (db/photo_reads.py) carries, so no caller can forget the permission check.

Each clause is a correlated EXISTS rather than `library IN (...)`: the planner then cannot pick the
library index (every photo of a one-library install) over the sort_at order the grid pages and counts
walk; it reads photos newest first and tests each against a few index lookups."""

from __future__ import annotations

from dataclasses import dataclass, replace

from piccolo.columns.combination import WhereRaw
from piccolo.querystring import QueryString

from photonix.db.tables import Photo

# A user's photos: their libraries' photos, and the photos of albums they own or are members of.
_MEMBER = 'EXISTS (SELECT 1 FROM membership m WHERE m.library = "photo"."library" AND m."user" = {})'
_IN_THEIR_ALBUMS = (
    'EXISTS (SELECT 1 FROM album_photo ap JOIN album al ON al.id = ap.album WHERE ap.photo = "photo"."id" '
    'AND (al.owner = {} OR EXISTS (SELECT 1 FROM album_member am WHERE am.album = al.id '
    'AND am."user" = {})))')
# A share link's photos: its own list (a photo or selection link) or its album's photos; never one in the
# trash, none of a library its owner no longer belongs to (a link passes on only what its owner may see
# now), and nothing once the link is revoked. Expiry and view limits are the share pages' to check first
# (they answer 410 for those), as the link row is read there anyway.
_SHARED = (
    '{} AND EXISTS (SELECT 1 FROM share_link sl WHERE sl.id = {} '
    'AND sl.revoked_at IS NULL AND EXISTS (SELECT 1 FROM membership om WHERE om.library = "photo"."library" '
    'AND om."user" = sl.owner) AND (EXISTS (SELECT 1 FROM share_link_photo sp WHERE sp.share_link = sl.id '
    'AND sp.photo = "photo"."id") OR EXISTS (SELECT 1 FROM album_photo ap WHERE ap.album = sl.album '
    'AND ap.photo = "photo"."id")))')
# The viewer's own heart on the photo (favourites are per user; a share link has none).
_FAVOURITE = 'EXISTS (SELECT 1 FROM photo_favourite pf WHERE pf.photo = "photo"."id" AND pf."user" = {})'
# The viewer's favourites as a list filter: an IN the planner starts from (a few hearts among 100k photos:
# 0.3 ms), where the EXISTS above, tested on every photo walked newest first, read them all (56 ms).
_FAVOURITES_ONLY = '"photo"."id" IN (SELECT pf.photo FROM photo_favourite pf WHERE pf."user" = {})'
_IN_ALBUM = 'EXISTS (SELECT 1 FROM album_photo ap WHERE ap.album = {} AND ap.photo = "photo"."id")'
# Uncorrelated: the planner evaluates it once per statement.
_ALBUM_SEEN_BY = ('EXISTS (SELECT 1 FROM album al WHERE al.id = {} AND (al.owner = {} OR EXISTS '
                  '(SELECT 1 FROM album_member am WHERE am.album = al.id AND am."user" = {})))')
_ALBUM_OF_LINK = 'EXISTS (SELECT 1 FROM share_link sl WHERE sl.id = {} AND sl.album = {})'


def not_trashed() -> QueryString:
    """Photos out of the trash. On SQLite the unary + keeps the planner off the trashed_at index: with no
    statistics it would pick that index (every photo is NULL there) and sort the whole library, where walking
    sort_at newest first stops after a page. PostgreSQL knows better from its statistics (and has no unary +
    for timestamps)."""
    if Photo._meta.db.engine_type == "sqlite":
        return QueryString('+"photo"."trashed_at" IS NULL')
    return QueryString('"photo"."trashed_at" IS NULL')


@dataclass(frozen=True, slots=True)
class Scope:
    """Who is looking: `Scope.user(id)`, `Scope.share(link id)`, either narrowed with `.album(id)`."""

    user_id: int | None = None
    share_link_id: int | None = None
    album_id: int | None = None

    @classmethod
    def user(cls, user_id: int) -> Scope:
        return cls(user_id=int(user_id))

    @classmethod
    def share(cls, share_link_id: int) -> Scope:
        return cls(share_link_id=int(share_link_id))

    def album(self, album_id: int) -> Scope:
        """The photos of one album, as this viewer may see it: a user's scope needs the album to be theirs
        or shared with them, a link's to be the album it shares (another album's id sees nothing, so it
        reveals nothing)."""
        return replace(self, album_id=int(album_id))

    @property
    def is_share(self) -> bool:
        return self.share_link_id is not None

    def where(self) -> QueryString:
        """The clause on "photo" for the photos in this scope."""
        if self.share_link_id is not None:
            clause = QueryString(_SHARED, not_trashed(), self.share_link_id)
            if self.album_id is not None:
                clause = QueryString("{} AND {} AND {}", clause, QueryString(_IN_ALBUM, self.album_id),
                                     QueryString(_ALBUM_OF_LINK, self.share_link_id, self.album_id))
            return clause
        if self.user_id is None:
            raise ValueError("a scope is a user or a share link")
        if self.album_id is not None:
            # Seeing the album is seeing its photos, whichever library they come from.
            return QueryString("{} AND {}", QueryString(_IN_ALBUM, self.album_id),
                               QueryString(_ALBUM_SEEN_BY, self.album_id, self.user_id, self.user_id))
        return QueryString("({} OR {})", QueryString(_MEMBER, self.user_id),
                           QueryString(_IN_THEIR_ALBUMS, self.user_id, self.user_id))

    def can_edit(self) -> QueryString:
        """An expression, true where the viewer may rate, tag and change the photo: a member of its library.
        Album members and share visitors only look."""
        if self.user_id is None:
            return QueryString("(1 = 0)")
        return QueryString(_MEMBER, self.user_id)

    def favourite(self) -> QueryString:
        """An expression, true where the photo is one of the viewer's own favourites; never for a share
        link's visitor."""
        if self.user_id is None:
            return QueryString("(1 = 0)")
        return QueryString(_FAVOURITE, self.user_id)

    def favourites_only(self) -> QueryString:
        """The clause keeping the viewer's own favourites (the Favourites view); none for a share link."""
        if self.user_id is None:
            return QueryString("(1 = 0)")
        return QueryString(_FAVOURITES_ONLY, self.user_id)


def member_of_library(user_id: int) -> WhereRaw:
    """The Piccolo where-clause for photos of the user's libraries only: what writes (rating, tags) act on."""
    return WhereRaw(_MEMBER, int(user_id))
