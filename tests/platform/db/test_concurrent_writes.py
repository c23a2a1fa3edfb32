"""Many clients writing at once against one server (the relay and the consumers running in it,
writing too): every post, favourite and follow answers 2xx, none is lost or stored twice. On
SQLite the process's writes take turns; none waits out the busy timeout for a 503."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from social.platform.db.engine import create_engine
from social.platform.db.models import Favourite, Follow, Status
from social.platform.redis.client import AnyRedis
from tests.conftest import empty_database, serving
from tests.helpers import User, make_user, register_app

POSTS = 200
CLIENTS = 50
USERS = 20


@pytest.fixture(params=[5.0, 0.1], ids=["default-lock-timeout", "short-lock-timeout"])
def base_url(
    database_url: str,
    redis_url: str,
    redis: AnyRedis,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> Iterator[str]:
    """A server whose lock timeout (SQLite's busy timeout) is the default, or so short that a
    write which waited for the file lock instead of its turn would fail."""
    if request.param < 1 and not database_url.startswith("sqlite"):
        # PostgreSQL's lock_timeout bounds the wait for a row lock (every post counts on its
        # author's row): so short a bound fails a write waiting its turn there, by design
        pytest.skip("the short lock timeout is SQLite's busy timeout, met only without the gate")
    asyncio.run(empty_database(database_url))
    settings = {"ratelimit_enabled": False, "db_lock_timeout_s": request.param}
    with serving(database_url, redis_url, tmp_path, **settings) as url:
        yield url


async def counts(database_url: str) -> tuple[int, int, int, int]:
    """(statuses, distinct texts, favourites, follows), straight from the database."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:

            async def one(query: object) -> int:
                return int((await conn.execute(query)).scalar_one())  # type: ignore[call-overload]

            return (
                await one(select(func.count()).select_from(Status)),
                await one(select(func.count(func.distinct(Status.text)))),
                await one(select(func.count()).select_from(Favourite)),
                await one(select(func.count()).select_from(Follow)),
            )
    finally:
        await engine.dispose()


async def test_concurrent_writes_all_succeed_once(base_url: str, database_url: str) -> None:
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as http:
        app = await register_app(http)
        users = [await make_user(http, app, f"user{n}") for n in range(USERS)]
        first = await http.post("/api/v1/statuses", headers=users[0].auth, json={"status": "0"})
        assert first.status_code == 200, first.text
        target = first.json()["id"]

        rng = random.Random(7)
        pairs = [(a, b) for a in users for b in users if a is not b]
        follows = rng.sample(pairs, 60)
        work: list[tuple[str, User, str, dict[str, str] | None]] = [
            ("post", users[n % USERS], "/api/v1/statuses", {"status": f"post {n}"})
            for n in range(POSTS)
        ]
        work += [("favourite", u, f"/api/v1/statuses/{target}/favourite", None) for u in users]
        work += [("follow", a, f"/api/v1/accounts/{b.id}/follow", None) for a, b in follows]
        rng.shuffle(work)
        queue: asyncio.Queue[tuple[str, User, str, dict[str, str] | None]] = asyncio.Queue()
        for item in work:
            queue.put_nowait(item)
        answers: list[tuple[str, int, str]] = []

        async def client() -> None:
            while not queue.empty():
                kind, user, path, body = queue.get_nowait()
                r = await http.post(path, headers=user.auth, json=body)
                answers.append((kind, r.status_code, r.text[:200]))

        await asyncio.gather(*(client() for _ in range(CLIENTS)))

    failed = [a for a in answers if a[1] != 200]
    assert failed == [], f"{len(failed)} of {len(answers)} failed, e.g. {failed[:3]}"
    assert len(answers) == len(work)
    assert await counts(database_url) == (1 + POSTS, 1 + POSTS, USERS, len(follows))
