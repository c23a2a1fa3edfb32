"""SQLite through the one-hop driver: a read is one trip to aiosqlite's thread; a write
transaction makes one (its `BEGIN IMMEDIATE`, which may wait for another process) and then
none; what SQLAlchemy reads off a cursor (rows, rowcount, errors) is as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from social.platform.db.engine import create_engine


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every function sent to an aiosqlite thread."""
    sent: list[str] = []
    real = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(getattr(fn, "__name__", repr(fn)))
        return await real(self, fn, *args, **kwargs)  # type: ignore[no-untyped-call]

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
    return sent


async def test_a_statement_is_one_trip_to_the_thread_and_reads_as_before(
    tmp_path: Path, trips: list[str]
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'one-hop.db'}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
        async with engine.begin() as conn:
            trips.clear()
            inserted = await conn.execute(text("INSERT INTO t (name) VALUES ('a'), ('b')"))
            assert inserted.rowcount == 2
            rows = (await conn.execute(text("SELECT id, name FROM t ORDER BY id"))).all()
            assert [tuple(r) for r in rows] == [(1, "a"), (2, "b")]
            updated = await conn.execute(text("UPDATE t SET name = name || '!' WHERE id > 5"))
            assert updated.rowcount == 0
        assert trips == ["_run"], "only BEGIN IMMEDIATE went to the thread; the rest ran at once"
        async with engine.connect() as conn:
            trips.clear()
            rows = (await conn.execute(text("SELECT name FROM t ORDER BY id"))).all()
            assert [r[0] for r in rows] == ["a", "b"], "the transaction was committed"
            assert trips == ["_run"], "a read outside a write transaction: one trip"
        with pytest.raises(IntegrityError):
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
        async with engine.connect() as conn:
            count = (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one()
            assert count == 2, "the failed insert was rolled back, the earlier two kept"
    finally:
        await engine.dispose()
