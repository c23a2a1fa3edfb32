"""Throwaway databases on a server (tests and benchmarks): never touch the one named."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Iterator

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


@contextlib.contextmanager
def scratch_database(server_url: str, prefix: str = "social_scratch") -> Iterator[str]:
    """A new database on `server_url`'s server, dropped afterwards. Call outside an event loop."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
