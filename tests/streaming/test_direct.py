"""The `social.frames` extension of the server's WebSocket protocol, under uvicorn as
`social serve` runs it: frames written through it arrive as ordinary text messages, and it
steps aside where it must."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from starlette.types import Receive, Scope, Send
from websockets.asyncio.client import connect

from social.streaming.client import text_frame
from social.web.frames import frame_writer
from tests.conftest import free_port, running

TEXT = '{"event":"update","payload":"héllo"}'


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Accepts, then writes TEXT through the extension and says what happened, in order."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    await receive()
    write = frame_writer(scope)
    await send({"type": "websocket.accept"})
    if write is None:
        await send({"type": "websocket.send", "text": "no extension"})
    else:
        written = write(text_frame(TEXT)) and write(text_frame(TEXT * 1000))
        await send({"type": "websocket.send", "text": f"written: {written}"})
    await receive()  # until the client leaves


@pytest.fixture
def url() -> Iterator[str]:
    with running(app, free_port()) as base:  # type: ignore[arg-type]
        yield base.replace("http://", "ws://")


async def test_frames_written_directly_arrive_whole_and_in_order(url: str) -> None:
    async with connect(url, compression=None) as ws:
        got = [await asyncio.wait_for(ws.recv(), 5) for _ in range(3)]
    assert got == [TEXT, TEXT * 1000, "written: True"]


async def test_with_compression_it_refuses_and_the_normal_path_carries_on(url: str) -> None:
    async with connect(url, compression="deflate") as ws:
        assert await asyncio.wait_for(ws.recv(), 5) == "written: False"
