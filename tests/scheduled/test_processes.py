"""Scheduled statuses published by real processes sharing the scheduler (three `social serve`
running it in-process; or a server without it beside two `social worker`s): each exactly
once, into the follower's home and onto the follower's open socket; and one that fell due
while every process was stopped, once after they start again."""

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
from tests.processes import (
    WORKER_READY,
    Launcher,
    Process,
    assert_no_bug,
    stop,
    wait_for_log,
    wait_healthy,
)

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


def start(launcher: Launcher, workers: int) -> tuple[list[Process], list[Process]]:
    """Three servers running the scheduler in-process, or (`workers` > 0) one without it
    beside that many workers."""
    env = {"SOCIAL_IN_PROCESS_WORKERS": "false"} if workers else {}
    servers = [launcher.serve(**env) for _ in range(1 if workers else SERVERS)]
    running = [launcher.worker() for _ in range(workers)]
    for server in servers:
        wait_healthy(server)
    for worker in running:
        wait_for_log(worker, WORKER_READY)
    return servers, running


def stop_all(processes: list[Process]) -> None:
    for process in processes:
        assert stop(process) == 0
        assert_no_bug(process)
        assert "Traceback" not in process.output(), process.output()


@pytest.mark.parametrize("workers", [0, 2], ids=["three-servers", "a-server-and-two-workers"])
async def test_published_once_by_several_processes_and_across_a_restart(
    launcher: Launcher, engine: AsyncEngine, redis: AnyRedis, workers: int
) -> None:
    servers, running = start(launcher, workers)
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=s.url, timeout=15))
            for s in servers
        ]
        app = await register_app(clients[0])
        alice = await make_user(clients[0], app, "alice")
        bob = await make_user(clients[1 % len(clients)], app, "bob")
        await follow(clients[-1], bob, alice)
        assert await home(clients[1 % len(clients)], bob) == []
        socket = StreamListener(servers[-1].ws, bob)
        await socket.start()
        stack.push_async_callback(socket.close)
        now_id = await schedule(clients[0], alice, "while running")
        missed_id = await schedule(clients[1 % len(clients)], alice, "while stopped")

        await due_in(engine, redis, now_id, 1)

        async def published() -> list[str]:
            assert await posted(engine, alice) == Counter({"while running": 1})
            shown = await home(clients[1 % len(clients)], bob)
            assert len(shown) == 1
            socket.assert_once("update", set(shown))
            return shown

        [first] = await eventually(published, WITHIN_S)

    stop_all(servers + running)
    await due_in(engine, redis, missed_id, -60)  # fell due while nothing ran

    servers, running = start(launcher, workers)
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
    stop_all(servers + running)
