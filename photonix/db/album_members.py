"""Sharing an album with users of this instance: as a viewer (sees it) or a contributor (also adds, removes
and arranges photos). Only the owner shares; the album then appears in the member's Albums list."""

from __future__ import annotations

from dataclasses import dataclass

from photonix.db.albums import MEMBER_ROLES, AlbumError, AlbumRole, require_album_role
from photonix.db.tables import AlbumMember, User


@dataclass(frozen=True, slots=True)
class AlbumMemberInfo:
    user_id: int
    username: str
    role: str            # "viewer" | "contributor"


async def members_of(user_id: int, album_id: int) -> list[AlbumMemberInfo]:
    """Who the album is shared with, for anyone who sees it (NotVisible otherwise)."""
    await require_album_role(user_id, album_id, AlbumRole.VIEWER)
    rows = await AlbumMember.select(
        AlbumMember.user.as_alias("user_id"), AlbumMember.user.username.as_alias("username"),
        AlbumMember.role,
    ).where(AlbumMember.album == album_id).order_by(AlbumMember.user.username)
    return [AlbumMemberInfo(int(row["user_id"]), row["username"], row["role"]) for row in rows]


async def share_album(owner_id: int, album_id: int, username: str, role: str) -> AlbumMemberInfo:
    """The owner shares the album with a user by name, or changes their role. AlbumError for an unknown or
    disabled user, the owner themself, or a role other than viewer and contributor."""
    await require_album_role(owner_id, album_id, AlbumRole.OWNER)
    if role not in MEMBER_ROLES:
        raise AlbumError("Choose viewer or contributor.")
    name = username.strip()
    row = await User.select(User.id, User.username).where(
        (User.username == name) & (User.disabled == False)  # noqa: E712 (SQL, not Python)
    ).first()
    if row is None:
        raise AlbumError(f"There is no user named {name!r} here." if name else "Type a user name.")
    if row["id"] == owner_id:
        raise AlbumError("You own this album already.")
    await AlbumMember.insert(AlbumMember(album=album_id, user=row["id"], role=role)).on_conflict(
        target=(AlbumMember.album, AlbumMember.user), action="DO UPDATE", values=[AlbumMember.role])
    return AlbumMemberInfo(int(row["id"]), row["username"], role)


async def unshare_album(owner_id: int, album_id: int, member_id: int) -> bool:
    """The owner stops sharing with a member; False when they were not one."""
    await require_album_role(owner_id, album_id, AlbumRole.OWNER)
    rows = await AlbumMember.delete().where(
        (AlbumMember.album == album_id) & (AlbumMember.user == member_id)).returning(AlbumMember.id)
    return bool(rows)


async def leave_album(user_id: int, album_id: int) -> bool:
    """A member takes a shared album out of their own list."""
    rows = await AlbumMember.delete().where(
        (AlbumMember.album == album_id) & (AlbumMember.user == user_id)).returning(AlbumMember.id)
    return bool(rows)
