"""Commands that ride on a task's next write to the shared connection (a request's rate-limit
check on its handler's first command): one write for both, their replies where they belong."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from social.platform.redis.client import AnyRedis, client_from_url
from social.platform.redis.link import Link
from social.platform.redis.multiplex import MultiplexedRedis
from social.platform.redis.riders import RIDING, Riders
from tests.conftest import single_server

pytestmark = single_server


@pytest.fixture
async def shared(redis_url: str, redis: AnyRedis) -> AsyncIterator[MultiplexedRedis]:
    client = client_from_url(redis_url, multiplex=True)
    assert isinstance(client, MultiplexedRedis)
    yield client
    await client.aclose()


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many commands each write to the shared connection carried."""
    seen: list[int] = []
    original = Link.send

    def counting(self: Link, commands: Any) -> Any:
        commands = list(commands)
        seen.append(len(commands))
        return original(self, commands)

    monkeypatch.setattr(Link, "send", counting)
    return seen


async def test_riders_go_with_the_next_command_of_their_task(
    shared: MultiplexedRedis, writes: list[int]
) -> None:
    await shared.set("a", "1")
    writes.clear()
    riders = Riders([("INCR", "n"), ("INCRBY", "n", 10)])
    token = RIDING.set(riders)
    try:
        assert await shared.get("a") == b"1"
        assert writes == [3]  # one write: the two riders, then the GET
        assert await riders.replies(shared.send_raw) == [1, 11]
        assert writes == [3]  # their replies came with it
        assert await shared.get("n") == b"11"  # the riders do not ride twice
        assert writes == [3, 1]
    finally:
        RIDING.reset(token)


async def test_riders_nothing_took_are_sent_alone(
    shared: MultiplexedRedis, writes: list[int]
) -> None:
    await shared.ping()
    writes.clear()
    riders = Riders([("INCR", "n")])
    assert await riders.replies(shared.send_raw) == [1]
    assert writes == [1]


async def test_riders_of_another_task_stay_with_theirs(
    shared: MultiplexedRedis, writes: list[int]
) -> None:
    await shared.ping()
    mine = Riders([("INCR", "mine")])
    token = RIDING.set(mine)
    try:

        async def elsewhere() -> None:
            RIDING.set(None)  # another request's context
            await shared.incr("theirs")

        writes.clear()
        await asyncio.create_task(elsewhere())
        assert writes == [1]  # the other request's command went alone
        assert await mine.replies(shared.send_raw) == [1]
        assert writes == [1, 1]
    finally:
        RIDING.reset(token)


async def test_an_error_reply_is_the_riders_own(shared: MultiplexedRedis) -> None:
    await shared.set("text", "x")
    riders = Riders([("INCR", "text")])
    token = RIDING.set(riders)
    try:
        assert await shared.get("text") == b"x"  # the caller's command is unharmed
        (reply,) = await riders.replies(shared.send_raw)
        assert isinstance(reply, Exception)
        assert "not an integer" in str(reply)
    finally:
        RIDING.reset(token)
