"""Two `social serve` processes on one Redis and database."""

from __future__ import annotations

import httpx
from websockets.asyncio.client import connect

from social.platform.redis.client import AnyRedis
from tests.conftest import empty_database
from tests.helpers import followed, post
from tests.processes import stop, wait_healthy
from tests.streaming.conftest import SpawnServe
from tests.streaming.frames import next_event, status_of


async def test_a_status_posted_to_one_process_reaches_a_socket_on_the_other(
    spawn_serve: SpawnServe, database_url: str, redis: AnyRedis
) -> None:
    await empty_database(database_url)
    a, b = spawn_serve(), spawn_serve()
    wait_healthy(a)
    wait_healthy(b)
    async with httpx.AsyncClient(base_url=a.url, timeout=10) as http:
        alice, (bob,) = await followed(http, "alice", "bob")
        async with (
            connect(b.ws + "?stream=user", additional_headers=bob.auth) as home,
            connect(b.ws + "?stream=hashtag&tag=both") as tag,
        ):
            posted = await post(http, alice, "across processes #both")
            assert status_of(await next_event(home, "update"))["id"] == posted["id"]
            assert status_of(await next_event(tag, "update"))["id"] == posted["id"]
    assert stop(a) == 0
    assert stop(b) == 0
