"""Search latency: account prefix search with 100,000 accounts (the Redis index, checked
against the database) and status full-text search with 1,000,000 statuses (PostgreSQL's GIN
index and the viewer's rules), each against a bare indexed query in the same run.

    DATABASE_URL=postgresql+asyncpg://... REDIS_URL=redis://... \\
        python -m bench.search [--accounts 100000] [--statuses 1000000] [--queries 500]

Empties the database it is given (never point it at one you keep) and seeds it in bulk with
SQL (`generate_series`); flushes the Redis db. Prints p50/p99 of each and the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from social.config import Settings
from social.platform.context import AppContext
from social.platform.db.engine import create_engine
from social.platform.db.migrate import upgrade
from social.platform.redis.client import flush_all
from social.search import index
from social.search.service import Query, search_accounts, search_statuses
from social.wiring import build

WORDS = 5000  # each status holds w<g % WORDS> and x<g*31 % 20000>: ~200 and ~50 hits a word

SEED_ACCOUNTS = """
INSERT INTO accounts (id, username, display_name, note, locked, bot, discoverable,
    indexable, silenced, suspended, statuses_count, followers_count, following_count,
    created_at, updated_at)
SELECT g, 'user' || g, 'Name ' || substr(md5(g::text), 1, 6), '', false, false, true,
    g % 10 <> 0, false, false, 0, g % 1000, 0, now(), now()
FROM generate_series(1, :n) AS g
"""
SEED_FOLLOWS = """
INSERT INTO follows (id, account_id, target_account_id, show_reblogs, notify, created_at)
SELECT g, 1, 2 + (g * 997) % (:accounts - 1), true, false, now()
FROM generate_series(1, 100) AS g
"""
SEED_STATUSES = """
INSERT INTO statuses (id, account_id, text, content, spoiler_text, sensitive, visibility,
    replies_count, favourites_count, reblogs_count, created_at, conversation_id)
SELECT g, 1 + g % :accounts,
    'status w' || (g % 5000) || ' x' || ((g * 31) % 20000) || ' about the weather', '', '',
    false, CASE WHEN g % 5 = 0 THEN 'private' ELSE 'public' END, 0, 0, 0, now(), g
FROM generate_series(1, :n) AS g
"""
BARE_ACCOUNT = "SELECT id FROM accounts WHERE lower(username) = :name"
BARE_STATUS = """
SELECT id FROM statuses
WHERE search_vector @@ plainto_tsquery('simple', :q)
  AND reblog_of_id IS NULL
ORDER BY id DESC LIMIT 20
"""


async def seed(ctx: AppContext, accounts: int, statuses: int) -> None:
    # the app's engine cancels a statement after seconds: seeding takes minutes
    engine = create_engine(ctx.settings.database_url, statement_timeout_s=3600)
    try:
        await _seed(engine, accounts, statuses)
    finally:
        await engine.dispose()
    await flush_all(ctx.redis)
    started = time.perf_counter()
    assert await index.rebuild(ctx)
    print(f"Redis prefix index rebuilt in {time.perf_counter() - started:.1f} s")


async def _seed(engine: AsyncEngine, accounts: int, statuses: int) -> None:
    started = time.perf_counter()
    async with engine.begin() as conn:
        await conn.execute(text("TRUNCATE accounts, statuses, tags CASCADE"))
        await conn.execute(text(SEED_ACCOUNTS), {"n": accounts})
        await conn.execute(text(SEED_FOLLOWS), {"accounts": accounts})
        await conn.execute(text("DROP INDEX IF EXISTS ix_statuses_fulltext"))
        await conn.execute(text(SEED_STATUSES), {"n": statuses, "accounts": accounts})
    print(
        f"seeded {accounts} accounts, {statuses} statuses in {time.perf_counter() - started:.0f} s"
    )
    started = time.perf_counter()
    async with engine.begin() as conn:
        await conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        await conn.execute(
            text(
                "CREATE INDEX ix_statuses_fulltext ON statuses"
                " USING gin (search_vector)"
                " WHERE reblog_of_id IS NULL"
            )
        )
        await conn.execute(text("ANALYZE accounts"))
        await conn.execute(text("ANALYZE statuses"))
    print(f"full-text index built in {time.perf_counter() - started:.0f} s")


async def timed(calls: list[Callable[[], Awaitable[object]]]) -> list[float]:
    spent = []
    for call in calls:
        started = time.perf_counter()
        await call()
        spent.append(time.perf_counter() - started)
    return spent


def p(spent: list[float], q: float) -> float:
    return statistics.quantiles(spent, n=100)[int(q) - 1] * 1000


async def run(args: argparse.Namespace) -> None:
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgresql"):
        raise SystemExit("bench.search measures PostgreSQL: set DATABASE_URL")
    await asyncio.to_thread(upgrade, url)
    ctx = build(Settings(database_url=url, redis_url=os.environ["REDIS_URL"]))
    try:
        if not args.no_seed:
            await seed(ctx, args.accounts, args.statuses)
        rng = random.Random(7)
        viewer = 1
        prefixes = [f"user{rng.randrange(1, args.accounts // 10)}" for _ in range(args.queries)]
        names = [f"user{rng.randrange(1, args.accounts)}" for _ in range(args.queries)]
        words = [f"w{rng.randrange(WORDS)}" for _ in range(args.queries)]

        async def bare(sql: str, params: dict[str, str]) -> None:
            async with ctx.db() as db:
                (await db.execute(text(sql), params)).all()

        for _ in range(2):  # warm both, then measure interleaved-free runs in the same process
            account_search = await timed(
                [lambda q=q: search_accounts(ctx, viewer, q, limit=40) for q in prefixes]
            )
            account_bare = await timed([lambda n=n: bare(BARE_ACCOUNT, {"name": n}) for n in names])
            status_search = await timed(
                [
                    lambda w=w: search_statuses(ctx, viewer, Query(q=w, type="statuses"), 0)
                    for w in words
                ]
            )
            status_bare = await timed([lambda w=w: bare(BARE_STATUS, {"q": w}) for w in words])
            common = [f"weather {w}" for w in words[: args.queries // 5]]
            common_search = await timed(
                [
                    lambda q=q: search_statuses(ctx, viewer, Query(q=q, type="statuses"), 0)
                    for q in common
                ]
            )
            common_bare = await timed([lambda q=q: bare(BARE_STATUS, {"q": q}) for q in common])
        for label, ours, base in (
            ("account prefix search (40, ranked)", account_search, account_bare),
            ("status full-text search (20, viewer's rules)", status_search, status_bare),
            ("the same, a word every status holds and a rare one", common_search, common_bare),
        ):
            print(
                f"{label}: p50 {p(ours, 50):.2f} ms, p99 {p(ours, 99):.2f} ms; "
                f"bare indexed query p50 {p(base, 50):.2f} ms, p99 {p(base, 99):.2f} ms; "
                f"ratio p99 {p(ours, 99) / p(base, 99):.1f}x"
            )
    finally:
        await ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--statuses", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--no-seed", action="store_true", help="measure what is there")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
