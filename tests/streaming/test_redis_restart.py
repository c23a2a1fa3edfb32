"""Redis restarted under connected clients: they receive again, and nothing is silently lost."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from social.platform.live.history import HistoryLimits, publish
from social.platform.redis.client import client_from_url
from social.platform.redis.embedded import EmbeddedRedis
from tests.helpers import make_user, post, register_app
from tests.streaming.conftest import Server, StartServer
from tests.streaming.frames import next_frame, nothing_more, payload_of, status_of

MISSED = 3


@pytest.fixture
def valkey(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[EmbeddedRedis]:
    """A Valkey of this test's own (indirect parameter: persist), stopped at the end."""
    server = EmbeddedRedis(str(tmp_path / "valkey"), persist=request.param)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server_on(valkey: EmbeddedRedis, start_server: StartServer) -> Server:
    return start_server(redis_url=valkey.url)


@pytest.mark.parametrize(
    "valkey", [True, False], ids=["history-kept", "history-lost"], indirect=True
)
async def test_clients_resume_after_redis_restarts(
    valkey: EmbeddedRedis, server_on: Server
) -> None:
    server, url = server_on, valkey.url
    keys = server.app.state.ctx.keys
    async with (
        httpx.AsyncClient(base_url=server.url, timeout=10) as http,
        connect(server.ws + "?stream=public") as ws,
    ):
        alice = await make_user(http, await register_app(http), "alice")
        before = await post(http, alice, "before")
        last = await next_frame(ws)
        assert status_of(last)["id"] == before["id"]

        await asyncio.to_thread(valkey.stop)
        assert await asyncio.to_thread(valkey.start) == url  # same socket path
        redis = client_from_url(url)
        try:  # at once: usually before the hub is back, so history-only
            for i in range(MISSED):
                await publish(redis, keys, HistoryLimits(100, 60), ["public"], "delete", str(i))
        finally:
            await redis.aclose()

        if not valkey.persist:
            gap = await next_frame(ws, 15)
            assert gap["event"] == "gap"
            assert payload_of(gap)["since"] == last["id"]
        missed = [await next_frame(ws, 15) for _ in range(MISSED)]
        assert [(f["event"], f["payload"]) for f in missed] == [
            ("delete", str(i)) for i in range(MISSED)
        ]
        assert server.app.state.ctx.streams.reconnects >= 1
        if valkey.persist:  # the session survived: the whole pipeline works again
            after = await post(http, alice, "after")
            assert status_of(await next_frame(ws, 15))["id"] == after["id"]
        await nothing_more(ws)
