"""Bounded integer parameters: an id must fit the id columns (PostgreSQL `serial`, 32-bit signed; SQLite
holds 64), so a bigger one is a 400, never an OverflowError in SQLite or a DataError in asyncpg."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

MAX_ID = 2**31 - 1            # PostgreSQL serial / integer, the narrower of our two engines
MAX_PAGE = 1_000_000          # page * per_page stays far inside a 64-bit OFFSET

Id = Annotated[int, Parameter(ge=1, le=MAX_ID)]
OptionalId = Annotated[int | None, Parameter(ge=1, le=MAX_ID)]


def parse_id(raw: object) -> int | None:
    """A form field or cursor part as an id, or None when it is not a whole number inside the id range."""
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        return None
    return value if 1 <= value <= MAX_ID else None
