"""API tokens after creation: list them with their last use, and revoke them (accounts.create_token makes
them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from piccolo.custom_types import Combinable

from photonix.db.tables import ApiToken


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What a list shows; the secret itself is never stored, only its digest."""

    id: int
    user_id: int
    username: str
    name: str
    created_at: datetime
    last_used_at: datetime | None


async def list_tokens(user_id: int | None) -> list[TokenInfo]:
    """The user's tokens, or with None every user's (for an admin), newest first."""
    query = ApiToken.select(ApiToken.id, ApiToken.user, ApiToken.user.username, ApiToken.name,
                            ApiToken.created_at, ApiToken.last_used_at)
    if user_id is not None:
        query = query.where(ApiToken.user == user_id)
    rows = await query.order_by(ApiToken.id, ascending=False)
    return [TokenInfo(row["id"], row["user"], row["user.username"], row["name"], row["created_at"],
                      row["last_used_at"]) for row in rows]


async def revoke_token(token_id: int, user_id: int | None) -> bool:
    """Delete the token if it belongs to `user_id` (None: an admin, any user's); False when nothing
    matched."""
    where: Combinable = ApiToken.id == token_id
    if user_id is not None:
        where &= ApiToken.user == user_id
    return bool(await ApiToken.delete().where(where).returning(ApiToken.id))
