"""Many WebSocket clients in one asyncio process: ours (Mastodon's protocol) or the peer's
(Engine.IO v4 over a WebSocket, as socket.io clients speak it). Each receipt is timestamped on
arrival, in the protocol's `data_received` (`bench.streaming.wire`), and parsed later, so
neither a client library nor parsing delays the next receipt."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson

from bench.streaming.wire import Receipt, WireSocket, open_socket

CONNECT_BATCH = 100
POSTED = re.compile(r"bench (\d+)")

Latencies = dict[int, list[float]]  # by message: one per receipt, in ms


@dataclass
class Fleet:
    kind: str  # "ours" or "peer"
    inboxes: list[list[Receipt]] = field(default_factory=list)
    sockets: list[WireSocket] = field(default_factory=list)

    async def connect(self, urls: list[str], count: int) -> None:
        """`count` clients spread evenly over `urls`, connected in batches."""
        for start in range(0, count, CONNECT_BATCH):
            batch = range(start, min(count, start + CONNECT_BATCH))
            inboxes: list[list[Receipt]] = [[] for _ in batch]
            engineio = self.kind == "peer"
            self.sockets += await asyncio.gather(
                *(
                    open_socket(urls[i % len(urls)], inbox, engineio=engineio)
                    for i, inbox in zip(batch, inboxes, strict=True)
                )
            )
            self.inboxes += inboxes

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

    def payload(self, raw: bytes) -> str:
        if self.kind == "peer":
            _event, text = orjson.loads(raw[2:])
            return str(text)
        return str(orjson.loads(raw)["payload"])

    def latencies_ms(self, label: str) -> Latencies:
        """Emitted messages: receipt time minus the timestamp in the payload."""
        out: Latencies = {}
        for inbox in self.inboxes:
            for received, raw in inbox:
                body = orjson.loads(self.payload(raw))
                if body.get("k") == label:
                    out.setdefault(body["i"], []).append((received - body["t"]) * 1000)
        return out

    def posted_latencies_ms(self, sent: dict[int, float]) -> Latencies:
        """Statuses posted over HTTP: receipt time minus the time the POST was sent."""
        out: Latencies = {}
        for inbox in self.inboxes:
            for received, raw in inbox:
                frame = orjson.loads(raw)
                if frame.get("event") != "update":
                    continue
                match = POSTED.search(orjson.loads(frame["payload"])["content"])
                if match and (seq := int(match.group(1))) in sent:
                    out.setdefault(seq, []).append((received - sent[seq]) * 1000)
        return out

    async def close(self) -> None:
        for ws in self.sockets:
            ws.close()
        await asyncio.gather(*(ws.closed for ws in self.sockets))
        self.sockets.clear()
