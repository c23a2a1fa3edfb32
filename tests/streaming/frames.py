"""Reading frames off a socket, with bounded waits."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection

WAIT_S = 5.0


async def next_frame(ws: ClientConnection, wait_s: float = WAIT_S) -> dict[str, Any]:
    raw = await asyncio.wait_for(ws.recv(), wait_s)
    body: dict[str, Any] = orjson.loads(raw)
    return body


async def next_event(ws: ClientConnection, event: str, wait_s: float = WAIT_S) -> dict[str, Any]:
    """The next frame of `event`, skipping others."""
    deadline = asyncio.get_running_loop().time() + wait_s
    while True:
        left = deadline - asyncio.get_running_loop().time()
        assert left > 0, f"no {event} frame"
        frame = await next_frame(ws, left)
        if frame.get("event") == event:
            return frame


async def nothing_more(ws: ClientConnection, wait_s: float = 0.3) -> None:
    try:
        raw = await asyncio.wait_for(ws.recv(), wait_s)
    except TimeoutError:
        return
    raise AssertionError(f"unexpected frame {raw!r}")


def payload_of(frame: dict[str, Any]) -> dict[str, Any]:
    assert isinstance(frame["payload"], str)
    body: dict[str, Any] = orjson.loads(frame["payload"])
    return body


def status_of(frame: dict[str, Any]) -> dict[str, Any]:
    assert frame["event"] == "update", frame
    return payload_of(frame)
