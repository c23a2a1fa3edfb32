"""The async engine and session factory, tuned per backend."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import await_only

from social.platform.db.sqlite_driver import OneHopDBAPI, set_writing

CLIENT_GRACE_S = 2.0


def create_engine(
    database_url: str, *, statement_timeout_s: float = 10.0, lock_timeout_s: float = 5.0
) -> AsyncEngine:
    """`lock_timeout_s`: how long a statement waits for a lock (SQLite: the busy timeout);
    `statement_timeout_s`: how long a PostgreSQL statement may run. Either way the statement
    fails with an error that the app answers with 503, rather than hanging the request."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, module=OneHopDBAPI(), connect_args={"timeout": lock_timeout_s}
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(lock_timeout_s))
        WriteGate(statement_timeout_s).install(engine)
        return engine
    connect_args: dict[str, Any] = {}
    if url.get_driver_name() == "asyncpg":
        connect_args = {
            "timeout": 5,
            # The server cancels with an error naming the cause; the client-side timeout is
            # the backstop for a server that stopped answering altogether.
            "command_timeout": statement_timeout_s + CLIENT_GRACE_S,
            "server_settings": {
                "statement_timeout": str(round(statement_timeout_s * 1000)),
                "lock_timeout": str(round(lock_timeout_s * 1000)),
                # The home's query (a rebuild, a read without Redis) is estimated costly
                # enough for PostgreSQL's JIT, whose compiling then took 740 of its 741 ms on
                # 3,000 statuses (without it: 2 ms); short queries are all this app runs.
                "jit": "off",
            },
        }
    engine = create_async_engine(
        url, pool_size=10, max_overflow=10, pool_pre_ping=True, connect_args=connect_args
    )
    if url.get_driver_name() == "asyncpg":
        engine.sync_engine.dialect.do_ping = _ping_once  # type: ignore[method-assign]
    return engine


def _ping_once(dbapi_connection: Any) -> bool:
    """The pool's pre-ping in one round trip: `SELECT 1` by the simple query protocol (nothing
    prepared, so a pgbouncer in transaction mode is fine with it too). SQLAlchemy's asyncpg
    adapter pings with a `BEGIN`, a `;` and a `ROLLBACK`, three round trips at every checkout
    of every session, which were a fifth of a consumer's time for a status."""
    try:
        await_only(dbapi_connection._connection.execute("SELECT 1"))
    except Exception as error:
        dbapi_connection._handle_exception(error)  # as a DBAPI error: a disconnect is seen
    return True


def _sqlite_pragmas(lock_timeout_s: float) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={round(lock_timeout_s * 1000)}")
        cursor.close()

    return on_connect


# What makes sqlite3 open a transaction (its implicit BEGIN before DML), and a savepoint, which
# outside a transaction would open a deferred one.
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|SAVEPOINT)\b", re.IGNORECASE)


class WriteGate:
    """One write transaction at a time per process on SQLite, the others waiting their turn in
    a FIFO `asyncio.Lock` rather than in SQLite's busy loop on the file lock.

    The gate is taken before the first write of a transaction (the statement that would make
    sqlite3 open it), which then begins with `BEGIN IMMEDIATE`: the write lock and a fresh
    snapshot at once, so a transaction never has to upgrade a stale read snapshot (which WAL
    refuses with SQLITE_BUSY whatever the timeout). It is released after the commit or the
    rollback. Reads before the first write run outside any transaction (sqlite3's legacy
    mode), on their own connections, and never wait for the gate. While a connection holds the
    turn, its statements run at once on the loop's thread (`sqlite_driver.set_writing`), so
    the turn lasts as long as its SQL, not as long as the loop takes to come back to it.

    The wait for the turn is the queue's length times a write transaction's (milliseconds),
    bounded by `wait_s` (then `TimeoutError`, which the app answers with 503); the wait for
    the file lock, which only another process can hold, by the busy timeout."""

    def __init__(self, wait_s: float) -> None:
        self.wait_s = wait_s
        self._lock = asyncio.Lock()
        self._holder: object | None = None  # the DBAPI connection in a write transaction

    def install(self, engine: AsyncEngine) -> None:
        sync = engine.sync_engine
        event.listen(sync, "before_cursor_execute", self._before_execute)
        for name in ("checkin", "close", "invalidate"):
            event.listen(sync, name, self._dropped)
        dialect = sync.dialect
        # The connection events for a commit and a rollback fire before the database has
        # done it; the next writer must start after, or it meets the file lock still held.
        commit, rollback = dialect.do_commit, dialect.do_rollback

        def do_commit(dbapi_connection: Any) -> None:
            try:
                commit(dbapi_connection)
            finally:
                self._release(dbapi_connection)

        def do_rollback(dbapi_connection: Any) -> None:
            try:
                rollback(dbapi_connection)
            finally:
                self._release(dbapi_connection)

        dialect.do_commit = do_commit  # type: ignore[method-assign]
        dialect.do_rollback = do_rollback  # type: ignore[method-assign]

    async def _acquire(self) -> None:
        async with asyncio.timeout(self.wait_s):
            await self._lock.acquire()

    def _before_execute(
        self,
        conn: Connection,
        cursor: Any,
        statement: str,
        _parameters: Any,
        _context: Any,
        _executemany: bool,
    ) -> None:
        dbapi_connection = conn.connection.dbapi_connection
        if self._holder is dbapi_connection or not _WRITES.match(statement):
            return
        await_only(self._acquire())
        self._holder = dbapi_connection
        try:
            cursor.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._release(dbapi_connection)
            raise
        set_writing(dbapi_connection, True)

    def _dropped(self, dbapi_connection: Any, *_args: Any) -> None:
        self._release(dbapi_connection)

    def _release(self, connection: Any) -> None:
        dbapi_connection = getattr(connection, "dbapi_connection", connection)
        if self._holder is not None and self._holder is dbapi_connection:
            set_writing(dbapi_connection, False)
            self._holder = None
            self._lock.release()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for reads that need no transaction of their own, each statement on its own
    snapshot (what READ COMMITTED gives each statement of a transaction anyway). On PostgreSQL
    in autocommit: no `BEGIN` and `ROLLBACK` round trips around the queries, which were most of
    a consumer's database time for a status (four sessions a status, each a ping, a `BEGIN`,
    a query and a `ROLLBACK`). SQLite runs reads outside a transaction already (`WriteGate`).
    Never for writes: each would commit on its own."""
    if engine.dialect.name == "sqlite":
        return session_factory(engine)
    return session_factory(engine.execution_options(isolation_level="AUTOCOMMIT"))
