"""What the engine sets on each PostgreSQL connection."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from starlette.applications import Starlette

from social.platform.db.engine import create_engine


async def test_postgresql_connections_run_without_jit(app: Starlette) -> None:
    """The home's query is estimated costly enough for the JIT, which then spent 740 of its
    741 ms compiling (the bench.load seed's rebuilds hit the statement timeout): it is off on
    the app's connections, its reads' (autocommit) too."""
    ctx = app.state.ctx
    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's JIT")
    for sessions in (ctx.db, ctx.reads):
        async with sessions() as db:
            assert (await db.execute(text("SHOW jit"))).scalar() == "off"
            settings = await db.execute(text("SHOW statement_timeout"))
            assert settings.scalar() != "0"  # the engine's own settings, not the server's


async def test_a_pooled_connection_the_server_ended_is_replaced_at_checkout(
    app: Starlette,
) -> None:
    """The pool's ping (one `SELECT 1`, not the adapter's three round trips) still finds a
    connection PostgreSQL ended (a restart, an idle timeout, an admin): the next session gets
    a new one and its query answers, rather than failing."""
    ctx = app.state.ctx
    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("a server that ends connections")
    async with ctx.db() as db:
        before = (await db.execute(text("SELECT pg_backend_pid()"))).scalar()
    other = create_engine(ctx.settings.database_url)
    try:
        async with other.connect() as conn:
            ended = await conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            assert ended.scalar() >= 1
    finally:
        await other.dispose()
    for sessions in (ctx.db, ctx.reads):
        async with sessions() as db:
            after = (await db.execute(text("SELECT pg_backend_pid()"))).scalar()
        assert after != before
