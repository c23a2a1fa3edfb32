"""Familiar followers (the accounts you follow that follow another) and removing someone from
your followers (their follow ends, with both counters and the relationship)."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from tests.helpers import follow, make_user, post, register_app
from tests.relations.helpers import relationship


async def test_familiar_followers(app: Starlette, client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    names = ("alice", "bob", "carol", "dave", "erin")
    alice, bob, carol, dave, erin = [await make_user(client, client_app, n) for n in names]
    for who, whom in ((alice, bob), (alice, carol), (bob, dave), (carol, dave), (erin, dave)):
        await follow(client, who, whom)
    await follow(client, bob, erin)
    r = await client.get(
        "/api/v1/accounts/familiar_followers",
        headers=alice.auth,
        params=[("id[]", dave.id), ("id[]", erin.id), ("id[]", "123"), ("id[]", "x")],
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert [entry["id"] for entry in body] == [dave.id, erin.id]  # unknown ids left out
    assert sorted(a["username"] for a in body[0]["accounts"]) == ["bob", "carol"]
    assert [a["username"] for a in body[1]["accounts"]] == ["bob"]
    r = await client.get(
        "/api/v1/accounts/familiar_followers", headers=alice.auth, params={"id": bob.id}
    )
    assert r.json() == [{"id": bob.id, "accounts": []}]
    r = await client.get("/api/v1/accounts/familiar_followers", headers=alice.auth)
    assert r.status_code == 422
    r = await client.get("/api/v1/accounts/familiar_followers", params={"id": bob.id})
    assert r.status_code == 401


async def test_remove_from_followers(app: Starlette, client: httpx.AsyncClient) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    await follow(client, bob, alice)
    await client.post(f"/api/v1/accounts/{alice.id}/pin", headers=bob.auth)
    mine = await post(client, alice, "for my followers", visibility="private")
    await ctx.events.drain()

    r = await client.post(f"/api/v1/accounts/{bob.id}/remove_from_followers", headers=alice.auth)
    assert r.status_code == 200, r.text
    assert r.json()["followed_by"] is False
    assert (await relationship(client, bob, alice))["following"] is False
    assert (await relationship(client, bob, alice))["endorsed"] is False
    me = await client.get("/api/v1/accounts/verify_credentials", headers=alice.auth)
    assert me.json()["followers_count"] == 0
    him = await client.get(f"/api/v1/accounts/{bob.id}")
    assert him.json()["following_count"] == 0
    await ctx.events.drain()
    r = await client.get(f"/api/v1/statuses/{mine['id']}", headers=bob.auth)
    assert r.status_code == 404
    r = await client.get("/api/v1/notifications", headers=alice.auth)
    assert r.json() == []  # the follow's notification went with it

    again = await client.post(
        f"/api/v1/accounts/{bob.id}/remove_from_followers", headers=alice.auth
    )
    assert again.status_code == 200  # nothing to remove: the same answer
