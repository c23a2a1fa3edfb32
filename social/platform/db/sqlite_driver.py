"""aiosqlite as SQLAlchemy drives it, with one hop to its thread a statement instead of four,
and none inside a write transaction.

SQLAlchemy's aiosqlite adapter makes a cursor, executes, fetches and closes it, each an await
on aiosqlite's thread: a future resolved from the thread and a wake of the event loop. Under
load every such hop waits its turn behind all the other ready work of the loop, and on SQLite
the writer holds the process's write turn (`WriteGate`) across its hops: measured under the
mixed load, a post's transaction held the turn 36-60 ms (p50) for microseconds of SQL, and
posts queued behind each other for a second. Here a read is one function run on the
connection's thread (cursor, execute, fetch, close), and once a connection holds the write
turn and SQLite's write lock (`BEGIN IMMEDIATE`, which may wait for another process and so
still goes to the thread), its statements, commit and rollback run at once on the calling
thread: no lock can make them wait (the lock is held), and the turn is held for the SQL
alone. Server-side cursors, transactions and errors are SQLAlchemy's as before."""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Callable
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

_Done = tuple[Any, int, int | None, list[Any] | None]
"""(description, rowcount, lastrowid, rows or None) of a statement run on the thread."""


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Done:
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else None
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


async def _now(call: Callable[[], None]) -> None:
    call()  # at once, on the calling thread: nothing is awaited


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statement runs whole on aiosqlite's thread, or at once on the
    calling thread while its connection holds the write lock (`_Connection.writing`)."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")
    _adapt_connection: _Connection

    def __init__(self, adapt_connection: Any) -> None:  # no cursor made up front: no hop
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]  # sqlite3's: None before an insert

    async def _async_soft_close(self) -> None:
        return None  # the sqlite3 cursor was closed on the thread already

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        return self._statement(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        return self._statement(operation, seq_of_parameters, many=True)

    def _statement(self, operation: str, parameters: Any, *, many: bool) -> Any:
        run = self._here if self._adapt_connection.writing else self._on_thread
        try:
            return await_(run(operation, parameters, many=many))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    async def _here(self, operation: str, parameters: Any, *, many: bool) -> None:
        """Runs on the loop's thread without suspending: awaited only because SQLAlchemy's
        async layer insists that a statement awaits something."""
        self._took(_run(self._connection._conn, operation, parameters, many))

    def _took(self, done: _Done) -> None:
        self._description, self._rowcount, self._lastrowid, rows = done
        if rows is not None:
            self._rows = collections.deque(rows)

    async def _on_thread(self, operation: str, parameters: Any, *, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with self._adapt_connection._execute_mutex:
            done: _Done = await connection._execute(  # type: ignore[no-untyped-call]
                _run, connection._conn, operation, parameters, many
            )
        self._took(done)


class _Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("writing",)
    _cursor_cls = OneHopCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.writing = False
        """Set by `WriteGate` while this connection holds the write turn and lock."""

    def _at_once(self) -> bool:
        """In the write transaction, or in none (the pool's reset after every session: a
        rollback with nothing to roll back), the call is made at once, without a hop."""
        raw: sqlite3.Connection | None = self._connection._connection
        return raw is not None and (self.writing or not raw.in_transaction)

    def commit(self) -> None:
        self._end("commit")

    def rollback(self) -> None:
        self._end("rollback")

    def _end(self, how: str) -> None:
        if not self._at_once():
            getattr(super(), how)()  # also a connection already closed: a no-op there
            return
        try:
            await_(_now(getattr(self._connection._conn, how)))
        except Exception as error:
            self._handle_exception(error)


def set_writing(dbapi_connection: Any, writing: bool) -> None:
    """Tell a connection of this driver that it holds (or no longer holds) the write lock."""
    if isinstance(dbapi_connection, _Connection):
        dbapi_connection.writing = writing


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module to pass as `create_async_engine(..., module=OneHopDBAPI())`."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        # used from the event loop's thread too, inside a write transaction (one at a time)
        kw["check_same_thread"] = False
        adapted = super().connect(*arg, **kw)
        return _Connection(self, adapted._connection)
