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
from social.search.fulltext import SCHEMA_OBJECTS

# SQLite's reflection cannot read the lower(...) indexes back; they are not compared there.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Skipped unsupported reflection:sqlalchemy.exc.SAWarning"),
    pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression"),
]


def _modelled(name: str | None, _kind: str, _parents: Any) -> bool:
    """Leaves out the full-text search objects of migration 0009, which no model describes
    (an FTS5 table and its shadow tables; a generated tsvector column and its GIN index):
    they are each dialect's own DDL. Checked on their own below."""
    return name not in SCHEMA_OBJECTS


def _differences(connection: Connection) -> list[Any]:
    opts = {"compare_type": True, "include_name": _modelled}
    context = MigrationContext.configure(connection, opts=opts)
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"} - SCHEMA_OBJECTS


def _search_objects(connection: Connection) -> set[str]:
    if connection.dialect.name == "postgresql":
        indexes = inspect(connection).get_indexes("statuses")
        columns = inspect(connection).get_columns("statuses")
        names = {i["name"] for i in indexes if i["name"]} | {c["name"] for c in columns}
        return names & SCHEMA_OBJECTS
    return set(inspect(connection).get_table_names()) & SCHEMA_OBJECTS


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


async def test_the_search_objects_are_there(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            found = await connection.run_sync(_search_objects)
    finally:
        await engine.dispose()
    postgresql = database_url.startswith("postgresql")
    wanted = {"ix_statuses_fulltext", "search_vector"} if postgresql else {"statuses_fts"}
    assert wanted <= found


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
    assert asyncio.run(_read(url, _search_objects)) == set()
    upgrade(url)
    assert asyncio.run(_read(url, _tables)) == set(Base.metadata.tables)
    # A column added later must not cost a table its indexes (SQLite's batch copies lose them).
    declared = {index.name for table in Base.metadata.tables.values() for index in table.indexes}
    assert declared <= asyncio.run(_read(url, _sqlite_indexes))
