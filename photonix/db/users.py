"""A user's lifecycle after creation: passwords, disabling, admin rights, deletion, leaving a library.

The last active admin can never be disabled, demoted or deleted: each of those is one conditional
statement that only matches while another active admin remains. SQLite runs one write at a time; on
PostgreSQL the statement runs in a transaction that first locks the active admins' rows, so two admins
disabling each other at the same instant are serialized and the second sees the first's change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import WhereRaw

from photonix.db.accounts import MIN_PASSWORD, AccountError
from photonix.db.passwords import hash_password, password_matches
from photonix.db.tables import Membership, User

_LOCK_ACTIVE_ADMINS = 'SELECT "id" FROM "photonix_user" WHERE "is_admin" AND NOT "disabled" FOR UPDATE'


class LastAdmin(AccountError):
    """The action would leave no active admin."""


@dataclass(frozen=True, slots=True)
class UserState:
    id: int
    username: str
    is_admin: bool
    disabled: bool


def _another_active_admin(user_id: int) -> Any:
    """True while the user is not an active admin, or another active admin exists."""
    return WhereRaw(
        '(NOT "is_admin" OR "disabled" OR EXISTS (SELECT 1 FROM "photonix_user" other '
        'WHERE other."is_admin" AND NOT other."disabled" AND other."id" <> {}))', int(user_id))


def _last_admin(action: str) -> LastAdmin:
    return LastAdmin(f"You can't {action} the last admin: make another user an admin first.")


async def user_state(user_id: int) -> UserState | None:
    row = await User.select(User.id, User.username, User.is_admin, User.disabled).where(
        User.id == user_id
    ).first()
    if not row:
        return None
    return UserState(row["id"], row["username"], bool(row["is_admin"]), bool(row["disabled"]))


async def user_state_by_name(username: str) -> UserState | None:
    row = await User.select(User.id).where(User.username == username).first()
    return await user_state(row["id"]) if row else None


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Use at least {MIN_PASSWORD} characters.")


async def set_password(user_id: int, password: str) -> None:
    """An admin's reset (or the last step of a change); the caller ends the user's sessions."""
    check_password(password)
    digest = await hash_password(password)                        # argon2 runs in passwords' bounded threads
    updated = await User.update({User.password_hash: digest}).where(User.id == user_id).returning(User.id)
    if not updated:
        raise AccountError("There is no such user.")


async def change_password(user_id: int, current: str, new: str) -> None:
    """The user's own change: the current password first, so a borrowed session cannot lock them out."""
    row = await User.select(User.password_hash).where(User.id == user_id).first()
    if row is None:
        raise AccountError("There is no such user.")
    if not await password_matches(row["password_hash"], current):
        raise AccountError("Your current password is not right.")
    await set_password(user_id, new)


async def _guarded(query: Any) -> list[dict[str, Any]]:
    """Run a statement guarded by _another_active_admin with the active admins locked (PostgreSQL)."""
    engine = User._meta.db
    if engine.engine_type != "postgres":
        rows: list[dict[str, Any]] = await query
        return rows
    async with engine.transaction():
        await User.raw(_LOCK_ACTIVE_ADMINS)
        rows = await query
    return rows


async def set_disabled(user_id: int, disabled: bool) -> None:
    if not disabled:
        await User.update({User.disabled: False}).where(User.id == user_id)
        return
    query = User.update({User.disabled: True}).where((User.id == user_id) & _another_active_admin(user_id))
    if not await _guarded(query.returning(User.id)):
        await _explain(user_id, "disable")


async def set_admin(user_id: int, is_admin: bool) -> None:
    if is_admin:
        await User.update({User.is_admin: True}).where(User.id == user_id)
        return
    query = User.update({User.is_admin: False}).where((User.id == user_id) & _another_active_admin(user_id))
    if not await _guarded(query.returning(User.id)):
        await _explain(user_id, "demote")


async def delete_user(user_id: int) -> None:
    """Their memberships and tokens go with them (cascade); the photos stay with their libraries."""
    query = User.delete().where((User.id == user_id) & _another_active_admin(user_id))
    if not await _guarded(query.returning(User.id)):
        await _explain(user_id, "delete")


async def _explain(user_id: int, action: str) -> None:
    if await user_state(user_id) is None:
        raise AccountError("There is no such user.")
    raise _last_admin(action)


async def remove_member(library_id: int, user_id: int) -> bool:
    """False when the user was not a member."""
    removed = await Membership.delete().where(
        (Membership.library == library_id) & (Membership.user == user_id)
    ).returning(Membership.id)
    return bool(removed)
