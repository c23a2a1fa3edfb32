"""A muted thread: no notifications from it (mentions, favourites, a follower's `notify`), its
statuses `muted: true` for whoever muted it (in the home timeline too, whose warm read stays one
round trip for everyone who muted nothing), until unmuted."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from tests.helpers import follow, make_user, post, register_app
from tests.relations.helpers import notification_types


async def test_a_muted_thread_notifies_nothing_and_is_flagged(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    await follow(client, alice, bob)
    root = await post(client, alice, "a thread of mine")
    other = await post(client, alice, "another thread")
    await ctx.events.drain()
    home = await client.get("/api/v1/timelines/home", headers=alice.auth)
    assert [s["muted"] for s in home.json()] == [False, False]

    r = await client.post(f"/api/v1/statuses/{root['id']}/mute", headers=alice.auth)
    assert r.status_code == 200, r.text
    assert r.json()["muted"] is True
    again = await client.post(f"/api/v1/statuses/{root['id']}/mute", headers=alice.auth)
    assert again.status_code == 200  # idempotent

    reply = await post(client, bob, "@alice replying", in_reply_to_id=root["id"])
    await client.post(f"/api/v1/statuses/{root['id']}/favourite", headers=bob.auth)
    await client.post(f"/api/v1/statuses/{other['id']}/favourite", headers=bob.auth)
    await ctx.events.drain()
    assert await notification_types(client, alice) == [("favourite", "bob")]
    r = await client.get("/api/v1/notifications", headers=alice.auth)
    assert [n["status"]["id"] for n in r.json()] == [other["id"]]

    for _ in range(2):  # the set filled after the first read, then read with the page
        home = await client.get("/api/v1/timelines/home", headers=alice.auth)
        flags = {s["id"]: s["muted"] for s in home.json()}
        assert flags == {reply["id"]: True, other["id"]: False, root["id"]: True}
    r = await client.get(f"/api/v1/statuses/{reply['id']}", headers=alice.auth)
    assert r.json()["muted"] is True
    r = await client.get(f"/api/v1/statuses/{reply['id']}", headers=bob.auth)
    assert r.json()["muted"] is False  # only for whoever muted it

    r = await client.post(f"/api/v1/statuses/{reply['id']}/unmute", headers=alice.auth)
    assert r.status_code == 200
    assert r.json()["muted"] is False
    home = await client.get("/api/v1/timelines/home", headers=alice.auth)
    assert not any(s["muted"] for s in home.json())
    await post(client, bob, "@alice again", in_reply_to_id=root["id"])
    await ctx.events.drain()
    assert ("mention", "bob") in await notification_types(client, alice)


async def test_muting_a_thread_needs_a_status_you_may_see(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    secret = await post(client, alice, "for followers", visibility="private")
    for path in (f"/api/v1/statuses/{secret['id']}/mute", "/api/v1/statuses/123/mute"):
        r = await client.post(path, headers=bob.auth)
        assert r.status_code == 404, r.text
        assert r.json() == {"error": "Record not found"}
    r = await client.post(f"/api/v1/statuses/{secret['id']}/mute")
    assert r.status_code == 401
    r = await client.get(f"/api/v1/statuses/{secret['id']}", headers=alice.auth)
    assert r.json()["muted"] is False
