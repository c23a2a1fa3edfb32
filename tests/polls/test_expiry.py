"""A poll's end: `poll` notifications to its voters and its author, once, honouring blocks and
mutes; and the list of ends still to tell that the scheduler rebuilds its queue from."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from starlette.applications import Starlette

from social.platform.db.models import Notification, Poll
from social.polls import expiry
from tests.helpers import User, make_user, post, register_app


async def _notified(client: httpx.AsyncClient, user: User) -> list[dict[str, Any]]:
    r = await client.get("/api/v1/notifications", headers=user.auth, params={"types[]": "poll"})
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()
    return found


async def _end(app: Starlette, poll_id: str, *, ago_s: float = 1) -> None:
    async with app.state.ctx.db() as db:
        await db.execute(
            update(Poll)
            .where(Poll.id == int(poll_id))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=ago_s))
        )
        await db.commit()


async def test_the_end_of_a_poll_is_told_to_its_voters_and_author_once(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    alice, bob, carol, dave = [
        await make_user(client, client_app, n) for n in ("alice", "bob", "carol", "dave")
    ]
    status = await post(
        client, alice, "Vote!", poll={"options": ["a", "b"], "expires_in": 600, "multiple": True}
    )
    poll_id = status["poll"]["id"]
    for voter, choices in ((bob, [0, 1]), (carol, [1])):
        r = await client.post(
            f"/api/v1/polls/{poll_id}/votes", headers=voter.auth, json={"choices": choices}
        )
        assert r.status_code == 200, r.text
    ctx = app.state.ctx

    assert poll_id in dict(await expiry.due_from_db(ctx))
    await expiry.run(ctx, poll_id)  # not ended yet: nothing
    assert await _notified(client, alice) == []

    await _end(app, poll_id)
    await expiry.run(ctx, poll_id)
    await expiry.run(ctx, poll_id)  # again (a retry, a second process): nothing more
    for user in (alice, bob, carol):
        told = await _notified(client, user)
        assert [n["type"] for n in told] == ["poll"], user.username
        assert told[0]["account"]["id"] == alice.id
        assert told[0]["status"]["id"] == status["id"]
        assert told[0]["status"]["poll"]["expired"] is True
    assert await _notified(client, dave) == []  # did not vote
    assert poll_id not in [key for key, _ in await expiry.due_from_db(ctx)]
    async with ctx.db() as db:
        rows = (await db.execute(select(Notification.account_id))).scalars().all()
    assert sorted(rows) == sorted(int(u.id) for u in (alice, bob, carol))


async def test_the_end_is_not_told_to_who_silences_the_author(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    alice, bob, carol = [await make_user(client, client_app, n) for n in ("alice", "bob", "carol")]
    status = await post(client, alice, "Vote!", poll={"options": ["a", "b"], "expires_in": 600})
    poll_id = status["poll"]["id"]
    for voter in (bob, carol):
        r = await client.post(
            f"/api/v1/polls/{poll_id}/votes", headers=voter.auth, json={"choices": [0]}
        )
        assert r.status_code == 200, r.text
    r = await client.post(
        f"/api/v1/accounts/{alice.id}/mute", headers=bob.auth, data={"notifications": "true"}
    )
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/accounts/{carol.id}/block", headers=alice.auth)
    assert r.status_code == 200, r.text
    await _end(app, poll_id)
    await expiry.run(app.state.ctx, poll_id)
    assert [n["type"] for n in await _notified(client, alice)] == ["poll"]
    assert await _notified(client, bob) == []
    assert await _notified(client, carol) == []


async def test_what_the_scheduler_is_told(app: Starlette, client: httpx.AsyncClient) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    ctx = app.state.ctx
    assert await expiry.due_from_db(ctx) == []
    status = await post(client, alice, "?", poll={"options": ["a", "b"], "expires_in": 600})
    due = dict(await expiry.due_from_db(ctx))
    ends = datetime.fromisoformat(status["poll"]["expires_at"]).timestamp()
    assert list(due) == [status["poll"]["id"]]
    assert abs(due[status["poll"]["id"]] - ends) < 0.001
    for key in ("nope", "123", ""):  # unknown or malformed keys: nothing, no error
        await expiry.run(ctx, key)
    r = await client.delete(f"/api/v1/statuses/{status['id']}", headers=alice.auth)
    assert r.status_code == 200
    await expiry.run(ctx, status["poll"]["id"])  # gone with its status: nothing
    assert await expiry.due_from_db(ctx) == []


async def test_a_posted_poll_ends_on_the_scheduler(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    """Posting queues the poll's end at its time; the scheduler, once it is due, tells them."""
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    status = await post(client, alice, "Vote!", poll={"options": ["a", "b"], "expires_in": 600})
    poll_id = status["poll"]["id"]
    due = await ctx.scheduler.due_at(expiry.KIND, poll_id)
    ends = datetime.fromisoformat(status["poll"]["expires_at"].replace("Z", "+00:00"))
    assert due is not None
    assert abs(due - ends.timestamp()) < 1
    r = await client.post(f"/api/v1/polls/{poll_id}/votes", headers=bob.auth, json={"choices": [0]})
    assert r.status_code == 200, r.text
    await _end(app, poll_id)
    await ctx.scheduler.schedule(expiry.KIND, poll_id, time.time())  # as if its time came
    assert await ctx.scheduler.run_once(ctx) >= 1
    await ctx.events.drain()
    for user in (alice, bob):
        assert [n["status"]["id"] for n in await _notified(client, user)] == [status["id"]]
