"""PostgreSQL lost (every connection cut, new ones refused) and back, through a TCP proxy
between `social serve` and the database: meanwhile what needs the database answers 503 JSON
with `Retry-After` at once (not a 500, not a hang), what Redis holds keeps answering (cached
statuses, warm home timelines); afterwards the pool reconnects and the pipeline carries on."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.engine import make_url

from social.platform.keys import Keys
from social.platform.redis.client import AnyRedis
from tests.conftest import free_port
from tests.failure.clients import assert_unavailable, eventually, home
from tests.helpers import followed, post
from tests.processes import Launcher, assert_no_bug, wait_healthy

ANSWER_WITHIN_S = 5.0
CATCH_UP_S = 15.0


class Proxy:
    """Forwards 127.0.0.1:`port` to `target`; `down()` cuts every connection and refuses new
    ones, as a database that crashed; `up()` accepts again."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def up(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def down(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        await self._server.wait_closed()
        self._server = None

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(*self.target)
        except OSError:
            client_w.transport.abort()
            return
        self._writers |= {client_w, server_w}
        await asyncio.gather(self._pipe(client_r, server_w), self._pipe(server_r, client_w))
        self._writers -= {client_w, server_w}

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()


@pytest.fixture
async def proxy(database_url: str) -> AsyncIterator[Proxy]:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        pytest.skip("SQLite is a file inside the process: there is no database server to lose")
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.up()
    try:
        yield proxy
    finally:
        if proxy._server is not None:
            await proxy.down()


async def test_database_lost_then_back(
    launcher: Launcher, proxy: Proxy, database_url: str, redis: AnyRedis
) -> None:
    keys = Keys()
    through_proxy = make_url(database_url).set(host="127.0.0.1", port=proxy.port)
    server = launcher.serve(DATABASE_URL=through_proxy.render_as_string(hide_password=False))
    await asyncio.to_thread(wait_healthy, server)  # the proxy runs on this loop meanwhile
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        alice, (bob,) = await followed(http, "alice", "bob")
        posted = [(await post(http, alice, "before the database went away"))["id"]]

        async def delivered() -> None:
            assert await home(http, bob) == posted

        async def warm() -> None:  # the feed, the marks and filters a home page reads, in Redis
            viewer = int(bob.id)
            held = [keys.home_feed(viewer), keys.filters(viewer), keys.status(int(posted[0]))]
            held += [
                mark(keys, viewer)
                for mark in (Keys.favourites, Keys.bookmarks, Keys.reblogs, Keys.muted_threads)
            ]
            assert await redis.exists(*held) == len(held)

        await eventually(delivered, CATCH_UP_S)
        assert (await http.get(f"/api/v1/statuses/{posted[0]}")).status_code == 200
        await eventually(warm, CATCH_UP_S)

        await proxy.down()
        loop = asyncio.get_running_loop()
        for method, path, auth, body in [
            ("POST", "/api/v1/statuses", alice.auth, {"status": "lost"}),
            ("GET", "/api/v1/timelines/public", {}, None),
            ("GET", f"/api/v1/accounts/{alice.id}/statuses", {}, None),
        ]:
            started = loop.time()
            r = await http.request(method, path, headers=auth, json=body)
            assert_unavailable(r)
            assert loop.time() - started < ANSWER_WITHIN_S
        # What Redis holds does not need the database.
        assert (await http.get(f"/api/v1/statuses/{posted[0]}")).status_code == 200
        assert await home(http, bob) == posted
        r = await http.get("/readyz")
        assert r.status_code == 503
        assert r.json()["checks"]["database"].startswith("error")

        await proxy.up()
        posted.insert(0, (await post(http, alice, "after it came back"))["id"])
        await eventually(delivered, CATCH_UP_S)
        assert (await http.get("/readyz")).status_code == 200
    assert_no_bug(server)
