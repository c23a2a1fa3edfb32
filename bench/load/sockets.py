"""The mixed-load benchmark's listeners: one WebSocket per account on its `user` stream (its home
timeline, live), spread round-robin over the server processes, in one asyncio process.

    python -m bench.load.sockets PLAN OUT REDIS_URL --urls URL [URL ...] [--sockets 1000]

Connects, checks every socket is subscribed (one event published straight to every channel),
prints `ready`, then records the posts it receives (`load RUN-SEQ` in the content) with their
arrival time (`time.monotonic()`, system-wide on Linux). On `stop` (a line on stdin) it waits
until nothing has arrived for a while and writes OUT (JSON): [socket, seq, arrival] per receipt,
and the sockets closed early."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.load.seed import Seeded, run_with_plan
from social.platform.keys import Keys
from social.platform.live.history import HistoryLimits, publish
from social.platform.redis.client import client_from_url

CONNECT_BATCH = 100
WARM = "load-warm-up"
IDLE_S = 3.0
MAX_SETTLE_S = 30.0


class Listeners:
    def __init__(self, run: int) -> None:
        self.posted = re.compile(rf"load {run}-(\d+) ")
        self.receipts: list[tuple[int, int, float]] = []
        self.warm: set[int] = set()
        self.closed: list[int] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.sockets: list[ClientConnection] = []
        self.last_receipt = time.monotonic()

    async def connect(self, urls: list[str]) -> None:
        for start in range(0, len(urls), CONNECT_BATCH):
            batch = list(enumerate(urls))[start : start + CONNECT_BATCH]
            opened = await asyncio.gather(
                *(
                    connect(u, ping_interval=None, max_queue=None, compression=None)
                    for _, u in batch
                )
            )
            for (i, _), ws in zip(batch, opened, strict=True):
                self.sockets.append(ws)
                self.tasks.append(asyncio.create_task(self.receive(i, ws)))

    async def receive(self, index: int, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                now = time.monotonic()
                text = str(raw)
                if match := self.posted.search(text):
                    self.receipts.append((index, int(match.group(1)), now))
                    self.last_receipt = now
                elif WARM in text:
                    self.warm.add(index)
        except ConnectionClosed:
            pass
        self.closed.append(index)

    async def settle(self) -> None:
        """Until nothing new for `IDLE_S` (deliveries of the last posts still on their way)."""
        deadline = time.monotonic() + MAX_SETTLE_S
        while True:
            now = time.monotonic()
            if now - self.last_receipt >= IDLE_S or now >= deadline:
                return
            await asyncio.sleep(0.1)

    async def close(self) -> None:
        await close_all(self.sockets, self.tasks)


async def warm_up(listeners: Listeners, redis_url: str, account_ids: list[int]) -> None:
    """Publish to every socket's channel until each has seen it: all are subscribed."""
    redis = client_from_url(redis_url)
    channels = [f"user:{a}" for a in account_ids]
    deadline = time.monotonic() + 60
    try:
        while len(listeners.warm) < len(account_ids):
            if time.monotonic() > deadline:
                missing = len(account_ids) - len(listeners.warm)
                raise RuntimeError(f"{missing} sockets never received anything")
            await publish(redis, Keys(), HistoryLimits(1000, 3600), channels, "update", WARM)
            await asyncio.sleep(0.5)
    finally:
        await redis.aclose()


async def run(args: argparse.Namespace, seeded: Seeded) -> bytes:
    count = min(args.sockets, len(seeded.tokens))
    urls = [
        args.urls[i % len(args.urls)].replace("http", "ws", 1)
        + f"/api/v1/streaming?stream=user&access_token={seeded.tokens[i]}"
        for i in range(count)
    ]
    listeners = Listeners(args.run)
    await listeners.connect(urls)
    await warm_up(listeners, args.redis_url, seeded.account_ids[:count])
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)
    await listeners.settle()
    out = {
        "receipts": listeners.receipts,
        "closed_early": sorted(listeners.closed),
    }
    await listeners.close()
    return orjson.dumps(out)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("plan")
    parser.add_argument("out")
    parser.add_argument("redis_url")
    parser.add_argument("--urls", nargs="+", required=True)
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--run", type=int, default=1)
    run_with_plan(run, parser.parse_args())


if __name__ == "__main__":
    main()
