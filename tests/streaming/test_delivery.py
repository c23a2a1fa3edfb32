"""Resume, gaps, slow clients, revocation, server-sent events."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import time

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from social.platform.live.history import HistoryLimits, publish
from social.platform.redis.client import AnyRedis
from tests.helpers import ClientApp, follow, post
from tests.streaming.conftest import MakeUser, Server
from tests.streaming.frames import next_frame, nothing_more, payload_of, status_of

# Without compression the server writes live frames straight to the socket when nothing is
# queued before them (social/streaming/direct.py); with permessage-deflate, through websockets.
COMPRESSION = pytest.mark.parametrize("compression", [None, "deflate"])


@COMPRESSION
async def test_resume_replays_what_was_missed_in_order_then_live(
    server: Server, http: httpx.AsyncClient, user: MakeUser, compression: str | None
) -> None:
    alice = await user("alice")
    async with connect(server.ws + "?stream=public", compression=compression) as ws:
        await post(http, alice, "seen")
        last = (await next_frame(ws))["id"]
    missed = [(await post(http, alice, f"missed {i}"))["id"] for i in range(10)]
    await asyncio.sleep(0.3)  # let the pipeline publish them while nobody listens
    url = f"{server.ws}?stream=public&since={last}"
    async with connect(url, compression=compression) as ws:
        replayed = [await next_frame(ws) for _ in missed]
        assert [status_of(f)["id"] for f in replayed] == missed
        ids = [f["id"] for f in replayed]
        assert ids == sorted(ids, key=lambda i: tuple(map(int, i.split("-"))))
        live = await post(http, alice, "live")
        assert status_of(await next_frame(ws))["id"] == live["id"]
        await nothing_more(ws)


async def test_a_burst_reaches_plain_and_compressed_sockets_whole_and_in_order(
    server: Server, http: httpx.AsyncClient, user: MakeUser, redis: AnyRedis
) -> None:
    ctx = server.app.state.ctx
    limits = HistoryLimits(1000, 60)
    payloads = [f'{{"n":{i},"text":"{"é" * (i * 300)}"}}' for i in range(40)]  # 0 B to 24 KB
    # From the start of the channel's history: what is published before a subscription is live
    # comes from the history (through the queue), the rest live (straight to a plain socket
    # whose queue is empty), and the two must not be reordered.
    url = server.ws + "?stream=hashtag&tag=burst&since=0-0"
    async with (
        connect(url, compression=None) as plain,
        connect(url, compression="deflate") as packed,
    ):
        for body in payloads:  # as fast as Redis takes them, the sockets' writers still busy
            await publish(redis, ctx.keys, limits, ["hashtag:burst"], "update", body)
        for ws in (plain, packed):
            frames = [await next_frame(ws) for _ in payloads]
            assert [f["payload"] for f in frames] == payloads
            assert [f["stream"] for f in frames] == [["hashtag", "burst"]] * len(payloads)
            ids = [tuple(map(int, f["id"].split("-"))) for f in frames]
            assert ids == sorted(set(ids))
            await nothing_more(ws)


async def test_one_event_to_many_channels_reaches_the_watched_ones_live_and_in_history(
    server: Server, redis: AnyRedis
) -> None:
    ctx = server.app.state.ctx
    tags = [f"many{i}" for i in range(250)]  # more channels than one script call takes
    watched = [tags[0], tags[150], tags[-1]]
    urls = [server.ws + f"?stream=hashtag&tag={tag}" for tag in watched]
    async with connect(urls[0]) as a, connect(urls[1]) as b, connect(urls[2]) as c:
        await asyncio.sleep(0.3)  # subscribed
        channels = [f"hashtag:{tag}" for tag in tags]
        limits = HistoryLimits(100, 60)
        sent = await publish(redis, ctx.keys, limits, channels, "update", "{}", watched_only=True)
        assert sent == len(watched)
        for ws in (a, b, c):
            frame = await next_frame(ws)
            assert frame["event"] == "update"
            await nothing_more(ws)
    kept = {tag for tag in tags if await redis.xlen(ctx.keys.stream_channel(f"hashtag:{tag}"))}
    assert kept == set(watched)  # a history only where someone listens: no resume elsewhere
    for tag in watched:
        assert await redis.xlen(ctx.keys.stream_channel(f"hashtag:{tag}")) == 1
    # and where someone listened within the resume window: the marks outlive the sockets
    await publish(redis, ctx.keys, limits, channels, "update", "{}", watched_only=True)
    for tag in watched:
        assert await redis.xlen(ctx.keys.stream_channel(f"hashtag:{tag}")) == 2


async def test_a_home_stream_resumes_and_an_absent_follower_gets_no_history(
    server: Server, http: httpx.AsyncClient, user: MakeUser, redis: AnyRedis
) -> None:
    author, listener, away = await user("author"), await user("listener"), await user("away")
    for fan in (listener, away):
        await follow(http, fan, author)
    base = f"{server.ws}?stream=user&access_token={listener.token}"
    async with connect(base) as ws:
        first = await post(http, author, "while listening")
        frame = await next_frame(ws)
        assert status_of(frame)["id"] == first["id"]
    missed = [(await post(http, author, f"missed {i}"))["id"] for i in range(3)]
    await asyncio.sleep(0.3)  # let the pipeline publish them while nobody listens
    async with connect(f"{base}&since={frame['id']}") as ws:
        assert [status_of(await next_frame(ws))["id"] for _ in missed] == missed
        await nothing_more(ws)
    keys = server.app.state.ctx.keys
    assert await redis.xlen(keys.stream_channel(f"user:{away.id}")) == 0  # never listened


@pytest.mark.parametrize("server", [{"streaming_history_max": 3}], indirect=True)
async def test_a_trimmed_history_gives_one_gap_frame_first(
    server: Server, user: MakeUser, http: httpx.AsyncClient
) -> None:
    alice = await user("alice")
    async with connect(server.ws + "?stream=public") as ws:
        await post(http, alice, "seen")
        last = (await next_frame(ws))["id"]
    missed = [(await post(http, alice, f"missed {i}"))["id"] for i in range(5)]
    await asyncio.sleep(0.3)
    async with connect(f"{server.ws}?stream=public&since={last}") as ws:
        gap = await next_frame(ws)
        kept = [status_of(await next_frame(ws))["id"] for _ in range(3)]
        await nothing_more(ws)
    assert gap["event"] == "gap"
    assert gap["stream"] == ["public"]
    assert payload_of(gap)["since"] == last
    assert kept == missed[-3:]


def _never_reading_socket(server: Server, path: str) -> socket.socket:
    """A WebSocket handshake by hand on a socket with a small receive buffer that is then never
    read: the server's writes back up, as towards a phone on a bad network."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(5)
    sock.connect(("127.0.0.1", int(server.url.rsplit(":", 1)[1])))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def _read_until_close_frame(sock: socket.socket) -> bytes:
    tail = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return tail
        tail = (tail + chunk)[-64:]
        if CLOSE_4008 in tail:
            return tail


