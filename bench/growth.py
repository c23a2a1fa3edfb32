"""Cost that does not grow with the data: the read paths at `--small` statuses, then again
after the same database grew to `--statuses`, in the same run.

    python -m bench.growth [--accounts 100000] [--statuses 1000000] [--small 10000] [--reads 200]

Seeds in bulk (COPY on PostgreSQL, chunked inserts on SQLite; pass smaller sizes there): a
world of `--small / 10` accounts, 10 statuses each, spread over the last 30 days (snowflake
ids matching `created_at`), each account following 20 others, 2 favourites a status, 1 in 10
statuses tagged #bench, 1 in 10 mentioning someone, 1 in 20 a reply, one thread of 10, the
follow, favourite and mention notifications; 4 of the 20 readers follow #bench. Then times,
through the app (`httpx.ASGITransport`), each read `--reads` times round-robin over the
readers, after one untimed warm-up per reader: the home warm; the home cold (the feed key
deleted: the first GET, answered from the database while its rebuild begins, and
`rebuild_home` alone); the public, local and #bench timelines; an account's statuses; a
thread; notifications. Then adds accounts to `--accounts` and statuses to `--statuses`, of
the same shape, their ids interleaved over the same 30 days (the readers' statuses now sparse
among many more), runs VACUUM ANALYZE (what autovacuum would have done), and times the same
reads of the same readers. Redis (REDIS_URL's database is flushed) starts empty in each phase.
Prints mean and p50 per read and phase, the ratio small/large of the p50s (>= 0.67: within
1.5x, the target) and the worst.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import secrets
import statistics
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bench.common import Backends, account_row, backends
from social.app import create_app
from social.config import Settings
from social.oauth.tokens import issue_user_token
from social.platform.db.engine import create_engine
from social.platform.db.models import (
    Account,
    Application,
    Favourite,
    Follow,
    Mention,
    Notification,
    Status,
    StatusTag,
    Tag,
    TagFollow,
)
from social.platform.db.types import utcnow
from social.platform.ids import TIME_SHIFT, next_id
from social.platform.redis.client import flush_all
from social.timelines.service import rebuild_home

DAYS, PER_ACCOUNT, FOLLOWS, FAVOURITES = 30, 10, 20, 2
TAG_EVERY, MENTION_EVERY, REPLY_EVERY, THREAD = 10, 10, 20, 10
READERS, TAG_FOLLOWERS = 20, 4
CHUNK = 5000  # rows a statement (COPY: 10x)
COUNTERS = """UPDATE accounts SET
 statuses_count = (SELECT count(*) FROM statuses s WHERE s.account_id = accounts.id),
 followers_count = (SELECT count(*) FROM follows f WHERE f.target_account_id = accounts.id),
 following_count = (SELECT count(*) FROM follows f WHERE f.account_id = accounts.id)"""


@dataclass
class World:
    start_ms: int
    end_ms: int
    accounts: list[int] = field(default_factory=list)
    statuses: int = 0
    used_ms: set[int] = field(default_factory=set)
    tag_id: int = 0
    thread: int = 0
    app: Application | None = None

    @property
    def readers(self) -> list[int]:
        return self.accounts[:READERS]


def chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    it = iter(rows)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


async def bulk(
    conn: AsyncConnection, model: Any, names: str, rows: Iterable[tuple[Any, ...]]
) -> None:
    """Rows of the columns `names` into `model`'s table, the others at their defaults (COPY on
    PostgreSQL, which applies no Python defaults: they are given here)."""
    table, columns = model.__table__, names.split()
    extra = {
        c.name: c.default.arg(None) if c.default.is_callable else c.default.arg
        for c in table.columns
        if c.name not in columns and c.default is not None
    }
    columns += extra
    tail = tuple(extra.values())
    postgres = conn.dialect.name == "postgresql"
    for chunk in chunks(rows, CHUNK * 10 if postgres else CHUNK):
        records = [row + tail for row in chunk]
        if postgres:
            raw = (await conn.get_raw_connection()).driver_connection
            await raw.copy_records_to_table(table.name, records=records, columns=columns)
        else:
            await conn.execute(insert(table), [dict(zip(columns, r, strict=True)) for r in records])


async def grow(
    engine: AsyncEngine, world: World, rng: random.Random, accounts: int, n: int
) -> None:
    """The world grown to `accounts` accounts and by `n` statuses, of the same shape."""
    now, hour = utcnow(), int(time.time() // 3600)
    new = [next_id() for _ in range(accounts - len(world.accounts))]
    first, every = not world.accounts, world.accounts + new
    follows = [
        (next_id(), a, t)
        for a in new
        for t in [t for t in rng.sample(every, FOLLOWS + 1) if t != a][:FOLLOWS]
    ]
    ms: set[int] = set()
    while len(ms) < n:
        m = rng.randrange(world.start_ms, world.end_ms)
        if m not in world.used_ms:
            ms.add(m)
    world.used_ms |= ms
    ids = [m << TIME_SHIFT | 1 for m in sorted(ms)]  # id_at(m / 1000), made unique
    authors = [new[i % len(new)] for i in range(n)]
    rng.shuffle(authors)
    parent: list[int | None] = [None] * n
    for i in range(REPLY_EVERY, n, REPLY_EVERY):
        parent[i] = rng.randrange(i)
    if first:  # the thread: a chain of replies, the read asks for its middle
        chain = range(n - 5 * THREAD, n - 4 * THREAD)
        for i in chain[1:]:
            parent[i] = i - 1
        world.thread, world.tag_id = ids[chain[THREAD // 2]], next_id()
        world.app = Application(id=next_id(), name="growth", scopes="read")
    conv, replies, favs = list(ids), [0] * n, [0] * n
    for i, j in enumerate(parent):
        if j is not None:
            conv[i], replies[j] = conv[j], replies[j] + 1
    liked: set[tuple[int, int]] = set()
    while len(liked) < FAVOURITES * n:
        liked.add((rng.choice(every), rng.randrange(n)))
    faved = [(next_id(), a, j) for a, j in liked]
    for _, _, j in faved:
        favs[j] += 1
    mentions = {i: rng.choice(every) for i in range(3, n, MENTION_EVERY)}
    mentions = {i: m for i, m in mentions.items() if m != authors[i]}

    def status(i: int) -> tuple[Any, ...]:
        words = f"post {i}" + (" #bench" if i % TAG_EVERY == 1 else "")
        words += " @someone" if i in mentions else ""
        j, at = parent[i], datetime.fromtimestamp((ids[i] >> TIME_SHIFT) / 1000, UTC)
        to = (None, None) if j is None else (ids[j], authors[j])
        head = (ids[i], authors[i], words, f"<p>{words}</p>", "public", "en")
        return (*head, *to, conv[i], replies[i], favs[i], at)

    def note(kind: str, to: int, by: int, cause: int, sid: int | None) -> tuple[Any, ...]:
        group = {"follow": f"follow-{hour}", "favourite": f"favourite-{sid}-{hour}"}.get(kind)
        return (next_id(), to, by, kind, sid, f"{kind}:{by}:{cause}:{to}", group, now)

    statuses = "id account_id text content visibility language in_reply_to_id"
    statuses += " in_reply_to_account_id conversation_id replies_count favourites_count created_at"
    notes = itertools.chain(
        (note("follow", t, a, f, None) for f, a, t in follows),
        (note("favourite", authors[j], a, f, ids[j]) for f, a, j in faved if a != authors[j]),
        (note("mention", m, authors[i], ids[i], ids[i]) for i, m in mentions.items()),
    )
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # no foreign key triggers (rows known sound)
            await conn.execute(text("SET LOCAL session_replication_role = replica"))
        names = " ".join(account_row(0, ""))
        await bulk(
            conn, Account, names, (tuple(account_row(a, f"g{a}", now=now).values()) for a in new)
        )
        await bulk(conn, Follow, "id account_id target_account_id", follows)
        await bulk(conn, Status, statuses, map(status, range(n)))
        if first and world.app is not None:
            await bulk(conn, Tag, "id name display_name", [(world.tag_id, "bench", "bench")])
            tag_follows = [(next_id(), a, world.tag_id) for a in world.readers[:TAG_FOLLOWERS]]
            await bulk(conn, TagFollow, "id account_id tag_id", tag_follows)
            app = (world.app.id, "growth", "read", secrets.token_urlsafe(32), secrets.token_hex(32))
            await bulk(conn, Application, "id name scopes client_id client_secret_hash", [app])
        tagged = ((ids[i], world.tag_id) for i in range(1, n, TAG_EVERY))
        await bulk(conn, StatusTag, "status_id tag_id", tagged)
        await bulk(
            conn, Mention, "status_id account_id", ((ids[i], m) for i, m in mentions.items())
        )
        await bulk(
            conn, Favourite, "id account_id status_id", ((f, a, ids[j]) for f, a, j in faved)
        )
        names = "id account_id from_account_id type status_id dedupe_key group_key created_at"
        await bulk(conn, Notification, names, notes)
        await conn.execute(text(COUNTERS))
    world.accounts, world.statuses = every, world.statuses + n
    async with engine.connect() as conn:
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        postgres = conn.dialect.name == "postgresql"
        await autocommit.execute(text("VACUUM ANALYZE" if postgres else "ANALYZE"))


Once = Callable[[int], Awaitable[float]]
"""One read by a reader: the seconds it took (what it does before or after is not timed)."""


async def measure(b: Backends, world: World, reads: int) -> dict[str, tuple[float, float]]:
    """Each read's mean and p50 in µs."""
    settings = Settings(
        redis_url=b.redis_url,
        database_url=b.database_url,
        ratelimit_scale=1e6,
        in_process_workers=False,
    )
    app = create_app(settings)
    ctx = app.state.ctx
    transport = httpx.ASGITransport(app=app)
    results: dict[str, tuple[float, float]] = {}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as c,
    ):
        await flush_all(ctx.redis)  # the same empty caches and feeds in each phase
        assert world.app is not None
        tokens = {}
        for r in world.accounts[:READERS]:
            issued = await issue_user_token(ctx, account_id=r, app=world.app, scopes=["read"])
            tokens[r] = {"Authorization": f"Bearer {issued.access_token}"}

        async def get(path: str, reader: int) -> float:
            started = time.perf_counter()
            r = await c.get(path, headers=tokens[reader])
            elapsed = time.perf_counter() - started
            body = r.json() if r.status_code == 200 else None
            if not (body if isinstance(body, list) else body and any(body.values())):
                raise AssertionError(f"{path}: {r.status_code} {r.text[:300]}")
            return elapsed

        async def drop(reader: int) -> None:
            keys = ctx.keys.home_feed(reader), ctx.keys.home_feed_rebuild_lock(reader)
            await ctx.redis.delete(*keys)

        async def cold_get(reader: int) -> float:
            await drop(reader)
            elapsed = await get("/api/v1/timelines/home", reader)
            await ctx.settle()  # the rebuild it began
            return elapsed

        async def rebuild(reader: int) -> float:
            await drop(reader)
            started = time.perf_counter()
            assert await rebuild_home(ctx, reader)
            return time.perf_counter() - started

        def path(template: str) -> Once:
            def once(reader: int) -> Awaitable[float]:
                other = world.readers[(world.readers.index(reader) + 1) % READERS]
                return get(template.format(account=other, thread=world.thread), reader)

            return once

        readers = world.readers
        plain, tagging = readers[TAG_FOLLOWERS:], readers[:TAG_FOLLOWERS]
        cases: list[tuple[str, list[int], Once]] = [
            ("home cold: first GET", plain, cold_get),
            ("home cold: rebuild_home", plain, rebuild),
            ("home cold: rebuild, follows #bench", tagging, rebuild),
            ("home warm", readers, path("/api/v1/timelines/home")),
            ("public", readers, path("/api/v1/timelines/public")),
            ("public local", readers, path("/api/v1/timelines/public?local=true")),
            ("tag #bench", readers, path("/api/v1/timelines/tag/bench")),
            ("account statuses", readers, path("/api/v1/accounts/{account}/statuses")),
            ("thread context", readers, path("/api/v1/statuses/{thread}/context")),
            ("notifications", readers, path("/api/v1/notifications")),
        ]
        for name, who, once in cases:
            for reader in who:  # warm-up, and the feeds built for the warm reads
                await once(reader)
            await ctx.settle()
            times = [await once(who[k % len(who)]) * 1e6 for k in range(reads)]
            results[name] = (statistics.fmean(times), statistics.median(times))
            print(f"  {name:<36} mean {results[name][0]:9.0f} µs  p50 {results[name][1]:9.0f} µs")
    return results


