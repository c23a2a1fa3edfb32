"""Rate limit checks per second against the `limits` library, and the middleware's cost.

    python bench/ratelimit_bench.py [--seconds 1] [--rounds 3] [--tasks 64] [--wrk-seconds 5]
    python -m bench.ratelimit_bench

Uses REDIS_URL when set (its keyspace is flushed: point it at a spare database), else an
embedded Valkey. In one run, on the same Redis:
- library: our counter and log against `limits`' `sliding-window-counter` and `moving-window`
  (async redis-py storage), `--tasks` concurrent tasks over 1,000 identities, rounds
  interleaved so a noisy neighbour hits every case alike; ratios per accuracy class;
- lone check: one task checking in a loop, coalescing on and off (the latency it adds);
- middleware: a bare Starlette endpoint with and without `RateLimitMiddleware` under uvicorn
  and `wrk`, and the Redis round trips the app makes per request.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from limits import RateLimitItemPerMinute
from limits.aio.storage import RedisClusterStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from bench.common import uvicorn, wrk
from ratelimit import Limit, Limiter, Policy, Quota, RateLimitMiddleware, by_ip
from social.platform.redis.client import AnyRedis, client_from_url, flush_all
from social.platform.redis.embedded import EmbeddedRedis

IDENTITIES = [f"user:{i}" for i in range(1000)]
COUNTER = Quota("bench-sw", (Limit(300, 300),))
LOG = Quota("bench-log", (Limit(300, 300),), "sliding-log")
PER_5_MIN = RateLimitItemPerMinute(300, 5)
Check = Callable[[str], Awaitable[object]]


async def measure(check: Check, tasks: int, seconds: float) -> float:
    deadline = time.perf_counter() + seconds
    done = 0

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await check(random.choice(IDENTITIES))
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(tasks)))
    return done / (time.perf_counter() - started)


def limits_storage(url: str, tasks: int) -> Any:
    if url.startswith("redis+cluster://"):
        return RedisClusterStorage("async+" + url, implementation="redispy")
    scheme = "async+redis+unix://" if url.startswith("unix://") else "async+"
    uri = scheme + url.removeprefix("unix://")
    return RedisStorage(uri, implementation="redispy", max_connections=tasks)


async def library(url: str, tasks: int, seconds: float, rounds: int) -> None:
    redis: AnyRedis = client_from_url(url, max_connections=tasks)
    await flush_all(redis)
    ours, uncoalesced = Limiter(redis, timeout_s=5), Limiter(redis, timeout_s=5, coalesce=False)
    await ours.load_scripts()
    storage = limits_storage(url, tasks)
    swc, moving = SlidingWindowCounterRateLimiter(storage), MovingWindowRateLimiter(storage)
    pairs: list[tuple[str, Check, str, Check]] = [
        ("counter", lambda i: ours.hit(COUNTER, i), "sliding-window-counter",
         lambda i: swc.hit(PER_5_MIN, i)),
        ("log", lambda i: ours.hit(LOG, i), "moving-window", lambda i: moving.hit(PER_5_MIN, i)),
        ("counter, not coalesced", lambda i: uncoalesced.hit(COUNTER, i),
         "sliding-window-counter", lambda i: swc.hit(PER_5_MIN, i)),
    ]  # fmt: skip
    for _, ours_check, _, theirs_check in pairs:  # warm up connections and scripts
        await measure(ours_check, tasks, 0.2)
        await measure(theirs_check, tasks, 0.2)
    rates: dict[str, list[tuple[float, float]]] = {name: [] for name, *_ in pairs}
    for _ in range(rounds):
        for name, ours_check, _, theirs_check in pairs:
            mine = await measure(ours_check, tasks, seconds)
            rates[name].append((mine, await measure(theirs_check, tasks, seconds)))
    print(f"\nLibrary: {tasks} concurrent tasks, {len(IDENTITIES)} identities, "
          f"median of {rounds} rounds of {seconds} s (checks/s)")  # fmt: skip
    for name, _, theirs, _ in pairs:
        mine_rate = statistics.median(m for m, _ in rates[name])
        their_rate = statistics.median(t for _, t in rates[name])
        ratio = statistics.median(m / t for m, t in rates[name])
        print(f"  ours {name:24} {mine_rate:9,.0f}   limits {theirs:24} {their_rate:9,.0f}"
              f"   {ratio:.2f}x")  # fmt: skip

    print("\nLone check (one task, sequential): latency per check")
    for label, limiter in (("coalesced", ours), ("not coalesced", uncoalesced)):
        rate = statistics.median([await measure(hits(limiter), 1, seconds) for _ in range(rounds)])
        print(f"  {label:24} {1e6 / rate:7.1f} µs  ({rate:,.0f} checks/s)")
    await flush_all(redis)
    await redis.aclose()
    await storage.bridge.storage.aclose()


def hits(limiter: Limiter) -> Check:
    return lambda identity: limiter.hit(COUNTER, identity)


class CountingRedis:
    """Counts socket writes of a plain client: one per command sent alone, one per pipeline."""

    def __init__(self, client: Redis) -> None:
        self.count = 0
        base: Any = client.connection_pool.connection_class
        counter = self

        class Counting(base):  # type: ignore[misc]
            async def send_packed_command(self, *args: Any, **kwargs: Any) -> None:
                counter.count += 1
                await super().send_packed_command(*args, **kwargs)

        client.connection_pool.connection_class = Counting


def _app(limited: bool, overlap: bool = False) -> Starlette:
    """The endpoint at `/limited`, rate limited per IP (a limit never reached) or bare."""

    async def endpoint(_request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    routes = [Route("/limited", endpoint)]
    if not limited:
        return Starlette(routes=routes)
    redis = client_from_url(os.environ["REDIS_URL"])
    counter = CountingRedis(redis) if isinstance(redis, Redis) else None
    limiter = Limiter(redis, timeout_s=1)
    policy = Policy("api-ip", [Limit(10**9, 300)], by_ip, paths=["/limited"])

    async def round_trips(_request: Request) -> JSONResponse:
        return JSONResponse({"round_trips": counter.count if counter else None})

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await limiter.load_scripts()
        yield
        await redis.aclose()

    return Starlette(
        routes=[*routes, Route("/round-trips", round_trips)],
        middleware=[
            Middleware(
                RateLimitMiddleware,
                limiter=limiter,
                policies=[policy],
                overlap_safe_methods=overlap,
            )
        ],
        lifespan=lifespan,
    )


def bare_app() -> Starlette:
    return _app(limited=False)


def limited_app() -> Starlette:
    return _app(limited=True)


def overlapped_app() -> Starlette:
    return _app(limited=True, overlap=True)


def middleware(url: str, connections: int, seconds: int) -> None:
    print(f"\nMiddleware: GET /limited, uvicorn (1 worker, uvloop), wrk -c{connections} "
          f"-d{seconds}s")  # fmt: skip
    variants = [
        ("bare endpoint", "bare_app"),
        ("with RateLimitMiddleware", "limited_app"),
        ("with it, overlap_safe_methods", "overlapped_app"),
    ]
    env = {"REDIS_URL": url, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    base_rps = 0.0
    for label, factory in variants:
        with uvicorn(f"bench.ratelimit_bench:{factory}", env, factory=True) as at:
            lone = ""
            if factory != "bare_app":
                trips = [httpx.get(at + "/round-trips").json()["round_trips"]]
                for _ in range(100):
                    httpx.get(at + "/limited").raise_for_status()
                trips.append(httpx.get(at + "/round-trips").json()["round_trips"])
                if None not in trips:
                    lone = f"  lone request: {(trips[1] - trips[0]) / 100:.2f} Redis round trips"
            result = wrk(at + "/limited", connections=connections, seconds=seconds, headers={})
        base_rps = base_rps or result.requests_per_s
        print(f"  {label:30} {result.requests_per_s:9,.0f} req/s  "
              f"{result.requests_per_s / base_rps:.2f}x  p50 {result.p50_ms:5.2f} ms  "
              f"p99 {result.p99_ms:5.2f} ms  errors {result.errors}{lone}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="per case and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=64)
    parser.add_argument("--wrk-seconds", type=int, default=5, help="0 skips the middleware")
    args = parser.parse_args()

    def run(url: str) -> None:
        asyncio.run(library(url, args.tasks, args.seconds, args.rounds))
        if args.wrk_seconds:
            middleware(url, args.tasks, args.wrk_seconds)

    if url := os.environ.get("REDIS_URL"):
        run(url)
        return
    with tempfile.TemporaryDirectory() as data_dir:
        server = EmbeddedRedis(data_dir, persist=False)
        try:
            run(server.start())
        finally:
            server.stop()


if __name__ == "__main__":
    main()