CLOSE_4008 = b"\x88\x02\x0f\xa8"  # an unmasked close frame, code 4008


@pytest.mark.parametrize("server", [{"streaming_queue_max": 2}], indirect=True)
async def test_a_client_that_never_reads_is_closed_with_4008(
    server: Server, redis: AnyRedis
) -> None:
    ctx = server.app.state.ctx
    slow = _never_reading_socket(server, "/api/v1/streaming?stream=hashtag&tag=slow")
    try:
        slow_key = ctx.keys.stream_channel("hashtag:slow")
        async with connect(server.ws + "?stream=hashtag&tag=fast") as fast:
            limits = HistoryLimits(100, 60)
            big = "x" * 500_000
            for _ in range(20):
                await publish(redis, ctx.keys, limits, ["hashtag:slow"], "update", big)
            await publish(redis, ctx.keys, limits, ["hashtag:fast"], "update", "{}")
            started = time.monotonic()
            assert (await next_frame(fast))["payload"] == "{}"
            assert time.monotonic() - started < 1.0
            deadline = time.monotonic() + 5
            while slow_key in ctx.streams.listeners:  # dropped once the slow client is closed
                assert time.monotonic() < deadline, "the slow client was not closed"
                await asyncio.sleep(0.02)
        assert CLOSE_4008 in await asyncio.to_thread(_read_until_close_frame, slow)
    finally:
        slow.close()


async def test_revoking_the_token_closes_its_sockets_within_a_second(
    server: Server, http: httpx.AsyncClient, user: MakeUser, client_app: ClientApp
) -> None:
    alice = await user("alice")
    async with connect(server.ws + "?stream=user", additional_headers=alice.auth) as ws:
        await nothing_more(ws, 0.1)
        r = await http.post(
            "/oauth/revoke",
            data={
                "client_id": client_app.client_id,
                "client_secret": client_app.client_secret,
                "token": alice.token,
            },
        )
        assert r.status_code == 200, r.text
        started = time.monotonic()
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 2)
        assert time.monotonic() - started < 1.0
        assert ws.close_code == 1008


async def test_server_sent_events_with_ids_and_resume(
    server: Server, http: httpx.AsyncClient, user: MakeUser
) -> None:
    alice = await user("alice")

    async def first_event(headers: dict[str, str]) -> dict[str, str]:
        async with http.stream("GET", "/api/v1/streaming/public", headers=headers) as r:
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/event-stream")
            fields: dict[str, str] = {}
            lines = r.aiter_lines()
            async for line in lines:
                if line == ":)" and not headers:
                    await post(http, alice, "over sse")
                if line.startswith(("id: ", "event: ", "data: ")):
                    name, _, value = line.partition(": ")
                    fields[name] = value
                if not line and "data" in fields:
                    return fields
        raise AssertionError("stream ended")

    got = await asyncio.wait_for(first_event({}), 5)
    assert got["event"] == "update"
    assert got["id"]
    later = await post(http, alice, "while away")
    await asyncio.sleep(0.3)
    resumed = await asyncio.wait_for(first_event({"Last-Event-ID": got["id"]}), 5)
    assert resumed["data"].startswith('{"id":"' + later["id"])


async def test_server_sent_events_validate_input(http: httpx.AsyncClient) -> None:
    assert (await http.get("/api/v1/streaming/hashtag")).status_code == 400
    assert (await http.get("/api/v1/streaming/user")).status_code == 401
    assert (await http.get("/api/v1/streaming/nope")).status_code == 404
    r = await http.get("/api/v1/streaming/public", params={"access_token": "bad"})
    assert r.status_code == 401
