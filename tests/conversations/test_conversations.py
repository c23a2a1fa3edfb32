"""Direct conversations as each participant sees them: one entry per participant with the
others as its accounts, the last status, read for the author and unread for the others; marked
read, deleted, and falling back to the previous status when the last one is deleted; nothing of
an account you block."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from social.conversations import consumer
from social.platform.db.models import Status
from social.platform.events.topics import StatusCreated
from tests.helpers import User, make_user, post, register_app


async def conversations(client: httpx.AsyncClient, user: User, **params: Any) -> list[Any]:
    r = await client.get("/api/v1/conversations", headers=user.auth, params=params)
    assert r.status_code == 200, r.text
    found: list[Any] = r.json()
    return found


def accounts(entry: dict[str, Any]) -> list[str]:
    return sorted(a["username"] for a in entry["accounts"])


async def test_a_direct_exchange_is_one_conversation_for_each(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob, carol = [await make_user(client, client_app, n) for n in ("alice", "bob", "carol")]
    first = await post(client, alice, "@bob @carol lunch?", visibility="direct")
    await ctx.events.drain()
    await ctx.events.drain()  # redelivered: nothing changes
    reply = await post(
        client, bob, "@alice @carol yes", visibility="direct", in_reply_to_id=first["id"]
    )
    await ctx.events.drain()

    mine = await conversations(client, alice)
    assert len(mine) == 1
    assert accounts(mine[0]) == ["bob", "carol"]
    assert mine[0]["last_status"]["id"] == reply["id"]
    assert mine[0]["unread"] is True  # bob's reply came after alice wrote
    bobs = await conversations(client, bob)
    assert len(bobs) == 1
    assert accounts(bobs[0]) == ["alice", "carol"]
    assert bobs[0]["unread"] is False  # his own status was the last
    carols = await conversations(client, carol)
    assert accounts(carols[0]) == ["alice", "bob"]
    assert carols[0]["unread"] is True
    assert carols[0]["last_status"]["id"] == reply["id"]

    # a public status with mentions is no conversation; a note to oneself shows oneself
    await post(client, alice, "@bob in public")
    solo = await post(client, carol, "a note to myself", visibility="direct")
    await ctx.events.drain()
    assert len(await conversations(client, bob)) == 1
    carols = await conversations(client, carol)
    assert [c["last_status"]["id"] for c in carols] == [solo["id"], reply["id"]]
    assert accounts(carols[0]) == ["carol"]

    # read, then delete
    r = await client.post(f"/api/v1/conversations/{carols[1]['id']}/read", headers=carol.auth)
    assert r.status_code == 200, r.text
    assert r.json()["unread"] is False
    assert r.json()["last_status"]["id"] == reply["id"]
    r = await client.delete(f"/api/v1/conversations/{carols[0]['id']}", headers=carol.auth)
    assert r.status_code == 200
    assert r.json() == {}
    carols = await conversations(client, carol)
    assert [c["unread"] for c in carols] == [False]
    # someone else's conversation, or none: not found, nothing changed
    for path in (f"/api/v1/conversations/{mine[0]['id']}", "/api/v1/conversations/12345"):
        r = await client.delete(path, headers=carol.auth)
        assert r.status_code == 404
        assert r.json() == {"error": "Record not found"}
        r = await client.post(f"{path}/read", headers=carol.auth)
        assert r.status_code == 404
    assert (await conversations(client, alice))[0]["unread"] is True


async def test_deleting_the_last_status_falls_back_then_removes(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    first = await post(client, alice, "@bob one", visibility="direct")
    second = await post(client, bob, "@alice two", visibility="direct", in_reply_to_id=first["id"])
    await ctx.events.drain()
    assert (await conversations(client, alice))[0]["last_status"]["id"] == second["id"]

    r = await client.delete(f"/api/v1/statuses/{second['id']}", headers=bob.auth)
    assert r.status_code == 200
    await ctx.events.drain()
    for user in (alice, bob):
        found = await conversations(client, user)
        assert [c["last_status"]["id"] for c in found] == [first["id"]]

    r = await client.delete(f"/api/v1/statuses/{first['id']}", headers=alice.auth)
    assert r.status_code == 200
    await ctx.events.drain()
    await ctx.events.drain()
    assert await conversations(client, alice) == []
    assert await conversations(client, bob) == []


async def test_conversations_page_by_their_last_status(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    others = [await make_user(client, client_app, f"friend{n}") for n in range(3)]
    written = [
        await post(client, other, f"@alice hello from {other.username}", visibility="direct")
        for other in others
    ]
    await ctx.events.drain()
    r = await client.get("/api/v1/conversations", headers=alice.auth, params={"limit": 2})
    page = r.json()
    assert [c["last_status"]["id"] for c in page] == [written[2]["id"], written[1]["id"]]
    assert f"max_id={written[1]['id']}" in r.headers["Link"]
    older = await conversations(client, alice, max_id=written[1]["id"])
    assert [c["last_status"]["id"] for c in older] == [written[0]["id"]]
    r = await client.get("/api/v1/conversations", params={"limit": 2})
    assert r.status_code == 401


async def test_a_block_or_mute_keeps_their_direct_statuses_out(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob, carol = [await make_user(client, client_app, n) for n in ("alice", "bob", "carol")]
    before = await post(client, bob, "@alice before", visibility="direct")
    await ctx.events.drain()
    assert (await conversations(client, alice))[0]["last_status"]["id"] == before["id"]

    r = await client.post(f"/api/v1/accounts/{bob.id}/block", headers=alice.auth)
    assert r.status_code == 200
    r = await client.post(f"/api/v1/accounts/{carol.id}/mute", headers=alice.auth)
    assert r.status_code == 200
    await post(client, bob, "@alice after the block", visibility="direct")
    await post(client, carol, "@alice muted", visibility="direct")
    await ctx.events.drain()
    # neither bumped nor created, and what bob wrote before is not shown to her
    assert await conversations(client, alice) == []
    assert len(await conversations(client, bob)) == 2  # his own (two threads), as he wrote them
    assert len(await conversations(client, carol)) == 1
    # the mute ends: carol's status never entered; bob's old one is back with the unblock
    r = await client.post(f"/api/v1/accounts/{carol.id}/unmute", headers=alice.auth)
    r = await client.post(f"/api/v1/accounts/{bob.id}/unblock", headers=alice.auth)
    assert [c["last_status"]["id"] for c in await conversations(client, alice)] == [before["id"]]


async def test_a_redelivered_status_changes_nothing(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    sent = await post(client, bob, "@alice once", visibility="direct")
    await ctx.events.drain()
    entry = (await conversations(client, alice))[0]
    await client.post(f"/api/v1/conversations/{entry['id']}/read", headers=alice.auth)

    async with ctx.db() as db:
        status = await db.get(Status, int(sent["id"]))
        assert status is not None
        event = StatusCreated(
            status.id,
            status.account_id,
            status.visibility,
            0.0,
            mention_ids=(int(alice.id),),
            conversation_id=status.conversation_id,
        )
    await consumer.status_created(ctx, event)  # as a redelivery would
    again = await conversations(client, alice)
    assert [(c["id"], c["unread"]) for c in again] == [(entry["id"], False)]
    assert len(await conversations(client, bob)) == 1
