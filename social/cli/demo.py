"""`social demo`: accounts and a stream of hashtagged statuses, so the dashboard comes alive.

Spiking tags rise among more and more distinct people; steady tags are posted at the rate of
their (backfilled) last day, so they do not trend; one spammer posts one tag over and over.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert

from social.accounts.passwords import hash_password
from social.cli.logging import setup_logging
from social.config import Settings
from social.platform.context import AppContext
from social.platform.db.models import Account, User
from social.platform.ids import next_id
from social.statuses.service import NewStatus, create_status
from trending import Use

SPIKES = {
    "solareclipse": "Clouds just parted, totally worth it #SolarEclipse",
    "pyconsprints": "Sprinting on async stuff today #PyConSprints",
    "newalbumfriday": "This record is on repeat all morning #NewAlbumFriday",
}
STEADY = {
    "coffee": "Second cup already #coffee",
    "photography": "Morning light over the river #photography",
    "caturday": "She has claimed the keyboard again #caturday",
    "gardening": "First tomatoes of the year #gardening",
}
SPAM_TAG = "cheapfollowers"
TICK_S = 20.0
HOUR_S = 3600
STEADY_PER_HOUR = 30


@dataclass(frozen=True)
class Post:
    at_s: float
    """Seconds into the demo (simulated time)."""
    author: int
    text: str


def plan(accounts: int, minutes: float, rng: random.Random) -> list[Post]:
    """Each tick: steady tags at a steady rate, spikes ramping up one after the other, spam."""
    ticks = max(1, int(minutes * 60 / TICK_S))
    posts: list[Post] = []
    people = range(1, accounts)  # author 0 is the spammer
    for tick in range(ticks):
        at = tick * TICK_S
        progress = (tick + 1) / ticks
        for text in STEADY.values():
            if rng.random() < STEADY_PER_HOUR * TICK_S / HOUR_S:
                posts.append(Post(at + rng.random() * TICK_S, rng.choice(people), text))
        for i, text in enumerate(SPIKES.values()):
            start = i / (len(SPIKES) + 1)
            if progress >= start:
                rising = 1 + int(6 * (progress - start) / (1 - start))
                for author in rng.sample(people, min(rising, len(people))):
                    posts.append(Post(at + rng.random() * TICK_S, author, text))
        for _ in range(3):
            posts.append(
                Post(at + rng.random() * TICK_S, 0, f"Get 10k followers now!! #{SPAM_TAG}")
            )
    return sorted(posts, key=lambda p: p.at_s)


async def make_accounts(ctx: AppContext, n: int) -> list[int]:
    """Demo accounts inserted directly: one password hash for all (argon2 takes ~0.1 s each)."""
    run = secrets.token_hex(3)
    password_hash = await hash_password(secrets.token_urlsafe(24))
    ids = [next_id() for _ in range(n)]
    names = [f"demo_{run}_{i}" for i in range(n)]
    async with ctx.db() as db:
        await db.execute(
            insert(Account), [{"id": i, "username": u} for i, u in zip(ids, names, strict=True)]
        )
        await db.execute(
            insert(User),
            [
                {
                    "id": next_id(),
                    "account_id": i,
                    "email": f"{u}@demo.invalid",
                    "password_hash": password_hash,
                }
                for i, u in zip(ids, names, strict=True)
            ],
        )
        await db.commit()
    return ids


async def backfill_steady(ctx: AppContext, authors: list[int], rng: random.Random) -> int:
    """The steady tags' baseline window (the day before the last hour), straight into the trend
    engine at the rate the demo posts them: it is their normal, so they do not trend."""
    s = ctx.trends.settings
    start = time.time() - s.recent_window_s - s.baseline_window_s
    uses = [
        Use(tag, author, next_id(), start + hour * HOUR_S + rng.random() * HOUR_S)
        for tag in STEADY
        for hour in range(s.baseline_window_s // HOUR_S)
        for author in rng.sample(authors, min(len(authors), STEADY_PER_HOUR))
    ]
    counted = await ctx.trends.record_many(uses)
    await ctx.trends.settle()
    return counted


async def run(
    ctx: AppContext,
    *,
    accounts: int = 60,
    minutes: float = 10.0,
    speed: float = 5.0,
    seed: int | None = None,
    say: Callable[[str], None] = print,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> int:
    """Seed and post; `speed` compresses the demo's `minutes` in real time. Posts made."""
    rng = random.Random(seed)
    ids = await make_accounts(ctx, max(accounts, 8))
    say(f"created {len(ids)} accounts; backfilling a day of steady tags")
    await backfill_steady(ctx, ids[1:], rng)
    posts = plan(len(ids), minutes, rng)
    say(f"posting {len(posts)} statuses over {minutes * 60 / speed:.0f} s (speed x{speed:g})")
    started = time.monotonic()
    for n, post in enumerate(posts, 1):
        delay = post.at_s / speed - (time.monotonic() - started)
        if delay > 0:
            await sleep(delay)
        await create_status(ctx, ids[post.author], NewStatus(text=post.text))
        if n % 50 == 0:
            say(f"{n}/{len(posts)} posted")
    return len(posts)


def embedded_redis_url(settings: Settings) -> str | None:
    """The unix socket of the Valkey a running `social serve` started, if there is one."""
    socket = Path(settings.data_dir).resolve() / "redis" / "valkey.sock"
    return f"unix://{socket}" if socket.exists() else None


def command(args: argparse.Namespace) -> int:
    """Seed accounts and post statuses through the services, against the running server's
    database and Redis (with embedded Redis: the socket `social serve` opened)."""
    from social.wiring import build

    settings = Settings.from_env()
    setup_logging("warning")
    if settings.embedded_redis:
        url = embedded_redis_url(settings)
        if url is None:
            print("start `social serve` first (or set REDIS_URL)", file=sys.stderr)
            return 2
        settings = Settings.from_env(redis_url=url)
    if args.accounts < 8 or args.minutes <= 0 or args.speed <= 0:
        print("--accounts must be at least 8; --minutes and --speed positive", file=sys.stderr)
        return 2

    async def go() -> int:
        ctx = build(settings)
        try:
            return await run(ctx, accounts=args.accounts, minutes=args.minutes, speed=args.speed)
        finally:
            await ctx.close()

    posted = asyncio.run(go())
    print(f"done: {posted} statuses; open http://{settings.domain}/admin")
    return 0
