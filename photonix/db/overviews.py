"""What the admin settings list: each library with folders, photo count and members; each user's libraries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from piccolo.query.functions.aggregate import Count

from photonix.db.tables import Library, LibraryFolder, Membership, Photo, User


@dataclass(frozen=True, slots=True)
class MemberInfo:
    username: str
    role: str            # "owner" | "member"
    user_id: int = 0


@dataclass(frozen=True, slots=True)
class LibraryOverview:
    id: int
    name: str
    folders: tuple[Path, ...]
    photo_count: int
    members: tuple[MemberInfo, ...]


@dataclass(frozen=True, slots=True)
class UserOverview:
    id: int
    username: str
    is_admin: bool
    libraries: tuple[str, ...]
    disabled: bool = False


async def library_overviews() -> list[LibraryOverview]:
    """Four queries whatever the number of libraries, not four per library."""
    libraries = await Library.select(Library.id, Library.name).order_by(Library.id)
    counts = {row["library"]: row["count"] for row in
              await Photo.select(Photo.library, Count()).group_by(Photo.library)}
    folders: dict[int, list[Path]] = defaultdict(list)
    folder_rows = await LibraryFolder.select(LibraryFolder.library, LibraryFolder.path).order_by(
        LibraryFolder.id
    )
    for row in folder_rows:
        folders[row["library"]].append(Path(row["path"]))
    members: dict[int, list[MemberInfo]] = defaultdict(list)
    for row in await Membership.select(Membership.library, Membership.user, Membership.user.username,
                                       Membership.role).order_by(Membership.user.username):
        members[row["library"]].append(MemberInfo(row["user.username"], row["role"], row["user"]))
    return [LibraryOverview(lib["id"], lib["name"], tuple(folders[lib["id"]]), int(counts.get(lib["id"], 0)),
                            tuple(members[lib["id"]])) for lib in libraries]


async def user_overviews() -> list[UserOverview]:
    users = await User.select(User.id, User.username, User.is_admin, User.disabled).order_by(User.username)
    joined: dict[int, list[str]] = defaultdict(list)
    memberships = await Membership.select(Membership.user, Membership.library.name).order_by(
        Membership.library.name
    )
    for row in memberships:
        joined[row["user"]].append(row["library.name"])
    return [UserOverview(u["id"], u["username"], bool(u["is_admin"]), tuple(joined[u["id"]]),
                         bool(u["disabled"]))
            for u in users]


async def library_exists(library_id: int) -> bool:
    return bool(await Library.exists().where(Library.id == library_id))
