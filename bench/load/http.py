"""The mixed-load generator: a fixed number of keep-alive HTTP/1.1 connections, each sending one
request at a time, the kind drawn by weight, the user drawn at random (their token). A bare
asyncio protocol with httptools (what uvicorn parses with) keeps the generator's own CPU small on
a machine it shares with the servers.

    python -m bench.load.http PLAN OUT --urls URL [URL ...] [--concurrency 64] [--seconds 30]
        [--warmup-s 5] [--run 1] [--mix mixed|home]

Prints `measuring` when the warm-up ends and `done` when the last response is in, then writes
OUT (JSON): per kind the latencies (ms) and statuses of the requests sent in the measured window,
the posts (seq, author index, send time on `time.monotonic()`, status), the first error bodies."""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import cast
from urllib.parse import urlsplit

import httptools
import orjson

from bench.load.seed import Seeded, run_with_plan

MIX = {"timeline": 0.80, "post": 0.10, "profile": 0.05, "trends": 0.05}
MIXES = {"mixed": MIX, "home": {"timeline": 1.0}}
"""`--mix home` is the baseline the mixed load is held to: the same generator, home reads only."""
KEPT_ERROR_BODIES = 10
RETRY_S = 0.05


class Closed(Exception):
    pass


class Connection(asyncio.Protocol):
    """One keep-alive connection; `request` sends raw bytes and waits for the full response."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.done: asyncio.Future[int] | None = None
        self.body = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self._fail(exc or Closed("connection closed"))

    def _fail(self, exc: Exception) -> None:
        if self.done is not None and not self.done.done():
            self.done.set_exception(exc)

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        if self.done is not None and not self.done.done():
            self.done.set_result(self.parser.get_status_code())

    async def request(self, raw: bytes) -> int:
        if self.transport is None:
            raise Closed("connection closed")
        self.body.clear()
        self.done = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.done


@dataclass
class Results:
    latencies_ms: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in MIX})
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: {k: Counter() for k in MIX})
    transport_errors: Counter[str] = field(default_factory=Counter)
    posts: list[tuple[int, int, float, int]] = field(default_factory=list)
    """(seq, author index, sent at, HTTP status) of every post sent in the measured window."""
    error_bodies: list[str] = field(default_factory=list)


class Requests:
    """Pre-built request bytes; only the post body changes per request."""

    def __init__(self, host: str, seeded: Seeded, run: int) -> None:
        self.seeded, self.run = seeded, run
        self.auth = [f"Authorization: Bearer {t}\r\n".encode() for t in seeded.tokens]
        self.host = f"Host: {host}\r\n".encode()
        self.seq = 0

    def build(self, kind: str, user: int, rng: random.Random) -> tuple[bytes, int | None]:
        head = self.host + self.auth[user]
        if kind == "timeline":
            return b"GET /api/v1/timelines/home HTTP/1.1\r\n" + head + b"\r\n", None
        if kind == "profile":
            target = self.seeded.account_ids[rng.randrange(len(self.seeded.account_ids))]
            return f"GET /api/v1/accounts/{target} HTTP/1.1\r\n".encode() + head + b"\r\n", None
        if kind == "trends":
            return b"GET /api/v1/trends/tags HTTP/1.1\r\n" + head + b"\r\n", None
        self.seq += 1
        tag = rng.choice(self.seeded.tags)
        body = orjson.dumps({"status": f"load {self.run}-{self.seq} about #{tag}"})
        head += b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
        return b"POST /api/v1/statuses HTTP/1.1\r\n" + head + b"\r\n" + body, self.seq


async def drive(
    url: str,
    requests: Requests,
    results: Results,
    rng: random.Random,
    measure_from: float,
    stop_at: float,
    mix: dict[str, float],
) -> None:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    loop = asyncio.get_running_loop()
    kinds, weights = list(mix), list(mix.values())
    users = len(requests.seeded.tokens)
    conn: Connection | None = None
    while (now := time.monotonic()) < stop_at:
        kind = rng.choices(kinds, weights)[0]
        user = rng.randrange(users)
        raw, seq = requests.build(kind, user, rng)
        measured = now >= measure_from
        sent = time.monotonic()
        try:
            if conn is None or conn.transport is None:
                _, conn = await loop.create_connection(Connection, host, port)
            status = await conn.request(raw)
        except (OSError, Closed, httptools.HttpParserError) as exc:
            if measured:
                results.transport_errors[f"{kind}: {type(exc).__name__}"] += 1
            conn = None
            await asyncio.sleep(RETRY_S)
            continue
        if not measured:
            continue
        results.latencies_ms[kind].append((time.monotonic() - sent) * 1000)
        results.statuses[kind][status] += 1
        if seq is not None:
            results.posts.append((seq, user, sent, status))
        if status >= 300 and len(results.error_bodies) < KEPT_ERROR_BODIES:
            body = conn.body[:300].decode(errors="replace")
            ms = results.latencies_ms[kind][-1]
            results.error_bodies.append(f"{kind} {status} after {ms:.0f} ms: {body}")
    if conn is not None and conn.transport is not None:
        conn.transport.close()


async def run(args: argparse.Namespace, seeded: Seeded) -> bytes:
    rng = random.Random(args.run)
    requests = Requests(urlsplit(args.urls[0]).netloc, seeded, args.run)
    results = Results()
    start = time.monotonic()
    measure_from = start + args.warmup_s
    stop_at = measure_from + args.seconds

    async def announce() -> None:
        await asyncio.sleep(max(0.0, measure_from - time.monotonic()))
        print("measuring", flush=True)

    marker = asyncio.create_task(announce())
    await asyncio.gather(
        *(
            drive(
                args.urls[i % len(args.urls)],
                requests,
                results,
                random.Random(rng.random()),
                measure_from,
                stop_at,
                MIXES[args.mix],
            )
            for i in range(args.concurrency)
        )
    )
    await marker
    print("done", flush=True)
    out = {
        "seconds": args.seconds,
        "latencies_ms": results.latencies_ms,
        "statuses": {k: dict(v) for k, v in results.statuses.items()},
        "transport_errors": dict(results.transport_errors),
        "posts": results.posts,
        "error_bodies": results.error_bodies,
    }
    return orjson.dumps(out, option=orjson.OPT_NON_STR_KEYS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("plan")
    parser.add_argument("out")
    parser.add_argument("--urls", nargs="+", required=True)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup-s", type=float, default=5)
    parser.add_argument("--run", type=int, default=1, help="tags the posts of this run")
    parser.add_argument("--mix", choices=list(MIXES), default="mixed")
    run_with_plan(run, parser.parse_args())


if __name__ == "__main__":
    main()
