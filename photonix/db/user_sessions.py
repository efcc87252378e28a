"""Sign-in sessions (user_session rows): start, look up, end one or all of a user's, count, expire.

The browser holds a random token; only its SHA-256 is stored, and a token is never taken from the
client at sign-in, so a planted cookie cannot become a signed-in session (no session fixation).

A session ends `idle_seconds` after its last request and at the latest `max_age_seconds` after sign-in.
The last request's time is written at most once a minute per session (more often only when the idle
timeout is under ten minutes, so an active session never lapses), not on every request. Sessions live in
the database, not Redis, so a signed-in user's pages still open, and say so, while Redis is away."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from piccolo.columns import Column
from piccolo.custom_types import Combinable

from photonix.config import Settings
from photonix.db.accounts import Viewer
from photonix.db.tables import UserSession

DAY = 24 * 3600
SEEN_EVERY_SECONDS = 60


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    idle_seconds: int = 14 * DAY
    max_age_seconds: int = 120 * DAY

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionPolicy:
        return cls(idle_seconds=settings.session_idle_minutes * 60,
                   max_age_seconds=settings.session_max_days * DAY)

    @property
    def seen_every(self) -> timedelta:
        """How stale the stored last request may get: a minute, or a tenth of a shorter idle timeout."""
        return timedelta(seconds=min(SEEN_EVERY_SECONDS, self.idle_seconds / 10))


DEFAULT_POLICY = SessionPolicy()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(user_id: int) -> str:
    """A new session of the user; the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    await UserSession.insert(
        UserSession(user=user_id, token_hash=_digest(token), created_at=now, seen_at=now))
    return token


async def user_id_for(token: str | None, policy: SessionPolicy = DEFAULT_POLICY) -> int | None:
    """The signed-in user, noting this request as the session's last (to within `seen_every`); None for
    no, an unknown, an idle or a too old session (which is deleted on the way)."""
    row = await _alive_session(token, policy)
    return int(row["user"]) if row is not None else None


async def viewer_for(token: str | None, policy: SessionPolicy = DEFAULT_POLICY) -> Viewer | None:
    """user_id_for's user as the Viewer a page acts for, in the same query; None for a disabled user too,
    so every session of theirs stops at once. Every signed-in page asks this first."""
    row = await _alive_session(token, policy, UserSession.user.username, UserSession.user.is_admin,
                               UserSession.user.disabled)
    if row is None or row["user.disabled"]:
        return None
    return Viewer(int(row["user"]), row["user.username"], bool(row["user.is_admin"]))


async def _alive_session(token: str | None, policy: SessionPolicy,
                         *user_columns: Column) -> dict[str, Any] | None:
    if not token:
        return None
    row: dict[str, Any] | None = await UserSession.select(
        UserSession.id, UserSession.user, UserSession.created_at, UserSession.seen_at, *user_columns,
    ).where(UserSession.token_hash == _digest(token)).first()
    if row is None:
        return None
    now = datetime.now(UTC)
    if (now - row["created_at"] >= timedelta(seconds=policy.max_age_seconds)
            or now - row["seen_at"] >= timedelta(seconds=policy.idle_seconds)):
        await UserSession.delete().where(UserSession.id == row["id"])
        return None
    if now - row["seen_at"] >= policy.seen_every:
        # A session ended meanwhile (sign out everywhere) matches nothing: this request was its last.
        await UserSession.update({UserSession.seen_at: now}).where(UserSession.id == row["id"])
    return row


async def end_session(token: str | None) -> None:
    if token:
        await UserSession.delete().where(UserSession.token_hash == _digest(token))


async def end_all_sessions(user_id: int, *, keep: str | None = None) -> int:
    """End every session of the user except `keep` (the token of the request that asked); how many ended."""
    where: Combinable = UserSession.user == user_id
    if keep:
        where &= UserSession.token_hash != _digest(keep)
    return len(await UserSession.delete().where(where).returning(UserSession.id))


def _alive_after(policy: SessionPolicy, now: datetime) -> tuple[datetime, datetime]:
    """(seen after, started after): the bounds a session must pass to be alive at `now`."""
    return now - timedelta(seconds=policy.idle_seconds), now - timedelta(seconds=policy.max_age_seconds)


async def session_count(user_id: int, policy: SessionPolicy = DEFAULT_POLICY) -> int:
    """Sessions of the user that have not ended."""
    seen_after, started_after = _alive_after(policy, datetime.now(UTC))
    count: int = await UserSession.count().where(
        (UserSession.user == user_id) & (UserSession.seen_at > seen_after)
        & (UserSession.created_at > started_after))
    return count


async def delete_expired(policy: SessionPolicy, now: datetime | None = None) -> int:
    """Delete every session idle or older than the policy allows; how many. (A lookup deletes an expired
    session too; this catches the ones nobody comes back with.)"""
    seen_after, started_after = _alive_after(policy, now or datetime.now(UTC))
    deleted = await UserSession.delete().where(
        (UserSession.seen_at <= seen_after) | (UserSession.created_at <= started_after)
    ).returning(UserSession.id)
    return len(deleted)
