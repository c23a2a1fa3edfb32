"""Publishes at a steady rate, each message timestamped (`time.monotonic()`, system-wide on
Linux): ours with the streaming publisher's Lua script, the peer with socketio's
`AsyncRedisManager(write_only=True)`.

    python -m bench.streaming.emit ours|peer REDIS_URL COUNT RATE [--size BYTES] [--tag TAG]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

import orjson
import socketio

from bench.streaming.peer import CHANNEL, ROOM
from social.platform.keys import Keys
from social.platform.live.history import HistoryLimits, publish
from social.platform.redis.client import client_from_url

Send = Callable[[str], Awaitable[object]]


def payload(kind: str, seq: int, size: int) -> str:
    return orjson.dumps({"t": time.monotonic(), "k": kind, "i": seq, "pad": "x" * size}).decode()


async def steady(send: Send, kind: str, count: int, rate: float, size: int) -> None:
    start = time.monotonic()
    for seq in range(count):
        delay_s = start + seq / rate - time.monotonic()
        if delay_s > 0:
            await asyncio.sleep(delay_s)
        await send(payload(kind, seq, size))


async def main(args: argparse.Namespace) -> None:
    if args.kind == "ours":
        redis = client_from_url(args.redis_url)
        keys, limits = Keys(), HistoryLimits(1000, 3600)

        async def send(text: str) -> object:
            return await publish(redis, keys, limits, [f"hashtag:{args.tag}"], "update", text)

        await steady(send, args.label, args.count, args.rate, args.size)
        await redis.aclose()
    else:
        manager = socketio.AsyncRedisManager(args.redis_url, channel=CHANNEL, write_only=True)

        async def send(text: str) -> object:
            return await manager.emit("update", text, room=ROOM, namespace="/")

        await steady(send, args.label, args.count, args.rate, args.size)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["ours", "peer"])
    parser.add_argument("redis_url")
    parser.add_argument("count", type=int)
    parser.add_argument("rate", type=float)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--tag", default="bench")
    parser.add_argument("--label", default="p")
    asyncio.run(main(parser.parse_args()))
