"""Whether an exception means the database could not be reached (down, restarting, refusing us), which
a caller retries, rather than a query that is wrong, which it must not."""

from __future__ import annotations

import errno

import asyncpg

from photonix.db.tables import ServiceOutage

# PostgreSQL refusing connections for a while: "database x is not currently accepting connections"
# (ALTER DATABASE ... ALLOW_CONNECTIONS false) is SQLSTATE 55000, shared with errors that are bugs.
_REFUSING = "not currently accepting connections"
# Using a connection asyncpg already closed because the server cut it (our code never keeps one).
_CUT_CONNECTION = ("connection has been released back to the pool", "connection is closed")
# The socket, not the query: the server is down, restarting or out of reach.
_NETWORK_ERRNOS = frozenset({errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE,
                             errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ETIMEDOUT})


def is_database_unreachable(exc: BaseException) -> bool:
    if isinstance(exc, asyncpg.InternalClientError):
        # The driver's protocol lost track of a connection the server cut mid-exchange: asyncpg's pool
        # raises it when handing back a connection that `pg_ctl restart` terminated ("cannot switch to
        # state 12; another operation (2) is in progress"), after the query itself had run.
        return True
    if isinstance(exc, asyncpg.InterfaceError):
        # A connection the server cut while a transaction held it: asyncpg closes it and takes it back
        # into its pool, and the transaction's next statement meets it gone.
        return any(symptom in str(exc) for symptom in _CUT_CONNECTION)
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
