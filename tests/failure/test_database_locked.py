"""The database locked by another connection: a request that needs the lock waits at most
`SOCIAL_DB_LOCK_TIMEOUT_S`, then gets 503 JSON with `Retry-After` (not a hang, not a 500);
nothing is half-written; after the release the same post (same `Idempotency-Key`) goes through.

SQLite: another connection holds the write lock (`BEGIN IMMEDIATE`); readers go on (WAL).
PostgreSQL: another connection holds `LOCK TABLE statuses IN ACCESS EXCLUSIVE MODE`, which
stops readers of the table too."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from social.platform.db.engine import create_engine
from social.platform.db.models import OutboxEvent, Status
from tests.failure.clients import assert_unavailable, eventually, home
from tests.helpers import followed, post
from tests.processes import Launcher, assert_no_bug, wait_healthy

LOCK_TIMEOUT_S = 1.0
ANSWER_WITHIN_S = LOCK_TIMEOUT_S + 4.0  # the timeout plus a busy machine's slack
CATCH_UP_S = 10.0
CONCURRENT = 3


@contextlib.asynccontextmanager
async def statuses_locked(database_url: str) -> AsyncIterator[None]:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        assert url.database
        conn = sqlite3.connect(url.database, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield
            conn.execute("ROLLBACK")
        finally:
            conn.close()
        return
    engine = create_engine(database_url)
    try:
        async with engine.connect() as locker:
            await locker.execute(text("LOCK TABLE statuses IN ACCESS EXCLUSIVE MODE"))
            yield
            await locker.rollback()
    finally:
        await engine.dispose()


async def rows(database_url: str) -> tuple[int, int]:
    """(statuses, outbox rows about a status), straight from the database."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            statuses = (await conn.execute(select(func.count()).select_from(Status))).scalar_one()
            events = (
                await conn.execute(
                    select(func.count())
                    .select_from(OutboxEvent)
                    .where(OutboxEvent.topic == "status.created")
                )
            ).scalar_one()
            return int(statuses), int(events)
    finally:
        await engine.dispose()


async def test_a_locked_database_answers_503_in_bounded_time(
    launcher: Launcher, database_url: str
) -> None:
    sqlite = database_url.startswith("sqlite")
    server = launcher.serve(
        SOCIAL_DB_LOCK_TIMEOUT_S=str(LOCK_TIMEOUT_S),
        SOCIAL_DB_STATEMENT_TIMEOUT_S=str(2 * LOCK_TIMEOUT_S),
    )
    wait_healthy(server)
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        alice, (bob,) = await followed(http, "alice", "bob")
        first = (await post(http, alice, "before the lock"))["id"]
        assert (await http.get(f"/api/v1/statuses/{first}")).status_code == 200  # now cached

        async def timed(request: asyncio.Future[httpx.Response]) -> tuple[httpx.Response, float]:
            started = time.monotonic()
            response = await request
            return response, time.monotonic() - started

        def post_during(n: int) -> asyncio.Future[httpx.Response]:
            headers = {**alice.auth, "Idempotency-Key": f"during-{n}"}
            body = {"status": f"during the lock {n}"}
            return asyncio.ensure_future(http.post("/api/v1/statuses", headers=headers, json=body))

        async with statuses_locked(database_url):
            answers = await asyncio.gather(*(timed(post_during(n)) for n in range(CONCURRENT)))
            for r, elapsed_s in answers:
                assert_unavailable(r)
                assert 0.8 * LOCK_TIMEOUT_S <= elapsed_s < ANSWER_WITHIN_S, elapsed_s
            r, elapsed_s = await timed(asyncio.ensure_future(http.get("/api/v1/timelines/public")))
            assert elapsed_s < ANSWER_WITHIN_S
            if sqlite:  # WAL: a writer's lock does not stop readers
                assert r.status_code == 200, r.text
            else:  # ACCESS EXCLUSIVE stops readers of the table as well
                assert_unavailable(r)
            assert (await http.get(f"/api/v1/statuses/{first}")).status_code == 200  # cache
            assert (await http.get("/healthz")).status_code == 200

        assert await rows(database_url) == (1, 1), "nothing of the refused posts was written"
        r = await http.get(f"/api/v1/accounts/{alice.id}/statuses")
        assert [s["id"] for s in r.json()] == [first]
        # The idempotency keys were released with the failed writes: the retries go through.
        retried = [await post_during(n) for n in range(CONCURRENT)]
        assert [r.status_code for r in retried] == [200] * CONCURRENT, [r.text for r in retried]
        ids = [r.json()["id"] for r in retried]
        assert len(set(ids)) == CONCURRENT

        async def delivered() -> None:
            assert sorted(await home(http, bob)) == sorted([first, *ids])

        await eventually(delivered, CATCH_UP_S)
        assert await rows(database_url) == (1 + CONCURRENT, 1 + CONCURRENT)
    log = server.output()
    assert "outage on /api/v1/statuses" in log
    assert_no_bug(server)
