"""A real server on a loopback port (lifespan on: relay and consumers run in-process)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from social.app import create_app
from social.config import Settings
from social.platform.redis.client import AnyRedis
from tests.conftest import empty_database, free_port, running
from tests.helpers import ClientApp, User, make_user, register_app
from tests.processes import Process, stop


@dataclass
class Server:
    url: str
    app: Starlette

    @property
    def ws(self) -> str:
        return self.url.replace("http://", "ws://") + "/api/v1/streaming"


StartServer = Callable[..., Server]


@pytest.fixture
def start_server(
    database_url: str, redis_url: str, redis: AnyRedis, tmp_path: Path
) -> Iterator[StartServer]:
    servers = contextlib.ExitStack()

    def start(**overrides: Any) -> Server:
        port = free_port()
        settings = Settings(
            **{
                "database_url": database_url,
                "redis_url": redis_url,
                "data_dir": str(tmp_path),
                "domain": f"127.0.0.1:{port}",
                "ratelimit_enabled": False,
                "streaming_ping_interval_s": 0.5,
                **overrides,
            }
        )
        asyncio.run(empty_database(database_url))
        app = create_app(settings)
        url = servers.enter_context(
            running(app, port, ws_ping_interval=settings.streaming_ping_interval_s)
        )
        return Server(url, app)

    with servers:
        yield start


@pytest.fixture
def server(start_server: StartServer, request: pytest.FixtureRequest) -> Server:
    """Settings overrides by indirect parametrization: `parametrize("server", [{...}], ...)`."""
    return start_server(**getattr(request, "param", {}))


@pytest.fixture
async def http(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        yield client


@pytest.fixture
async def client_app(http: httpx.AsyncClient) -> ClientApp:
    return await register_app(http)


MakeUser = Callable[[str], Awaitable[User]]


@pytest.fixture
def user(http: httpx.AsyncClient, client_app: ClientApp) -> MakeUser:
    async def make(name: str) -> User:
        return await make_user(http, client_app, name)

    return make


SpawnServe = Callable[[], Process]


@pytest.fixture
def spawn_serve(database_url: str, redis_url: str, tmp_path: Path) -> Iterator[SpawnServe]:
    """Starts `social serve` processes (not yet waited for: see `wait_healthy`)."""
    started: list[Process] = []
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "DATABASE_URL": database_url,
        "SOCIAL_DATA_DIR": str(tmp_path),
        "SOCIAL_RATELIMIT_SCALE": "1000",
        "SOCIAL_LOG_LEVEL": "warning",
    }

    def spawn() -> Process:
        port = free_port()
        log = tmp_path / f"serve-{port}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "social", "serve", "--port", str(port)],
                cwd=tmp_path,
                env={**env, "SOCIAL_DOMAIN": f"127.0.0.1:{port}"},
                stdout=out,
                stderr=out,
            )
        process = Process(f"http://127.0.0.1:{port}", proc, log)
        started.append(process)
        return process

    yield spawn
    for process in started:
        stop(process)
