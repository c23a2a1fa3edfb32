"""The mixed-load benchmark's data: accounts following each other, statuses, a token each, built
home feeds and approved trending tags. Rows go in with bulk inserts (the API would spend minutes
on argon2 and one transaction per follow); tokens, feeds and trends go through the services."""

from __future__ import annotations

import argparse
import asyncio
import html
import random
import secrets
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
import uvloop
from sqlalchemy import insert

from social.accounts.passwords import hash_password
from social.config import Settings
from social.oauth.tokens import issue_user_token
from social.platform.context import AppContext
from social.platform.db.models import Account, Application, Follow, Status, Tag, User
from social.platform.db.types import utcnow
from social.platform.ids import next_id
from social.platform.redis.client import flush_all
from social.timelines.service import rebuild_home
from social.wiring import build
from trending import Review, Use

SCOPES = ["read", "write", "follow"]
INSERT_CHUNK = 2000
CONCURRENT = 50
TREND_AUTHORS = 20

T = TypeVar("T")


@dataclass(frozen=True)
class Seeded:
    account_ids: list[int]
    tokens: list[str]
    followers: list[list[int]]
    """By account index: the indices of its followers."""
    tags: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "account_ids": self.account_ids,
            "tokens": self.tokens,
            "followers": self.followers,
            "tags": self.tags,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Seeded:
        return cls(raw["account_ids"], raw["tokens"], raw["followers"], raw["tags"])


async def _chunked(
    db: Any, model: type[Any], rows: Sequence[dict[str, Any]], size: int = INSERT_CHUNK
) -> None:
    for start in range(0, len(rows), size):
        await db.execute(insert(model), rows[start : start + size])


async def _bounded(work: Callable[[int], Awaitable[T]], items: Sequence[int]) -> list[T]:
    results: list[T] = []
    for start in range(0, len(items), CONCURRENT):
        results += await asyncio.gather(*(work(i) for i in items[start : start + CONCURRENT]))
    return results


async def seed(
    redis_url: str,
    database_url: str,
    *,
    users: int,
    follows: int,
    statuses: int,
    tags: int,
    rng: random.Random,
) -> Seeded:
    ctx = build(Settings(redis_url=redis_url, database_url=database_url))
    try:
        await flush_all(ctx.redis)  # no stream entries, groups or tokens from an earlier run
        return await _seed(ctx, users, follows, statuses, tags, rng)
    finally:
        await ctx.close()


async def _seed(
    ctx: AppContext, users: int, follows: int, statuses: int, tag_count: int, rng: random.Random
) -> Seeded:
    ids = [next_id() for _ in range(users)]
    following = [rng.sample([j for j in range(users) if j != i], follows) for i in range(users)]
    followers: list[list[int]] = [[] for _ in range(users)]
    for i, targets in enumerate(following):
        for j in targets:
            followers[j].append(i)
    tag_names = [f"topic{n}" for n in range(tag_count)]
    password_hash = await hash_password(secrets.token_urlsafe(24))
    now = utcnow()
    async with ctx.db() as db:
        await _chunked(
            db,
            Account,
            [
                {
                    "id": ids[i],
                    "username": f"load{i}",
                    "statuses_count": statuses,
                    "followers_count": len(followers[i]),
                    "following_count": follows,
                    "last_status_at": now,
                }
                for i in range(users)
            ],
        )
        await _chunked(
            db,
            User,
            [
                {
                    "id": next_id(),
                    "account_id": ids[i],
                    "email": f"load{i}@bench.invalid",
                    "password_hash": password_hash,
                }
                for i in range(users)
            ],
        )
        await _chunked(
            db,
            Follow,
            [
                {"id": next_id(), "account_id": ids[i], "target_account_id": ids[j]}
                for i, targets in enumerate(following)
                for j in targets
            ],
        )
        rows = []
        for n in range(statuses):
            for i in range(users):
                text = f"seed {n} of load{i}: {'lorem ipsum dolor sit amet ' * 3}"
                rows.append(
                    {
                        "id": next_id(),
                        "account_id": ids[i],
                        "text": text,
                        "content": f"<p>{html.escape(text)}</p>",
                    }
                )
        await _chunked(db, Status, rows)
        await _chunked(db, Tag, [{"name": t, "display_name": t} for t in tag_names])
        app = Application(
            name="load",
            scopes=" ".join(SCOPES),
            client_id=secrets.token_urlsafe(32),
            client_secret_hash=secrets.token_hex(32),
        )
        db.add(app)
        await db.commit()

    async def token(account_id: int) -> str:
        issued = await issue_user_token(ctx, account_id=account_id, app=app, scopes=SCOPES)
        return issued.access_token

    async def build_home(account_id: int) -> bool:
        return await rebuild_home(ctx, account_id)

    tokens = await _bounded(token, ids)
    await _bounded(build_home, ids)
    # Trending tags: recent uses by enough distinct authors, approved as an admin would.
    at = time.time()
    uses = [
        Use(tag, ids[author], next_id(), at - rng.random() * 600)
        for tag in tag_names
        for author in rng.sample(range(users), min(users, TREND_AUTHORS))
    ]
    await ctx.trends.record_many(uses)
    for tag in tag_names:
        await ctx.trends.set_review(tag, Review.APPROVED)
    return Seeded(ids, tokens, followers, tag_names)


def run_with_plan(
    run: Callable[[argparse.Namespace, Seeded], Coroutine[Any, Any, bytes]],
    args: argparse.Namespace,
) -> None:
    """A load process's main: the seeded plan from `args.plan`, `run` under uvloop, its result
    to `args.out`."""
    with open(args.plan, "rb") as f:
        seeded = Seeded.from_json(orjson.loads(f.read()))
    out: bytes = uvloop.run(run(args, seeded))
    with open(args.out, "wb") as f:
        f.write(out)
