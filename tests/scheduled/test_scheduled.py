"""Scheduled statuses: `scheduled_at` on a post, the routes, Mastodon's limits, and the
`scheduled.publish` job (once, however many runs; dropped as Mastodon drops it)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from starlette.applications import Starlette

from social.platform.context import AppContext
from social.platform.db.models import Account, ScheduledStatus, Status
from social.platform.ids import next_id
from social.platform.redis.client import AnyRedis, flush_all
from social.scheduled.publish import pending, publish
from social.scheduled.service import KIND
from tests.helpers import User, follow, home_ids, make_user, post, register_app


def ahead(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


async def schedule(
    client: httpx.AsyncClient, user: User, text: str, at: str, **fields: Any
) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/statuses", headers=user.auth, json={"status": text, "scheduled_at": at, **fields}
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def statuses_of(ctx: AppContext, user: User) -> list[str]:
    async with ctx.db() as db:
        rows = await db.execute(select(Status.text).where(Status.account_id == int(user.id)))
        return list(rows.scalars())


async def make_due(ctx: AppContext, scheduled_id: str, *, seconds: float = -1) -> None:
    """As if its time had come: the row's time moved (the database is the truth), and its
    job with it (as `PUT` would move it)."""
    at = datetime.now(UTC) + timedelta(seconds=seconds)
    async with ctx.db() as db:
        await db.execute(
            update(ScheduledStatus)
            .where(ScheduledStatus.id == int(scheduled_id))
            .values(scheduled_at=at)
        )
        await db.commit()
    await ctx.scheduler.schedule(KIND, scheduled_id, at.timestamp())


@pytest.fixture
def ctx(app: Starlette) -> AppContext:
    context: AppContext = app.state.ctx
    return context


async def test_scheduled_at_returns_a_scheduled_status_and_posts_nothing_yet(
    ctx: AppContext, client: httpx.AsyncClient
) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    at = datetime.now(UTC) + timedelta(hours=2)
    entity = await schedule(
        client, alice, "later", at.isoformat(), spoiler_text="cw", visibility="unlisted"
    )

    assert set(entity) == {"id", "scheduled_at", "params", "media_attachments"}
    assert (
        entity["scheduled_at"]
        == at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
    )
    assert entity["media_attachments"] == []
    params = entity["params"]
    assert params["text"] == "later"
    assert params["spoiler_text"] == "cw"
    assert params["visibility"] == "unlisted"
    assert (params["poll"], params["media_ids"], params["in_reply_to_id"]) == (None, None, None)
    assert (params["scheduled_at"], params["idempotency"], params["with_rate_limit"]) == (
        None,
        None,
        False,
    )
    assert isinstance(params["application_id"], int)
    assert await statuses_of(ctx, alice) == []
    assert await ctx.scheduler.due_at(KIND, entity["id"]) == pytest.approx(at.timestamp(), abs=0.01)

    r = await client.get(f"/api/v1/scheduled_statuses/{entity['id']}", headers=alice.auth)
    assert r.status_code == 200
    assert r.json() == entity


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("next tuesday", "Validation failed: scheduled_at is not a valid date-time"),
        ("2026-13-40T00:00:00Z", "Validation failed: scheduled_at is not a valid date-time"),
        ("0001-01-01T00:00:00+05:00", "Validation failed: scheduled_at is not a valid date-time"),
        ("9999-12-31T23:00:00Z", "Validation failed: scheduled_at is not a valid date-time"),
        ("in4min", "Validation failed: scheduled_at must be in the future"),
    ],
)
async def test_scheduled_at_not_a_date_or_under_five_minutes_ahead_is_refused(
    ctx: AppContext, client: httpx.AsyncClient, at: str, message: str
) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    at = ahead(minutes=4) if at == "in4min" else at
    r = await client.post(
        "/api/v1/statuses", headers=alice.auth, json={"status": "x", "scheduled_at": at}
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"] == message
    assert await statuses_of(ctx, alice) == []
    async with ctx.db() as db:
        assert (await db.execute(select(func.count(ScheduledStatus.id)))).scalar_one() == 0


async def test_scheduled_at_already_past_or_blank_posts_at_once_as_mastodon(
    ctx: AppContext, client: httpx.AsyncClient
) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    r = await client.post(
        "/api/v1/statuses",
        headers=alice.auth,
        json={"status": "now", "scheduled_at": ahead(minutes=-1)},
    )
    assert r.status_code == 200, r.text
    assert r.json()["content"] == "<p>now</p>"
    r = await client.post(  # blank: not scheduled (Rails reads it as none)
        "/api/v1/statuses", headers=alice.auth, json={"status": "blank", "scheduled_at": ""}
    )
    assert r.json()["content"] == "<p>blank</p>"
    assert sorted(await statuses_of(ctx, alice)) == ["blank", "now"]


async def test_routes_list_page_move_and_cancel_only_your_own(
    ctx: AppContext, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    alice, bob = (
        await make_user(client, client_app, "alice"),
        await make_user(client, client_app, "bob"),
    )
    made = [(await schedule(client, alice, f"s{n}", ahead(hours=1 + n)))["id"] for n in range(3)]
    await schedule(client, bob, "bob's", ahead(hours=1))

    r = await client.get("/api/v1/scheduled_statuses", headers=alice.auth, params={"limit": 2})
    assert r.status_code == 200
    assert [s["id"] for s in r.json()] == [made[2], made[1]]
    older = r.links["next"]["url"]
    assert f"max_id={made[1]}" in older
    r = await client.get(older, headers=alice.auth)
    assert [s["id"] for s in r.json()] == [made[0]]

    for method in ("GET", "PUT", "DELETE"):
        r = await client.request(
            method,
            f"/api/v1/scheduled_statuses/{made[0]}",
            headers=bob.auth,
            json={"scheduled_at": ahead(hours=5)},
        )
        assert r.status_code == 404, (method, r.text)

    later = datetime.now(UTC) + timedelta(days=2)
    r = await client.put(
        f"/api/v1/scheduled_statuses/{made[0]}",
        headers=alice.auth,
        json={"scheduled_at": later.isoformat()},
    )
    assert r.status_code == 200, r.text
    assert r.json()["params"]["text"] == "s0"
    assert r.json()["scheduled_at"].startswith(later.strftime("%Y-%m-%dT%H:%M:%S"))
    assert await ctx.scheduler.due_at(KIND, made[0]) == pytest.approx(later.timestamp(), abs=0.01)

    for at in ("soon", ahead(minutes=2)):
        r = await client.put(
            f"/api/v1/scheduled_statuses/{made[0]}", headers=alice.auth, json={"scheduled_at": at}
        )
        assert r.status_code == 422, r.text
    r = await client.put(f"/api/v1/scheduled_statuses/{made[0]}", headers=alice.auth, json={})
    assert r.status_code == 422

    r = await client.delete(f"/api/v1/scheduled_statuses/{made[0]}", headers=alice.auth)
    assert (r.status_code, r.json()) == (200, {})
    assert await ctx.scheduler.due_at(KIND, made[0]) is None
    r = await client.get(f"/api/v1/scheduled_statuses/{made[0]}", headers=alice.auth)
    assert r.status_code == 404
    r = await client.get("/api/v1/scheduled_statuses/nonsense", headers=alice.auth)
    assert r.status_code == 404


async def test_scopes_read_and_write_statuses(client: httpx.AsyncClient) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    r = await client.get("/api/v1/scheduled_statuses")
    assert r.status_code == 401
    r = await client.post(
        "/oauth/token",
        data={
            "grant_type": "password",
            "client_id": (app := await register_app(client, "read")).client_id,
            "client_secret": app.client_secret,
            "username": "alice",
            "password": "correct horse battery staple",
            "scope": "read",
        },
    )
    reader = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert (await client.get("/api/v1/scheduled_statuses", headers=reader)).status_code == 200
    r = await client.post(
        "/api/v1/statuses", headers=reader, json={"status": "x", "scheduled_at": ahead(hours=1)}
    )
    assert r.status_code == 403
    assert alice.id


async def _rows(ctx: AppContext, user: User, at: datetime, n: int) -> None:
    async with ctx.db() as db:
        db.add_all(
            ScheduledStatus(
                id=next_id(), account_id=int(user.id), scheduled_at=at, params='{"text": "x"}'
            )
            for _ in range(n)
        )
        await db.commit()


async def test_twenty_five_a_day_and_three_hundred_in_all(
    ctx: AppContext, client: httpx.AsyncClient
) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    day = (datetime.now(UTC) + timedelta(days=3)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    await _rows(ctx, alice, day, 25)

    r = await client.post(
        "/api/v1/statuses",
        headers=alice.auth,
        json={"status": "x", "scheduled_at": (day + timedelta(hours=6)).isoformat()},
    )
    assert r.status_code == 422
    assert r.json()["error"] == (
        "Validation failed: You have exceeded the limit of 25 scheduled posts for today"
    )
    await schedule(client, alice, "next day", (day + timedelta(hours=13)).isoformat())

    moved = (await schedule(client, alice, "movable", (day + timedelta(days=2)).isoformat()))["id"]
    r = await client.put(
        f"/api/v1/scheduled_statuses/{moved}",
        headers=alice.auth,
        json={"scheduled_at": (day + timedelta(hours=1)).isoformat()},
    )
    assert r.status_code == 422  # into the full day: refused too
    r = await client.put(
        f"/api/v1/scheduled_statuses/{moved}",
        headers=alice.auth,
        json={"scheduled_at": (day + timedelta(days=2, hours=1)).isoformat()},
    )
    assert r.status_code == 200  # within its own day: it does not count against itself

    for n in range(11):
        await _rows(ctx, alice, day + timedelta(days=4 + n), 25)
    r = await client.post(
        "/api/v1/statuses",
        headers=alice.auth,
        json={"status": "x", "scheduled_at": (day + timedelta(days=30)).isoformat()},
    )
    assert r.status_code == 422
    assert (
        r.json()["error"] == "Validation failed: You have exceeded the limit of 300 scheduled posts"
    )


async def test_published_at_its_time_into_the_followers_home_once(
    ctx: AppContext, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    alice, bob = (
        await make_user(client, client_app, "alice"),
        await make_user(client, client_app, "bob"),
    )
    await follow(client, bob, alice)
    assert await home_ids(client, bob) == []
    entity = await schedule(client, alice, "on time #tagged", ahead(hours=1), visibility="private")
    assert await ctx.scheduler.run_once(ctx) == 0  # not yet

    await make_due(ctx, entity["id"])
    assert await ctx.scheduler.run_once(ctx) == 1
    await ctx.events.drain()

    assert await statuses_of(ctx, alice) == ["on time #tagged"]
    [shown] = await home_ids(client, bob)
    r = await client.get(f"/api/v1/statuses/{shown}", headers=bob.auth)
    assert (r.json()["visibility"], r.json()["tags"][0]["name"]) == ("private", "tagged")
    r = await client.get(f"/api/v1/scheduled_statuses/{entity['id']}", headers=alice.auth)
    assert r.status_code == 404
    await publish(ctx, entity["id"])  # a late second run finds no row
    assert await statuses_of(ctx, alice) == ["on time #tagged"]
    assert (await ctx.scheduler.stats())["kinds"][KIND]["pending"] == 0


async def test_concurrent_runs_publish_once(ctx: AppContext, client: httpx.AsyncClient) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    ids = [(await schedule(client, alice, f"once {n}", ahead(hours=1)))["id"] for n in range(3)]
    for scheduled_id in ids:
        await make_due(ctx, scheduled_id)

    await asyncio.gather(*(publish(ctx, i) for i in ids for _ in range(3)))

    assert sorted(await statuses_of(ctx, alice)) == ["once 0", "once 1", "once 2"]


async def test_a_job_early_for_its_row_keeps_the_row_s_time(
    ctx: AppContext, client: httpx.AsyncClient
) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    entity = await schedule(client, alice, "patient", ahead(hours=1))
    await ctx.scheduler.schedule(KIND, entity["id"], datetime.now(UTC).timestamp() - 1)

    assert await ctx.scheduler.run_once(ctx) == 1
    assert await statuses_of(ctx, alice) == []
    due = await ctx.scheduler.due_at(KIND, entity["id"])
    assert due is not None
    assert due > datetime.now(UTC).timestamp() + 3000


async def test_a_reply_to_a_deleted_status_or_a_suspended_author_posts_nothing(
    ctx: AppContext, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    alice, bob = (
        await make_user(client, client_app, "alice"),
        await make_user(client, client_app, "bob"),
    )
    parent = await post(client, bob, "parent")
    reply = await schedule(client, alice, "reply", ahead(hours=1), in_reply_to_id=parent["id"])
    assert reply["params"]["in_reply_to_id"] == int(parent["id"])
    r = await client.delete(f"/api/v1/statuses/{parent['id']}", headers=bob.auth)
    assert r.status_code == 200
    suspended = await schedule(client, bob, "from a suspended account", ahead(hours=1))
    async with ctx.db() as db:
        await db.execute(update(Account).where(Account.id == int(bob.id)).values(suspended=True))
        await db.commit()
    for entity in (reply, suspended):
        await make_due(ctx, entity["id"])

    assert await ctx.scheduler.run_once(ctx) == 2

    assert await statuses_of(ctx, alice) == []
    assert await statuses_of(ctx, bob) == []
    async with ctx.db() as db:
        assert (await db.execute(select(func.count(ScheduledStatus.id)))).scalar_one() == 0
    assert (await ctx.scheduler.stats())["kinds"][KIND] == {"pending": 0, "due": 0, "dead": 0}


async def test_queue_rebuilt_from_the_rows_after_redis_is_flushed(
    ctx: AppContext, client: httpx.AsyncClient, redis: AnyRedis
) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    due = await schedule(client, alice, "survives", ahead(hours=1))
    waiting = await schedule(client, alice, "still waiting", ahead(hours=3))
    async with ctx.db() as db:
        await db.execute(
            update(ScheduledStatus)
            .where(ScheduledStatus.id == int(due["id"]))
            .values(scheduled_at=datetime.now(UTC) - timedelta(minutes=10))
        )
        await db.commit()
    assert {k for k, _ in await pending(ctx)} == {due["id"], waiting["id"]}

    await flush_all(redis)

    assert await ctx.scheduler.run_once(ctx) == 1  # the marker is gone: rebuilt, caught up
    assert await statuses_of(ctx, alice) == ["survives"]
    assert await ctx.scheduler.due_at(KIND, waiting["id"]) is not None


async def test_an_idempotency_key_schedules_once(
    ctx: AppContext, client: httpx.AsyncClient
) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    body = {"status": "once", "scheduled_at": ahead(hours=1)}
    headers = {**alice.auth, "Idempotency-Key": "k1"}
    first = await client.post("/api/v1/statuses", headers=headers, json=body)
    again = await client.post("/api/v1/statuses", headers=headers, json=body)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    other = await client.post(
        "/api/v1/statuses", headers={**alice.auth, "Idempotency-Key": "k2"}, json=body
    )
    assert other.json()["id"] != first.json()["id"]
    async with ctx.db() as db:
        assert (await db.execute(select(func.count(ScheduledStatus.id)))).scalar_one() == 2
