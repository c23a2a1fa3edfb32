"""Migration 0009 indexes the statuses written before it, on this backend, keeps the index
right through edits and deletions, and its downgrade takes the index away again."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from social.platform.db.engine import create_engine
from social.platform.db.migrate import downgrade, upgrade
from social.platform.db.models import Status
from social.search.fulltext import matching
from tests.scratch import scratch_database

EARLIER = [
    "INSERT INTO accounts (id, username, display_name, note, locked, bot, discoverable,"
    " indexable, silenced, suspended, statuses_count, followers_count, following_count,"
    " created_at, updated_at) VALUES (1, 'old', '', '', false, false, true, true, false,"
    " false, 1, 0, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    "INSERT INTO statuses (id, account_id, text, content, spoiler_text, sensitive, visibility,"
    " replies_count, favourites_count, reblogs_count, created_at)"
    " VALUES (10, 1, 'written before search', '', 'a warning', false, 'public', 0, 0, 0,"
    " CURRENT_TIMESTAMP)",
    "INSERT INTO statuses (id, account_id, text, content, spoiler_text, sensitive, visibility,"
    " replies_count, favourites_count, reblogs_count, created_at, reblog_of_id)"
    " VALUES (11, 1, 'written', '', '', false, 'public', 0, 0, 0, CURRENT_TIMESTAMP, 10)",
]


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    given = os.environ.get("DATABASE_URL")
    if given:
        with scratch_database(given, "social_backfill") as scratch:
            yield scratch
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'backfill.db'}"


async def _run(url: str, statements: list[str]) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def _found(url: str, words: str) -> list[int]:
    engine = create_engine(url)
    try:
        condition = matching(engine.dialect.name, words)
        assert condition is not None
        async with engine.connect() as conn:
            return list((await conn.execute(select(Status.id).where(condition))).scalars())
    finally:
        await engine.dispose()


def test_statuses_written_before_0009_are_found(url: str) -> None:
    upgrade(url, "0008")
    asyncio.run(_run(url, EARLIER))
    upgrade(url)
    assert asyncio.run(_found(url, "WRITTEN search")) == [10]  # never a boost
    assert asyncio.run(_found(url, "warning")) == [10]  # the content warning too
    asyncio.run(_run(url, ["UPDATE statuses SET text = 'edited since' WHERE id = 10"]))
    assert asyncio.run(_found(url, "search")) == []
    assert asyncio.run(_found(url, "edited")) == [10]
    asyncio.run(_run(url, ["DELETE FROM statuses"]))
    assert asyncio.run(_found(url, "edited")) == []
    downgrade(url, "0008")
    upgrade(url)  # and up again
    assert asyncio.run(_found(url, "warning")) == []
