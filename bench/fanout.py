"""Fan-out: an account with N followers posts, then boosts; time until every follower's feed
holds it, but those who mute or block the author (1% each) or hide the author's boosts (1%,
for the boost).

    python -m bench.fanout [--followers 10000]

Followers are inserted straight into the database and their feeds marked built in Redis (the
API would spend minutes hashing passwords). The post goes through the real path: the status
and its outbox row commit, the relay publishes, the timelines consumer writes the feeds. The
baseline, measured in the same run, is the bare Redis work: one pipelined ZADD per feed.
With `--tagged` the post carries a hashtag every follower follows too: the tag followers are
a second source of readers, each of whom must come once (and the hiding ones not at all).
"""

from __future__ import annotations

import argparse
import asyncio
import time

from sqlalchemy import insert

from bench.common import Backends, account_row, backends
from social.app import create_app
from social.config import Settings
from social.platform.db.models import Account, Block, Follow, Mute, Tag, TagFollow
from social.platform.db.types import utcnow
from social.platform.ids import next_id
from social.statuses.boosts import reblog
from social.statuses.service import NewStatus, create_status
from social.timelines.service import SENTINEL

HIDING_SHARE = 0.01  # of the followers, each: mute the author, block it, hide its boosts


async def run(b: Backends, followers: int, *, tagged: bool = False) -> None:
    app = create_app(Settings(redis_url=b.redis_url, database_url=b.database_url))
    ctx = app.state.ctx
    now = utcnow()
    author, other = next_id(), next_id()
    ids = [next_id() for _ in range(followers)]
    share = int(followers * HIDING_SHARE)
    muting, blocking, no_boosts = ids[:share], ids[share : 2 * share], ids[2 * share : 3 * share]

    async with ctx.db() as db:
        await db.execute(
            insert(Account),
            [account_row(author, "author", now=now), account_row(other, "other", now=now)],
        )
        for start in range(0, followers, 2000):
            chunk = ids[start : start + 2000]
            await db.execute(insert(Account), [account_row(i, f"f{i}", now=now) for i in chunk])
            await db.execute(
                insert(Follow),
                [
                    {
                        "id": next_id(),
                        "account_id": i,
                        "target_account_id": author,
                        "show_reblogs": i not in no_boosts,
                        "created_at": now,
                    }
                    for i in chunk
                ],
            )
        pair = {"target_account_id": author, "created_at": now}
        await db.execute(insert(Mute), [{"id": next_id(), "account_id": i, **pair} for i in muting])
        await db.execute(
            insert(Block), [{"id": next_id(), "account_id": i, **pair} for i in blocking]
        )
        if tagged:
            tag = next_id()
            await db.execute(insert(Tag), [{"id": tag, "name": "bench", "display_name": "bench"}])
            for start in range(0, followers, 2000):
                rows = [
                    {"id": next_id(), "account_id": i, "tag_id": tag, "created_at": now}
                    for i in ids[start : start + 2000]
                ]
                await db.execute(insert(TagFollow), rows)
        await db.commit()
    original = await create_status(ctx, other, NewStatus(text="worth a boost"))
    feeds = [ctx.keys.home_feed(i) for i in ids]
    async with ctx.redis.pipeline(transaction=False) as pipe:
        for key in feeds:
            pipe.zadd(key, {SENTINEL: 0})
        await pipe.execute()

    started = time.perf_counter()
    async with ctx.redis.pipeline(transaction=False) as pipe:
        for key in feeds:
            pipe.zadd(key, {"1:1": 1})
        await pipe.execute()
    baseline_s = time.perf_counter() - started

    await ctx.events.start()
    await ctx.events.drain(timeout_s=60)  # the original's own events
    hidden = set(muting) | set(blocking)
    for what in ("post", "boost"):
        started = time.perf_counter()
        if what == "post":
            text = "to all my followers" + (" #bench" if tagged else "")
            status_id = await create_status(ctx, author, NewStatus(text=text))
        else:
            status_id = await reblog(ctx, author, original, None)
            hidden |= set(no_boosts)
        await ctx.events.drain(timeout_s=60)  # relayed and handled by every consumer group
        elapsed_s = time.perf_counter() - started
        member = f"{status_id}:{author}"
        async with ctx.redis.pipeline(transaction=False) as pipe:
            for key in feeds:
                pipe.zscore(key, member)
            reached = {i for i, score in zip(ids, await pipe.execute(), strict=True) if score}
        wrong = len(reached & hidden) + len(set(ids) - hidden - reached)
        print(f"{what}: followers {followers}, delivered {len(reached)}, misdelivered {wrong}")
        print(f"{what} -> every feed: {elapsed_s * 1000:8.1f} ms   (target <= 500 ms)")
        print(f"baseline, bare pipelined ZADD to every feed: {baseline_s * 1000:8.1f} ms")
        print(f"ratio baseline/ours: {baseline_s / elapsed_s:.3f}")
    await ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--tagged", action="store_true", help="every follower follows its tag")
    args = parser.parse_args()
    with backends() as b:
        asyncio.run(run(b, args.followers, tagged=args.tagged))


if __name__ == "__main__":
    main()
