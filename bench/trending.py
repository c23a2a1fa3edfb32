"""Trending: ingest rate of recorded uses, and `top(10)` latency over a million ranked tags.

    python -m bench.trending [--uses 200000] [--tags 20000] [--connections 4] [--zipf 1.1]
                             [--ranked 1000000] [--calls 200]

Ingest: `record_many` of `--uses` uses (distinct statuses, `--tags` tags, authors drawn from a
pool), split over `--connections` concurrent batches, scored as the app's `Settler` does
(`settle` every second meanwhile, and once at the end, inside the time), in three workloads:
tags drawn uniformly with times spread over the recent window (the worst case: nearly every
use is its tag's first in its bucket, so every expiry and trim runs); tags by Zipf's law
(`--zipf`, how hashtags are used) over the same window, as when a backlog is replayed; and
Zipf with times in the last minute, as the app records statuses while they are posted.
The baseline, in the same run, is the bare Redis work a counter needs: one pipelined
`ZINCRBY` per use, in batches of the same size over the same number of connections.

top(10): `--ranked` distinct tags are written pipelined in the layout the engine leaves after
a rise (a rank in the rank sets, bucket counts, recent authors), ten spiking tags are recorded
through the engine itself, and `top(10)` is called `--calls` times, admin view (every tag)
and public view (approved tags only). The baseline is the bare `ZRANGE 0 9` of the same set.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence

from bench.common import backends
from social.platform.redis.client import client_from_url, flush_all
from trending import TrendEngine, Use
from trending.scoring import rank
from trending.types import AnyRedis

BATCH = 1_000
SETTLE_S = 1.0
INGEST_TARGET = 50_000
TOP_TARGET_MS = 2.0


def synthetic_uses(
    n: int, tags: int, now: float, window_s: float, seed: int, zipf: float = 0.0
) -> list[Use]:
    """`n` uses of distinct statuses over `tags` tags: drawn uniformly (`zipf` 0: the worst
    case, nearly every use the first of its tag in its bucket), or by Zipf's law with
    exponent `zipf` (how hashtags are used: a few popular, a long tail)."""
    rng = random.Random(seed)
    authors = max(tags * 2, 1000)
    weights = None
    if zipf:
        weights = list(itertools.accumulate(1 / (rank + 1) ** zipf for rank in range(tags)))
    names = rng.choices([f"tag{i}" for i in range(tags)], cum_weights=weights, k=n)
    return [
        Use(name, rng.randrange(authors), 10**12 + seed * 10**9 + i, now - rng.random() * window_s)
        for i, name in enumerate(names)
    ]


def chunks(items: Sequence[Use], parts: int) -> list[Sequence[Use]]:
    size = -(-len(items) // parts)
    return [items[i : i + size] for i in range(0, len(items), size)]


async def zincrby_baseline(client: AnyRedis, uses: Sequence[Use], connections: int) -> float:
    async def one(part: Sequence[Use]) -> None:
        for i in range(0, len(part), BATCH):
            pipe = client.pipeline(transaction=False)
            for use in part[i : i + BATCH]:
                pipe.zincrby("{bench}:uses", 1, use.tag)
            await pipe.execute()

    started = time.perf_counter()
    await asyncio.gather(*(one(part) for part in chunks(uses, connections)))
    return time.perf_counter() - started


async def ingest(engine: TrendEngine, uses: Sequence[Use], connections: int) -> tuple[float, int]:
    """Recorded and scored: `settle` every SETTLE_S meanwhile, as the app's consumer does, and
    once more at the end, inside the time."""
    started = time.perf_counter()
    recording = asyncio.gather(*(engine.record_many(p) for p in chunks(uses, connections)))
    while not recording.done():
        await asyncio.wait([recording], timeout=SETTLE_S)
        await engine.settle()
    counted = await recording
    await engine.settle()
    return time.perf_counter() - started, sum(counted)


async def latencies_ms(call: Callable[[], Awaitable[object]], calls: int) -> tuple[float, float]:
    for _ in range(10):
        await call()
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(samples, n=100)
    return cuts[49], cuts[98]


async def seed_ranked(
    client: AnyRedis, engine: TrendEngine, tags: int, now: float, connections: int
) -> None:
    """`tags` ranked tags as the engine leaves them after a rise: a rank in two rank sets,
    the bucket counts and the authors of the recent window. Written pipelined, not scripted:
    the engine would score each one (a read of its baseline), minutes for a million."""
    s, k = engine.settings, engine.keys
    rng = random.Random(3)
    bucket = int(now // s.bucket_s)

    async def one(first: int, last: int) -> None:
        for start in range(first, last, 5_000):
            pipe = client.pipeline(transaction=False)
            ranks: dict[str, float] = {}
            for i in range(start, min(start + 5_000, last)):
                tag, authors = f"t{i}", rng.randrange(5, 12)
                newest = bucket - rng.randrange(s.recent_buckets)
                ranks[tag] = rank(rng.uniform(1, 60), now - rng.random() * 3600, s.half_life_s)
                uses_field, authors_field = k.counts_fields(newest)
                pipe.hset(k.counts(tag), mapping={uses_field: authors + 2, authors_field: authors})
                pipe.zadd(k.last(tag), {f"a{a}": newest for a in range(authors)})
            pipe.zadd(k.ranks_all, ranks)
            await pipe.execute()

    step = -(-tags // connections)
    await asyncio.gather(*(one(i, min(i + step, tags)) for i in range(0, tags, step)))


async def run(redis_url: str, args: argparse.Namespace) -> None:
    client = client_from_url(redis_url, max_connections=max(args.connections, 1) + 2)
    await flush_all(client)
    now = time.time()

    engine = TrendEngine(client, prefix="ingest:")
    await engine.load_scripts()
    window_s = engine.settings.recent_window_s
    warm = synthetic_uses(5_000, args.tags, now, window_s, seed=1)
    await engine.record_many(warm)
    await zincrby_baseline(client, warm, args.connections)
    print(f"ingest: {args.uses:,} uses over {args.tags:,} tags, {args.connections} connection(s)")
    workloads = (
        ("uniform, over the recent window", 0.0, window_s, 2),
        (f"zipf {args.zipf}, over the recent window", args.zipf, window_s, 3),
        (f"zipf {args.zipf}, live (the last minute)", args.zipf, 60.0, 4),
    )
    for label, zipf, spread_s, seed in workloads:
        uses = synthetic_uses(args.uses, args.tags, now, spread_s, seed=seed, zipf=zipf)
        baseline_s = await zincrby_baseline(client, uses, args.connections)
        ours_s, counted = await ingest(engine, uses, args.connections)
        again_s, again = await ingest(engine, uses, args.connections)  # every one a duplicate
        ours_rate, baseline_rate = len(uses) / ours_s, len(uses) / baseline_s
        print(f"  {label}: record_many {ours_rate:10,.0f} uses/s   (target >= {INGEST_TARGET:,})")
        print(f"  {label}: bare ZINCRBY {baseline_rate:10,.0f} uses/s")
        print(f"  {label}: ratio ours/baseline: {ours_rate / baseline_rate:.3f}")
        print(f"  {label}: counted {counted:,}; the same uses again: "
              f"{len(uses) / again_s:,.0f} uses/s, counted {again}")  # fmt: skip

    await flush_all(client)
    reader = TrendEngine(client, prefix="top:")
    started = time.perf_counter()
    await seed_ranked(client, reader, args.ranked, now, args.connections)
    seed_s = time.perf_counter() - started
    spiking = [
        Use(f"spike{t}", a, 10**13 + t * 100 + a, now - a) for t in range(10) for a in range(8)
    ]
    await reader.record_many(spiking)  # a few tags written and scored by the engine itself
    await reader.settle()
    for tag in ("spike0", "spike1", "t1", "t2", "t3"):
        await reader.set_review(tag, "approved")
    ranked = await client.zcard(reader.keys.ranks_all)
    print(f"top(10): {ranked:,} tags ranked, seeded in {seed_s:.1f} s")
    shown = await reader.top(10, public=False)
    assert len(shown) == 10
    assert all(t.uses > 0 and t.accounts > 0 for t in shown)

    p50, p99 = await latencies_ms(lambda: reader.top(10, public=False), args.calls)
    print(f"  top(10), every tag: p50 {p50:.3f} ms, p99 {p99:.3f} ms   "
          f"(target <= {TOP_TARGET_MS} ms)")  # fmt: skip
    p50p, p99p = await latencies_ms(lambda: reader.top(10), args.calls)
    print(f"  top(10), approved:  p50 {p50p:.3f} ms, p99 {p99p:.3f} ms")
    key = reader.keys.ranks_all

    def bare() -> Awaitable[object]:
        return client.zrange(key, 0, 9, desc=True, withscores=True)

    b50, b99 = await latencies_ms(bare, args.calls)
    print(f"  baseline, bare ZRANGE 0 9: p50 {b50:.3f} ms, p99 {b99:.3f} ms")
    print(f"  ratio baseline/ours (p50): {b50 / p50:.3f}")
    await flush_all(client)
    await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--uses", type=int, default=200_000)
    parser.add_argument("--tags", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--zipf", type=float, default=1.1)
    parser.add_argument("--ranked", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    with backends() as b:
        asyncio.run(run(b.redis_url, args))


if __name__ == "__main__":
    main()
