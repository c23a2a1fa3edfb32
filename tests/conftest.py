"""Shared fixtures: a real Redis (REDIS_URL, or an embedded Valkey) with a clean keyspace per test,
and a real database (DATABASE_URL's server, or a SQLite file) migrated once, emptied per test."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from starlette.applications import Starlette

from social.app import create_app
from social.config import Settings
from social.db.migrate import upgrade
from social.db.models import Base
from social.redis import AnyRedis, EmbeddedRedis, client_from_url, flush_all


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`REDIS_URL` when set, else one embedded server for the whole test session."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    server = EmbeddedRedis(str(tmp_path_factory.mktemp("valkey")), persist=False)
    yield server.start()
    server.stop()


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[AnyRedis]:
    """A client on an empty keyspace."""
    client = client_from_url(redis_url)
    await flush_all(client)
    yield client
    await client.aclose()


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A freshly migrated database: a throwaway one on `DATABASE_URL`'s server, else SQLite."""
    given = os.environ.get("DATABASE_URL")
    if not given:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'social.db'}"
        upgrade(url)
        yield url
        return
    name = f"social_test_{secrets.token_hex(4)}"
    asyncio.run(_admin(given, f'CREATE DATABASE "{name}"'))
    url = make_url(given).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(_admin(given, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def empty_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            await conn.execute(table.delete())


MakeApp = Callable[..., Any]


@pytest.fixture
async def make_app(
    database_url: str, redis_url: str, redis: AnyRedis, tmp_path: Any
) -> AsyncIterator[MakeApp]:
    """Build apps on the test database and Redis (both emptied first); settings as keywords."""
    built: list[Starlette] = []
    cleaned = False

    async def make(**overrides: Any) -> Starlette:
        nonlocal cleaned
        base: dict[str, Any] = {
            "database_url": database_url,
            "redis_url": redis_url,
            "data_dir": str(tmp_path),
        }
        settings = Settings(**{**base, **overrides})
        app = create_app(settings)
        if not cleaned:
            await empty_tables(app.state.ctx.engine)
            cleaned = True
        built.append(app)
        return app

    yield make
    for app in built:
        await app.state.ctx.close()


@pytest.fixture
async def app(make_app: MakeApp) -> Starlette:
    app: Starlette = await make_app()
    return app


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as c:
        yield c
