"""Checks per second of the `ratelimit` scripts against a bare fixed-window baseline.

    python bench/ratelimit_bench.py [--seconds 1] [--rounds 3] [--tasks 64]

Uses REDIS_URL when set, else an embedded Valkey. The baseline is the cheapest thing a
limiter can do: a fixed window as one `INCR` + `EXPIRE` pipeline (one round trip per check).
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
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from ratelimit import Check, Limit, Limiter, Quota
from social.redis import AnyRedis, EmbeddedRedis, client_from_url, flush_all

IDENTITIES = [f"user:{i}" for i in range(1000)]
COUNTER = Quota("bench-sw", (Limit(300, 300),))
COUNTER_TWO = Quota("bench-sw2", (Limit(300, 300), Limit(1000, 3600)))
LOG = Quota("bench-log", (Limit(300, 300),), "sliding-log")


async def measure(check: Callable[[str], Awaitable[object]], tasks: int, seconds: float) -> float:
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


async def run(url: str, tasks: int, seconds: float, rounds: int) -> None:
    redis: AnyRedis = client_from_url(url, max_connections=tasks)
    await flush_all(redis)
    limiter = Limiter(redis, timeout_s=5)
    await limiter.load_scripts()

    async def fixed_window(identity: str) -> object:
        key = f"bench:fw:{identity}:{int(time.time() // 300)}"
        pipe = redis.pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, 300)
        return await pipe.execute()

    cases: dict[str, tuple[int, Callable[[str], Awaitable[object]]]] = {
        "sliding-window counter, 1 limit": (1, lambda i: limiter.hit(COUNTER, i)),
        "sliding-window counter, 2 limits": (1, lambda i: limiter.hit(COUNTER_TWO, i)),
        "sliding log, 1 limit": (1, lambda i: limiter.hit(LOG, i)),
        "IP + account pipelined (2 checks/call)": (
            2,
            lambda i: limiter.check_many([Check(COUNTER, "ip:" + i), Check(COUNTER_TWO, i)]),
        ),
    }
    await measure(fixed_window, tasks, 0.3)  # warm up connections
    # rounds interleave baseline and cases so a noisy neighbour hits both alike
    baselines: list[float] = []
    ratios: dict[str, list[float]] = {name: [] for name in cases}
    rates: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        baselines.append(await measure(fixed_window, tasks, seconds))
        for name, (checks_per_call, case) in cases.items():
            rate = checks_per_call * await measure(case, tasks, seconds)
            rates[name].append(rate)
            ratios[name].append(rate / baselines[-1])
    print(f"{tasks} concurrent tasks, {len(IDENTITIES)} identities, median of {rounds} rounds")
    base = statistics.median(baselines)
    print(f"{'baseline: fixed window, INCR+EXPIRE pipeline':44} {base:10,.0f} checks/s  1.00x")
    for name in cases:
        rate, ratio = statistics.median(rates[name]), statistics.median(ratios[name])
        print(f"{name:44} {rate:10,.0f} checks/s  {ratio:.2f}x")
    await flush_all(redis)
    await redis.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="per case and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=64)
    args = parser.parse_args()
    url = os.environ.get("REDIS_URL")
    if url:
        asyncio.run(run(url, args.tasks, args.seconds, args.rounds))
        return
    with tempfile.TemporaryDirectory() as data_dir:
        server = EmbeddedRedis(data_dir, persist=False)
        try:
            asyncio.run(run(server.start(), args.tasks, args.seconds, args.rounds))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
