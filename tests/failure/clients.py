"""What the failure and scale-out tests do as clients: listen to a stream the way a careful
client does (resuming after a drop), and wait for eventual consistency with a deadline."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidHandshake, WebSocketException

from tests.helpers import User

T = TypeVar("T")
RECONNECT_S = 0.2
POLL_S = 0.2


class StreamListener:
    """One user's socket on one stream. Records every frame; after a drop it reconnects with
    `since=<last position>`, so the server replays what it missed (or says `gap`)."""

    def __init__(self, ws_url: str, user: User, stream: str = "user") -> None:
        self.ws_url = ws_url
        self.user = user
        self.stream = stream
        self.frames: list[dict[str, Any]] = []
        self.connects = 0
        self.refusals = 0
        self._task: asyncio.Task[None] | None = None
        self._ws: ClientConnection | None = None

    def _url(self) -> str:
        last = next((f["id"] for f in reversed(self.frames) if "id" in f), None)
        return f"{self.ws_url}?stream={self.stream}" + (f"&since={last}" if last else "")

    async def start(self) -> None:
        """Connected and subscribed (the first connection must succeed)."""
        self._ws = await connect(self._url(), additional_headers=self.user.auth)
        self.connects += 1
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            assert self._ws is not None
            with contextlib.suppress(WebSocketException, OSError):
                async for raw in self._ws:
                    self.frames.append(orjson.loads(raw))
            while True:  # dropped: reconnect until the server takes us back
                await asyncio.sleep(RECONNECT_S)
                try:
                    self._ws = await connect(self._url(), additional_headers=self.user.auth)
                except (InvalidHandshake, WebSocketException, OSError, TimeoutError):
                    self.refusals += 1
                    continue
                self.connects += 1
                break

    def drop(self) -> None:
        """Lose the connection abruptly, as a network blip would; the listener reconnects."""
        assert self._ws is not None
        self._ws.transport.abort()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._ws is not None:
            await self._ws.close()

    def events(self, event: str) -> list[str]:
        """Entity ids of `update` and `notification` frames, payloads of others, in arrival
        order."""
        found = [f for f in self.frames if f.get("event") == event]
        if event in ("update", "notification"):
            return [orjson.loads(f["payload"])["id"] for f in found]
        return [f["payload"] for f in found]

    def assert_once(self, event: str, expected: set[str]) -> None:
        """Each of `expected` arrived exactly once, and nothing else (gap frames fail too)."""
        self.assert_delivered(event, expected, copies=1)

    def assert_delivered(self, event: str, expected: set[str], *, copies: int) -> None:
        """Each of `expected` arrived, at most `copies` times, and nothing else; no gap."""
        counts = Counter(self.events(event))
        assert set(counts) == expected, (
            f"{self.user.username} {event}: missing {expected - set(counts)}, "
            f"unexpected {set(counts) - expected}"
        )
        extra = {k: n for k, n in counts.items() if n > copies}
        assert not extra, f"{self.user.username} {event} delivered more than {copies}x: {extra}"
        gaps = [f for f in self.frames if f.get("event") == "gap"]
        assert not gaps, f"{self.user.username}: {gaps}"


async def eventually(
    check: Callable[[], Awaitable[T]], timeout_s: float, what: str = "consistency"
) -> T:
    """`check()`'s result once it stops failing its assertions; its last failure after
    `timeout_s` (eventual consistency, with a bound)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return await check()
        except AssertionError as exc:
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} within {timeout_s} s: {exc}") from exc
        await asyncio.sleep(POLL_S)


async def home(http: httpx.AsyncClient, user: User) -> list[str]:
    """The whole home timeline, newest first, paged as a client does (`max_id`)."""
    ids: list[str] = []
    params = {"limit": "40"}
    while True:
        r = await http.get("/api/v1/timelines/home", headers=user.auth, params=params)
        assert r.status_code == 200, r.text
        page = [s["id"] for s in r.json()]
        if not page:
            return ids
        ids += page
        params["max_id"] = page[-1]


def newest_first(ids: set[str] | list[str]) -> list[str]:
    return sorted(ids, key=int, reverse=True)


def assert_unavailable(r: httpx.Response) -> None:
    """The answer to a request that needs what is down: 503 JSON with `Retry-After`."""
    assert r.status_code == 503, (r.request.url, r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json"), r.headers
    assert r.json() == {"error": "Service temporarily unavailable"}
    assert int(r.headers["retry-after"]) > 0