async def run(b: Backends, accounts: int, statuses: int, small: int, reads: int) -> None:
    engine = create_engine(b.database_url, statement_timeout_s=3600, lock_timeout_s=60)
    end_ms = int(time.time() * 1000) - 60_000
    world = World(end_ms - DAYS * 86_400_000, end_ms)
    rng = random.Random(19)
    phases = [("small", small // PER_ACCOUNT, small), ("large", accounts, statuses)]
    measured = []
    for name, want_accounts, want_statuses in phases:
        started = time.perf_counter()
        await grow(engine, world, rng, want_accounts, want_statuses - world.statuses)
        took = time.perf_counter() - started
        print(
            f"{name}: seeded to {len(world.accounts)} accounts, {world.statuses} statuses "
            f"in {took:.1f} s"
        )
        measured.append(await measure(b, world, reads))
    await engine.dispose()
    print(f"\n{reads} reads each, µs; ratio = p50 at {small} statuses / p50 at {statuses}")
    print(f"{'read':<36} {'small p50':>10} {'large p50':>10} {'mean s/l':>9} {'ratio':>6}")
    ratios = {}
    for name, (mean_s, p50_s) in measured[0].items():
        mean_l, p50_l = measured[1][name]
        ratios[name] = p50_s / p50_l
        print(f"{name:<36} {p50_s:10.0f} {p50_l:10.0f} {mean_s / mean_l:9.2f} {ratios[name]:6.2f}")
    worst = min(ratios, key=ratios.__getitem__)
    verdict = "within 1.5x" if ratios[worst] >= 1 / 1.5 else "NOT within 1.5x"
    print(f"worst ratio: {ratios[worst]:.2f} ({worst}), {verdict} (target >= 0.67)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--statuses", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000, help="statuses of the first phase")
    parser.add_argument("--reads", type=int, default=200, help="timed calls of each read a phase")
    args = parser.parse_args()
    with backends() as b:
        asyncio.run(run(b, args.accounts, args.statuses, args.small, args.reads))


if __name__ == "__main__":
    main()
