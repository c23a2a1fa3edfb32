"""Bounded fan-out: what a large author's post costs, and what merging costs a home read.

    python -m bench.large_fanout [--followers 10000] [--large 10] [--reads 500] [--no-pushed]
        [--watching 100]

Post: two authors with the same N followers (inserted straight into the database, feeds
marked built); one counts as large (its `followers_count` is N, above `fanout_push_max`), the
other is pushed. Each posts through the real path (commit, relay, the `timelines` consumer);
the ratio is pushed time / large time. Each post is timed until a random follower's home
shows it (a read polled meanwhile) and until every consumer group is done; `--watching`
followers listen on their `user` channel (marked as the hub does), so the `streaming` group
sends to them. With `--no-pushed` only the large author posts (a million followers).
Read: a reader follows `--large` large authors, each
with 40 recent statuses in their recent set; a second reader's feed holds the same entries
pushed. Both read their home's first page (`read_home`, limit 20) `--reads` times; the ratio
is pushed read / merged read. Figures for choosing `SOCIAL_FANOUT_PUSH_MAX`: a post costs
about `followers x (per-feed push)` pushed and a constant merged; each read of each follower
of the author pays the merge.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time

from sqlalchemy import insert

from bench.common import Backends, account_row, backends
from social.app import create_app
from social.config import Settings
from social.platform.context import AppContext
from social.platform.db.models import Account, Follow
from social.platform.db.types import utcnow
from social.platform.ids import next_id
from social.platform.live.history import mark_watched
from social.platform.paging import PageQuery
from social.statuses.service import NewStatus, create_status
from social.timelines import large
from social.timelines.service import SENTINEL, member, read_home

RECENT = 40


async def follows(ctx: AppContext, readers: list[int], targets: list[int]) -> None:
    now = utcnow()
    async with ctx.db() as db:
        for target in targets:
            for start in range(0, len(readers), 2000):
                rows = [
                    {"id": next_id(), "account_id": r, "target_account_id": target}
                    for r in readers[start : start + 2000]
                ]
                await db.execute(insert(Follow), [{**r, "created_at": now} for r in rows])
        await db.commit()


async def post_cost(ctx: AppContext, followers: int, *, pushed_too: bool, watching: int) -> None:
    big, pushed = next_id(), next_id()
    ids = [next_id() for _ in range(followers)]
    started = time.perf_counter()
    async with ctx.db() as db:
        await db.execute(
            insert(Account),
            [account_row(big, "big", followers=followers), account_row(pushed, "p")],
        )
        for start in range(0, followers, 2000):
            chunk = ids[start : start + 2000]
            await db.execute(insert(Account), [account_row(i, f"f{i}") for i in chunk])
        await db.commit()
    await follows(ctx, ids, [big, pushed] if pushed_too else [big])
    for start in range(0, followers, 10_000):
        async with ctx.redis.pipeline(transaction=False) as pipe:
            for i in ids[start : start + 10_000]:
                pipe.zadd(ctx.keys.home_feed(i), {SENTINEL: 0})
            await pipe.execute()
    # some followers listen on their `user` channel, as the hub marks them
    streams = [ctx.keys.stream_channel(f"user:{i}") for i in random.sample(ids, watching)]
    await mark_watched(ctx.redis, ctx.keys, streams, 3600)
    print(f"seeded {followers} followers in {time.perf_counter() - started:.1f} s")
    await create_status(ctx, big, NewStatus(text="first: fills the recent set"))
    await ctx.events.drain(timeout_s=600)
    times: dict[int, float] = {}
    for author in (pushed, big) if pushed_too else (big,):
        started = time.perf_counter()
        status_id = await create_status(ctx, author, NewStatus(text="to all my followers"))
        reached = await seen_at(ctx, random.choice(ids), status_id) - started
        await ctx.events.drain(timeout_s=600)
        times[author] = time.perf_counter() - started
        kind = "pushed" if author == pushed else "large (merged on read)"
        print(
            f"post, {followers} followers, {kind}: in a follower's home after "
            f"{reached * 1000:8.1f} ms; every group done after {times[author] * 1000:8.1f} ms"
        )
    if pushed_too:
        print(f"ratio pushed/large: {times[pushed] / times[big]:.1f}")


async def seen_at(ctx: AppContext, reader: int, status_id: int) -> float:
    """When `reader`'s home first shows `status_id` (read every millisecond)."""
    while True:
        if status_id in [e[0] for e in await read_home(ctx, reader, PageQuery(limit=1))]:
            return time.perf_counter()
        await asyncio.sleep(0.001)


async def read_cost(ctx: AppContext, authors: int, reads: int) -> None:
    merging, pushed = next_id(), next_id()
    bigs = [next_id() for _ in range(authors)]
    async with ctx.db() as db:
        await db.execute(insert(Account), [account_row(merging, "m"), account_row(pushed, "q")])
        await db.execute(
            insert(Account), [account_row(b, f"b{b}", followers=1_000_000) for b in bigs]
        )
        await db.commit()
    await follows(ctx, [merging, pushed], bigs)
    entries: list[tuple[int, int]] = []
    async with ctx.redis.pipeline(transaction=False) as pipe:
        for b in bigs:
            recent = [
                large.recent(
                    next_id(),
                    b,
                    original_author=None,
                    replied_to=None,
                    language="en",
                    hidden_with=(),
                )
                for _ in range(RECENT)
            ]
            pipe.zadd(
                ctx.keys.author_recent(b),
                {SENTINEL: 0, **{r.member(): r.status_id for r in recent}},
            )
            pipe.hset(ctx.keys.home_large(merging), str(b), large.options(True, None))
            entries += [(r.status_id, b) for r in recent]
        pipe.zadd(ctx.keys.home_feed(merging), {SENTINEL: 0})
        pipe.zadd(ctx.keys.home_feed(pushed), {SENTINEL: 0, **{member(e): e[0] for e in entries}})
        await pipe.execute()
    page = PageQuery(limit=20)
    one = await read_home(ctx, merging, page)
    assert [tuple(e) for e in one] == [tuple(e) for e in await read_home(ctx, pushed, page)]
    times: dict[int, float] = {}
    for reader in (pushed, merging, pushed, merging):
        started = time.perf_counter()
        for _ in range(reads):
            await read_home(ctx, reader, page)
        times[reader] = (time.perf_counter() - started) / reads
    print(f"home read, feed pushed: {times[pushed] * 1e6:8.1f} us")
    print(f"home read, {authors} large authors merged: {times[merging] * 1e6:8.1f} us")
    print(f"ratio pushed/merged: {times[pushed] / times[merging]:.2f}")


async def run(b: Backends, args: argparse.Namespace) -> None:
    followers, authors, reads = args.followers, args.large, args.reads
    settings = Settings(
        redis_url=b.redis_url, database_url=b.database_url, fanout_push_max=followers - 1
    )
    ctx = create_app(settings).state.ctx
    await ctx.events.start()
    await post_cost(ctx, followers, pushed_too=args.pushed, watching=args.watching)
    await read_cost(ctx, authors, reads)
    await ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=10, help="large authors the reader follows")
    parser.add_argument("--reads", type=int, default=500)
    parser.add_argument(
        "--no-pushed",
        dest="pushed",
        action="store_false",
        help="only the large author posts (a million pushed feeds take minutes)",
    )
    parser.add_argument(
        "--watching", type=int, default=100, help="followers listening on their user channel"
    )
    args = parser.parse_args()
    with backends() as b:
        asyncio.run(run(b, args))


if __name__ == "__main__":
    main()
