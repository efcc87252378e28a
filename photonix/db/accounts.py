"""Users, libraries, memberships and API tokens: who may see which photos."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from photonix.db.passwords import hash_password, password_matches
from photonix.db.tables import ApiToken, Library, LibraryFolder, Membership, User
from photonix.errors import PhotonixError

MIN_PASSWORD = 8


class AccountError(PhotonixError):
    """A user or library request that cannot be met (duplicate name, unknown user)."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in user a request acts for."""

    id: int
    username: str
    is_admin: bool


@dataclass(frozen=True, slots=True)
class LibraryInfo:
    id: int
    name: str
    folders: tuple[Path, ...]


def _now() -> datetime:
    return datetime.now(UTC)


async def create_user(username: str, password: str, *, is_admin: bool = False) -> int:
    if not username.strip() or len(password) < 8:
        raise AccountError("a user needs a name and a password of at least 8 characters")
    if await User.exists().where(User.username == username):
        raise AccountError(f"a user named {username!r} already exists")
    return await _insert_user(username, await hash_password(password), is_admin)


async def _insert_user(username: str, password_hash: str, is_admin: bool) -> int:
    row = await User.insert(
        User(username=username, password_hash=password_hash, is_admin=is_admin, created_at=_now())
    ).returning(User.id)
    return int(row[0]["id"])


async def create_first_admin(username: str, password: str, library_name: str,
                             folders: list[Path]) -> tuple[int, int]:
    """First run: (admin id, library id), made only while there is no user at all.

    The "no users yet" check and the inserts are one transaction that holds the user table's write
    lock from its start (SQLite BEGIN IMMEDIATE; PostgreSQL LOCK TABLE), so of two concurrent first
    runs exactly one makes an admin; the other gets AccountError. The password is hashed before the
    transaction, so the lock is held for milliseconds, not for argon2."""
    if not username.strip() or len(password) < 8:
        raise AccountError("a user needs a name and a password of at least 8 characters")
    password_hash = await hash_password(password)
    engine = User._meta.db
    if isinstance(engine, SQLiteEngine):
        transaction = engine.transaction(transaction_type=TransactionType.immediate)
    else:
        transaction = engine.transaction()
    async with transaction:
        if not isinstance(engine, SQLiteEngine):
            await User.raw(f'LOCK TABLE "{User._meta.tablename}" IN SHARE ROW EXCLUSIVE MODE')
        if await User.count() > 0:
            raise AccountError("Photonix is already set up: sign in instead")
        user_id = await _insert_user(username, password_hash, is_admin=True)
        library_id = await create_library(library_name, folders, user_id)
    return user_id, library_id


async def authenticate(username: str, password: str) -> Viewer | None:
    """The user, when the password is right and the account is not disabled."""
    row = await User.select().where(User.username == username).first()
    if row is None:
        await hash_password(password)        # same work either way: timing does not reveal names
        return None
    if not await password_matches(row["password_hash"], password):
        return None
    if row["disabled"]:
        return None
    return Viewer(row["id"], row["username"], row["is_admin"])


async def user_by_id(user_id: int) -> Viewer | None:
    """An active user: a disabled one is None, so every session and token of theirs stops at once."""
    row = await User.select(User.id, User.username, User.is_admin).where(
        (User.id == user_id) & (User.disabled == False)  # noqa: E712 (SQL, not Python)
    ).first()
    return Viewer(row["id"], row["username"], row["is_admin"]) if row else None


async def user_by_name(username: str) -> Viewer | None:
    row = await User.select(User.id, User.username, User.is_admin).where(User.username == username).first()
    return Viewer(row["id"], row["username"], row["is_admin"]) if row else None


async def user_count() -> int:
    count: int = await User.count()
    return count


async def create_library(name: str, folders: list[Path], owner_id: int | None = None) -> int:
    if not name.strip():
        raise AccountError("a library needs a name")
    if await Library.exists().where(Library.name == name):
        raise AccountError(f"a library named {name!r} already exists")
    row = await Library.insert(Library(name=name, created_at=_now())).returning(Library.id)
    library_id = int(row[0]["id"])
    for folder in folders:
        await add_folder(library_id, folder)
    if owner_id is not None:
        await add_member(library_id, owner_id, role="owner")
    return library_id


async def add_folder(library_id: int, folder: Path) -> None:
    await LibraryFolder.insert(LibraryFolder(library=library_id, path=str(folder))).on_conflict(
        target=(LibraryFolder.library, LibraryFolder.path), action="DO NOTHING"
    )


async def add_member(library_id: int, user_id: int, role: str = "member") -> None:
    await Membership.insert(Membership(user=user_id, library=library_id, role=role)).on_conflict(
        target=(Membership.user, Membership.library), action="DO UPDATE", values=[Membership.role]
    )


async def library_by_name(name: str) -> LibraryInfo | None:
    row = await Library.select(Library.id, Library.name).where(Library.name == name).first()
    return await _library_info(row["id"], row["name"]) if row else None


async def library_by_id(library_id: int) -> LibraryInfo | None:
    row = await Library.select(Library.id, Library.name).where(Library.id == library_id).first()
    return await _library_info(row["id"], row["name"]) if row else None


async def all_libraries() -> list[LibraryInfo]:
    rows = await Library.select(Library.id, Library.name).order_by(Library.id)
    return [await _library_info(row["id"], row["name"]) for row in rows]


async def libraries_of(user_id: int) -> list[LibraryInfo]:
    rows = await Library.select(Library.id, Library.name).where(
        Library.id.is_in(Membership.select(Membership.library).where(Membership.user == user_id))
    ).order_by(Library.id)
    return [await _library_info(row["id"], row["name"]) for row in rows]


async def _library_info(library_id: int, name: str) -> LibraryInfo:
    folders = await LibraryFolder.select(LibraryFolder.path).where(LibraryFolder.library == library_id)
    return LibraryInfo(library_id, name, tuple(Path(f["path"]) for f in folders))


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(user_id: int, name: str = "") -> str:
    """A new bearer token, shown once; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    await ApiToken.insert(
        ApiToken(user=user_id, name=name, token_hash=_token_digest(token), created_at=_now())
    )
    return token


async def viewer_for_token(token: str) -> Viewer | None:
    row = await ApiToken.select(ApiToken.id, ApiToken.user).where(
        ApiToken.token_hash == _token_digest(token)
    ).first()
    if row is None:
        return None
    viewer = await user_by_id(row["user"])
    if viewer is not None:
        await ApiToken.update({ApiToken.last_used_at: _now()}).where(ApiToken.id == row["id"])
    return viewer
