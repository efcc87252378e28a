"""Bounded integer parameters: a database id fits a signed 64-bit column, so a bigger one is a 400, never
an OverflowError inside SQLite or asyncpg."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

MAX_ID = 2**63 - 1            # BIGINT / SQLite INTEGER
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
