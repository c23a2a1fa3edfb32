"""Many WebSocket clients in one asyncio process: ours (Mastodon's protocol) or the peer's
(Engine.IO v4 over a WebSocket, as socket.io clients speak it). Each receipt is timestamped on
arrival and parsed later, so parsing never delays the next receipt."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

CONNECT_BATCH = 100
POSTED = re.compile(r"bench (\d+)")

Receipt = tuple[float, str]


@dataclass
class Fleet:
    kind: str  # "ours" or "peer"
    deflate: bool = False
    inboxes: list[list[Receipt]] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    sockets: list[ClientConnection] = field(default_factory=list)
    closed: int = 0

    async def connect(self, urls: list[str], count: int) -> None:
        """`count` clients spread evenly over `urls`, connected in batches."""
        for start in range(0, count, CONNECT_BATCH):
            batch = range(start, min(count, start + CONNECT_BATCH))
            opened = await asyncio.gather(*(self._open(urls[i % len(urls)]) for i in batch))
            self.sockets += opened
            for ws in opened:
                inbox: list[Receipt] = []
                self.inboxes.append(inbox)
                self.tasks.append(asyncio.create_task(self._receive(ws, inbox)))

    async def _open(self, url: str) -> ClientConnection:
        options = {} if self.deflate else {"compression": None}
        ws = await connect(url, ping_interval=None, max_queue=None, open_timeout=30, **options)
        if self.kind == "peer":
            await ws.recv()  # Engine.IO open packet
            await ws.send("40")  # connect to the namespace `/`
            ack = await ws.recv()
            assert str(ack).startswith("40"), ack
        return ws

    async def _receive(self, ws: ClientConnection, inbox: list[Receipt]) -> None:
        peer = self.kind == "peer"
        try:
            async for raw in ws:
                now = time.monotonic()
                if peer and raw == "2":
                    await ws.send("3")  # Engine.IO pong
                    continue
                inbox.append((now, str(raw)))
        except ConnectionClosed:
            pass
        finally:
            self.closed += 1

    @property
    def received(self) -> int:
        return sum(len(inbox) for inbox in self.inboxes)

    def clear(self) -> None:
        for inbox in self.inboxes:
            inbox.clear()

    async def wait_all(self, expected: int, idle_s: float = 10.0) -> None:
        """Until `expected` receipts, or nothing new for `idle_s`."""
        last, last_change = -1, time.monotonic()
        while (got := self.received) < expected:
            if got != last:
                last, last_change = got, time.monotonic()
            elif time.monotonic() - last_change > idle_s:
                return
            await asyncio.sleep(0.05)

    async def warm_up(self, publish_one: Callable[[], object], timeout_s: float = 60) -> None:
        """Publish until every client has received something: all are subscribed."""
        deadline = time.monotonic() + timeout_s
        while not all(self.inboxes):
            if time.monotonic() > deadline:
                missing = sum(1 for inbox in self.inboxes if not inbox)
                raise RuntimeError(f"{missing} clients never received anything")
            result = publish_one()
            if asyncio.iscoroutine(result):
                await result
            await asyncio.sleep(0.5)
        await asyncio.sleep(0.5)
        self.clear()

    def payload(self, raw: str) -> str:
        if self.kind == "peer":
            _event, text = orjson.loads(raw[2:])
            return str(text)
        return str(orjson.loads(raw)["payload"])

    def latencies_ms(self, label: str) -> list[float]:
        """Emitted messages: receipt time minus the timestamp in the payload."""
        out = []
        for inbox in self.inboxes:
            for received, raw in inbox:
                body = orjson.loads(self.payload(raw))
                if body.get("k") == label:
                    out.append((received - body["t"]) * 1000)
        return out

    def posted_latencies_ms(self, sent: dict[int, float]) -> list[float]:
        """Statuses posted over HTTP: receipt time minus the time the POST was sent."""
        out = []
        for inbox in self.inboxes:
            for received, raw in inbox:
                frame = orjson.loads(raw)
                if frame.get("event") != "update":
                    continue
                match = POSTED.search(orjson.loads(frame["payload"])["content"])
                if match and int(match.group(1)) in sent:
                    out.append((received - sent[int(match.group(1))]) * 1000)
        return out

    async def close(self) -> None:
        await close_all(self.sockets, self.tasks)


async def close_all(sockets: list[ClientConnection], tasks: list[asyncio.Task[None]]) -> None:
    """Close the sockets (in batches) and end their receiving tasks; both lists end empty."""
    for start in range(0, len(sockets), CONNECT_BATCH):
        batch = sockets[start : start + CONNECT_BATCH]
        await asyncio.gather(*(ws.close() for ws in batch), return_exceptions=True)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    tasks.clear()
    sockets.clear()
