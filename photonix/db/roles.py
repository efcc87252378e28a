"""Library roles, checked in the query: what a viewer may do in a library or to one of its photos.

Members view, rate, tag and upload. Owners also manage the library's folders and members and reprocess
its photos. Admins manage every library. The one rule, the same on pages and in /api/v1: a viewer who
cannot see the library or photo (or it does not exist) gets NotVisible (404); one who sees it but whose
role is too low gets NotAllowed (403).

Seeing photos stays a matter of membership (db/scope.py): an admin who is not a member manages a
library in settings but does not see its photos in the grid."""

from __future__ import annotations

from enum import IntEnum

from photonix.db.accounts import Viewer
from photonix.db.tables import Library, Membership, Photo
from photonix.errors import NotAllowed, NotVisible


class Role(IntEnum):
    """Ordered: a higher role may do everything a lower one may."""

    MEMBER = 1
    OWNER = 2
    ADMIN = 3


MEMBERSHIP_ROLES = {"member": Role.MEMBER, "owner": Role.OWNER}


def _stored(role: str) -> Role:
    return MEMBERSHIP_ROLES.get(role, Role.MEMBER)       # an unknown stored value grants the least


async def library_role(viewer: Viewer, library_id: int) -> Role | None:
    """The viewer's role in the library; None when it does not exist or they have none there."""
    if viewer.is_admin:
        return Role.ADMIN if await Library.exists().where(Library.id == library_id) else None
    row = await Membership.select(Membership.role).where(
        (Membership.user == viewer.id) & (Membership.library == library_id)
    ).first()
    return _stored(row["role"]) if row else None


async def photo_role(viewer: Viewer, photo_id: int) -> Role | None:
    """The viewer's role over the photo's library, in one query; None when the photo is not visible to
    them."""
    row = await Membership.select(Membership.role).where(
        (Membership.user == viewer.id)
        & Membership.library.is_in(Photo.select(Photo.library).where(Photo.id == photo_id))
    ).first()
    if row is None:
        return None
    return Role.ADMIN if viewer.is_admin else _stored(row["role"])


def _check(role: Role | None, needs: Role, what: str) -> Role:
    if role is None:
        raise NotVisible(f"This {what} isn't here.")
    if role < needs:
        raise NotAllowed(f"Only the library's owners and admins can do that; you are a {role.name.lower()}.")
    return role


async def require_library_role(viewer: Viewer, library_id: int, needs: Role) -> Role:
    """The viewer's role when it is at least `needs`; NotVisible or NotAllowed otherwise."""
    return _check(await library_role(viewer, library_id), needs, "library")


async def require_photo_role(viewer: Viewer, photo_id: int, needs: Role) -> Role:
    return _check(await photo_role(viewer, photo_id), needs, "photo")


async def managed_library_ids(viewer: Viewer) -> set[int] | None:
    """The libraries whose settings the viewer manages: None means all of them (an admin)."""
    if viewer.is_admin:
        return None
    rows = await Membership.select(Membership.library).where(
        (Membership.user == viewer.id) & (Membership.role == "owner")
    )
    return {row["library"] for row in rows}
