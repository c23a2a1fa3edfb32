"""The migrations build the schema the models describe, on this backend, and come back down."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from social.platform.db.engine import create_engine
from social.platform.db.migrate import downgrade, upgrade
from social.platform.db.models import Base

# SQLite's reflection cannot read the lower(...) indexes back; they are not compared there.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Skipped unsupported reflection:sqlalchemy.exc.SAWarning"),
    pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression"),
]


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def _sqlite_indexes(connection: Connection) -> set[str]:
    """Every index by name, the lower(...) ones too (which reflection skips on SQLite)."""
    rows = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")
    return {name for (name,) in rows if not name.startswith("sqlite_autoindex")}


async def test_the_migrated_schema_is_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()


async def _read(url: str, what: Callable[[Connection], set[str]]) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(what)
    finally:
        await engine.dispose()


def test_every_migration_comes_back_down(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'round-trip.db'}"
    upgrade(url)
    downgrade(url, "base")
    assert asyncio.run(_read(url, _tables)) == set()
    upgrade(url)
    assert asyncio.run(_read(url, _tables)) == set(Base.metadata.tables)
    # A column added later must not cost a table its indexes (SQLite's batch copies lose them).
    declared = {index.name for table in Base.metadata.tables.values() for index in table.indexes}
    assert declared <= asyncio.run(_read(url, _sqlite_indexes))
