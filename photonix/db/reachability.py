"""Whether an exception means the database could not be reached (down, restarting, refusing us), which
a caller retries, rather than a query that is wrong, which it must not."""

from __future__ import annotations

import errno

import asyncpg

from photonix.db.tables import ServiceOutage

# PostgreSQL refusing connections for a while: "database x is not currently accepting connections"
# (ALTER DATABASE ... ALLOW_CONNECTIONS false) is SQLSTATE 55000, shared with errors that are bugs.
_REFUSING = "not currently accepting connections"
# The socket, not the query: the server is down, restarting or out of reach.
_NETWORK_ERRNOS = frozenset({errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE,
                             errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ETIMEDOUT})


def is_database_unreachable(exc: BaseException) -> bool:
    if isinstance(exc, (asyncpg.PostgresConnectionError, asyncpg.CannotConnectNowError,
                        asyncpg.AdminShutdownError, asyncpg.CrashShutdownError,
                        asyncpg.TooManyConnectionsError)):
        return True
    if isinstance(exc, asyncpg.ObjectNotInPrerequisiteStateError):
        return _REFUSING in str(exc)
    return isinstance(exc, OSError) and exc.errno in _NETWORK_ERRNOS


async def ping_database() -> None:
    """One round trip; raises what the driver raises when the database cannot be reached."""
    await ServiceOutage.raw("SELECT 1")
