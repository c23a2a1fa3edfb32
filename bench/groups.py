"""What each consumer group spends on a post, bench.load's shape without the load: 1,000
accounts following 20 others each, N posts with a hashtag by random authors, then each group
handles all of them, one group after another, so each figure is that group's alone.

    python -m bench.groups [--posts 400]

The baseline, measured in the same run, is the bare work of a fan-out for the same posts: per
post one query of the author's followers and one pipelined `ZADD` into their feeds. Groups run
in registration order (`timelines` before `streaming`), so `streaming` takes the audience the
`timelines` group worked out (`AppContext.memo`); `--no-memo` makes it work out its own.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time

from sqlalchemy import insert, select

from bench.common import Backends, account_row, backends
from social.app import create_app
from social.config import Settings
from social.platform.db.models import Account, Follow
from social.platform.db.types import utcnow
from social.platform.ids import next_id
from social.platform.memo import Memo
from social.statuses.service import NewStatus, create_status
from social.timelines.service import SENTINEL

USERS, FOLLOWS = 1000, 20


async def run(b: Backends, posts: int, *, memo: bool) -> None:
    app = create_app(Settings(redis_url=b.redis_url, database_url=b.database_url))
    ctx = app.state.ctx
    if not memo:
        ctx.memo = Memo(max_weight=0)
    now, rng = utcnow(), random.Random(1)
    ids = [next_id() for _ in range(USERS)]
    async with ctx.db() as db:
        rows = [{**account_row(i, f"u{i}", followers=FOLLOWS, now=now)} for i in ids]
        await db.execute(insert(Account), rows)
        follows = [
            {"id": next_id(), "account_id": i, "target_account_id": t, "created_at": now}
            for i in ids
            for t in rng.sample([x for x in ids if x != i], FOLLOWS)
        ]
        for start in range(0, len(follows), 5000):
            await db.execute(insert(Follow), follows[start : start + 5000])
        await db.commit()
    async with ctx.redis.pipeline(transaction=False) as pipe:
        for i in ids:
            pipe.zadd(ctx.keys.home_feed(i), {SENTINEL: 0})
        await pipe.execute()
    authors = [rng.choice(ids) for _ in range(posts)]
    statuses = [
        await create_status(ctx, author, NewStatus(text=f"post {n} #load"))
        for n, author in enumerate(authors)
    ]
    while await ctx.events.relay.relay_once():
        pass

    started = time.perf_counter()
    for author, status_id in zip(authors, statuses, strict=True):
        async with ctx.db() as db:
            query = select(Follow.account_id).where(Follow.target_account_id == author)
            readers = list((await db.execute(query)).scalars())
        async with ctx.redis.pipeline(transaction=False) as pipe:
            for reader in [author, *readers]:
                pipe.zadd(ctx.keys.home_feed(reader), {f"{status_id}:{author}b": status_id})
            await pipe.execute()
    baseline_ms = (time.perf_counter() - started) * 1000 / posts

    print(f"{posts} posts, {USERS} accounts following {FOLLOWS} each, {b.database_url[:10]}…")
    print(f"baseline, followers query + pipelined ZADD: {baseline_ms:6.2f} ms a post")
    total_ms = 0.0
    for name, group in ctx.events.groups.items():
        started = time.perf_counter()
        while await group.process_once():
            pass
        ms = (time.perf_counter() - started) * 1000 / posts
        total_ms += ms
        print(f"  {name:14} {ms:6.2f} ms a post   ratio baseline/group {baseline_ms / ms:6.2f}")
    ratio = baseline_ms / total_ms
    print(f"every group: {total_ms:6.2f} ms a post   ratio baseline/all {ratio:.3f}")
    await ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=400)
    parser.add_argument("--no-memo", action="store_true", help="each group its own audience")
    args = parser.parse_args()
    with backends() as b:
        asyncio.run(run(b, args.posts, memo=not args.no_memo))


if __name__ == "__main__":
    main()
