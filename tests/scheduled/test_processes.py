"""Scheduled statuses published by three real `social serve` processes, each running the
scheduler: each exactly once, into the follower's home and onto the follower's open socket;
and one that fell due while every process was stopped, once after they start again."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from social.platform.db.engine import create_engine
from social.platform.db.models import ScheduledStatus, Status
from social.platform.events.keys import SchedulerKeys
from social.platform.events.scheduler import Scheduler
from social.platform.redis.client import AnyRedis
from social.scheduled.service import KIND
from tests.failure.clients import StreamListener, eventually, home
from tests.helpers import User, follow, make_user, register_app
from tests.processes import Launcher, Process, assert_no_bug, stop, wait_healthy

SERVERS = 3
WITHIN_S = 30.0


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    made = create_engine(database_url)
    yield made
    await made.dispose()


async def due_in(engine: AsyncEngine, redis: AnyRedis, scheduled_id: str, seconds: float) -> None:
    """Its time moved in the database, and its job with it (as `PUT` would move both)."""
    at = datetime.now(UTC) + timedelta(seconds=seconds)
    async with engine.begin() as conn:
        await conn.execute(
            update(ScheduledStatus)
            .where(ScheduledStatus.id == int(scheduled_id))
            .values(scheduled_at=at)
        )
    await Scheduler(redis, SchedulerKeys()).schedule(KIND, scheduled_id, at.timestamp())


async def posted(engine: AsyncEngine, author: User) -> Counter[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(Status.text).where(Status.account_id == int(author.id)))
        return Counter(rows.scalars())


async def schedule(client: httpx.AsyncClient, user: User, text: str) -> str:
    at = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    r = await client.post(
        "/api/v1/statuses", headers=user.auth, json={"status": text, "scheduled_at": at}
    )
    assert r.status_code == 200, r.text
    scheduled_id: str = r.json()["id"]
    return scheduled_id


def start_servers(launcher: Launcher) -> list[Process]:
    servers = [launcher.serve() for _ in range(SERVERS)]
    for server in servers:
        wait_healthy(server)
    return servers


async def test_three_servers_publish_each_once_across_a_restart(
    launcher: Launcher, engine: AsyncEngine, redis: AnyRedis
) -> None:
    servers = start_servers(launcher)
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=s.url, timeout=15))
            for s in servers
        ]
        app = await register_app(clients[0])
        alice = await make_user(clients[0], app, "alice")
        bob = await make_user(clients[1], app, "bob")
        await follow(clients[2], bob, alice)
        assert await home(clients[1], bob) == []
        socket = StreamListener(servers[2].ws, bob)
        await socket.start()
        stack.push_async_callback(socket.close)
        now_id = await schedule(clients[0], alice, "while running")
        missed_id = await schedule(clients[1], alice, "while stopped")

        await due_in(engine, redis, now_id, 1)

        async def published() -> list[str]:
            assert await posted(engine, alice) == Counter({"while running": 1})
            shown = await home(clients[1], bob)
            assert len(shown) == 1
            socket.assert_once("update", set(shown))
            return shown

        [first] = await eventually(published, WITHIN_S)

    for server in servers:
        assert stop(server) == 0
        assert_no_bug(server)
    await due_in(engine, redis, missed_id, -60)  # fell due while nothing ran

    servers = start_servers(launcher)
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=s.url, timeout=15))
            for s in servers
        ]

        async def caught_up() -> None:
            expected = Counter({"while running": 1, "while stopped": 1})
            assert await posted(engine, alice) == expected
            shown = await home(clients[0], bob)
            assert len(shown) == 2
            assert shown[1] == first
            async with engine.connect() as conn:
                assert (await conn.execute(select(ScheduledStatus.id))).all() == []

        await eventually(caught_up, WITHIN_S)
        await asyncio.sleep(1)  # three schedulers, several passes each: still once
        assert await posted(engine, alice) == Counter({"while running": 1, "while stopped": 1})
    for server in servers:
        assert stop(server) == 0
        assert_no_bug(server)
        assert "Traceback" not in server.output(), server.output()
