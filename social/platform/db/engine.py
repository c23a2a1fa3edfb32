"""The async engine and session factory, tuned per backend."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

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
        engine = create_async_engine(url, connect_args={"timeout": lock_timeout_s})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(lock_timeout_s))
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
            },
        }
    return create_async_engine(
        url, pool_size=10, max_overflow=10, pool_pre_ping=True, connect_args=connect_args
    )


def _sqlite_pragmas(lock_timeout_s: float) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={round(lock_timeout_s * 1000)}")
        cursor.close()

    return on_connect


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
