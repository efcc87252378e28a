"""Piccolo's SQLite engine, keeping one connection per event loop instead of opening one per query.

Piccolo opens a new aiosqlite connection (a thread, a file handle, a schema read: ~1.5 ms) for every
statement outside a transaction. A worker runs about forty statements per photo and a grid page about
ten, so that cost showed in both benchmarks. Each statement still commits on its own, so no reader
holds an old snapshot; transactions still get a connection of their own.

It also reads INTEGER columns with `int` (C) where Piccolo's converter goes through Python and Decimal for
every value: a 121-row grid page spent 0.45 of its 1.1 ms in SQLite there."""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import CONVERTERS, SQLiteEngine, dict_factory


def _integer_out(value: bytes) -> int:
    """An INTEGER column's value: `int` reads what SQLite's INTEGER affinity stores; anything else (text
    in an INTEGER column) goes to Piccolo's converter, as before."""
    try:
        return int(value)
    except ValueError:
        return int(CONVERTERS["INTEGER"](value))


# sqlite3's converters are per process, like Piccolo's own registration this replaces.
sqlite3.register_converter("INTEGER", _integer_out)


class SharedConnectionSQLiteEngine(SQLiteEngine):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shared: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[aiosqlite.Connection, asyncio.Lock]
        ] = weakref.WeakKeyDictionary()

    async def _shared_connection(self) -> tuple[aiosqlite.Connection, asyncio.Lock]:
        loop = asyncio.get_running_loop()
        if loop not in self._shared:
            pending = aiosqlite.connect(**self.connection_kwargs)
            # A kept connection must not keep its process alive at exit (aiosqlite's thread is not a
            # daemon by default). Every statement commits on its own, so nothing is left half-written.
            pending._thread.daemon = True
            connection = await pending
            connection.row_factory = dict_factory  # type: ignore[assignment]
            await connection.execute("PRAGMA foreign_keys = 1")
            self._shared[loop] = (connection, asyncio.Lock())
        return self._shared[loop]

    async def _run_in_new_connection(self, query: str, args: list[Any] | None = None,
                                     query_type: str = "generic", table: Any = None) -> Any:
        connection, lock = await self._shared_connection()
        async with lock:                     # one statement at a time on this connection
            try:
                # One trip to aiosqlite's thread for the statement and its rows (execute, fetch and close
                # would be three), and one more to commit only when the statement opened a transaction
                # (a write): each trip is a thread hand-off, and a busy machine makes those costly.
                rows = await connection.execute_fetchall(query, args or [])
                if connection.in_transaction:
                    await connection.commit()
            except BaseException:
                if connection.in_transaction:
                    await connection.rollback()
                raise
        return rows

    async def close_shared(self) -> None:
        connection_and_lock = self._shared.pop(asyncio.get_running_loop(), None)
        if connection_and_lock is not None:
            await connection_and_lock[0].close()
