"""A mute, as the person who mutes sees it: the muted account's statuses and those mentioning
it leave the home at once and stay out (the same after a rebuild), and the public and hashtag
timelines, threads and (with `notifications`) notifications; the follow stays; a timed mute
ends by itself; unmuting brings their statuses back."""

from __future__ import annotations

import asyncio
import time

import httpx
from starlette.applications import Starlette

from tests.helpers import follow, home_ids, make_user, post, register_app
from tests.relations.helpers import (
    act,
    home_three_ways,
    ids,
    notification_types,
    relationship,
    thread,
)


async def test_a_mute_hides_their_statuses_but_keeps_the_follow(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob, carol = [await make_user(client, client_app, n) for n in ("alice", "bob", "carol")]
    await follow(client, alice, bob)
    await follow(client, alice, carol)
    mine = await post(client, alice, "alice's #garden")
    b1 = await post(client, bob, "bob's #garden @alice")
    c1 = await post(client, carol, "carol answers @bob")
    c2 = await post(client, carol, "carol alone", in_reply_to_id=mine["id"])
    bob_reply = await post(client, bob, "bob replies", in_reply_to_id=mine["id"])
    await ctx.events.drain()
    assert ("mention", "bob") in await notification_types(client, alice)

    rel = await act(client, alice, bob, "mute")
    assert rel["muting"]
    assert rel["muting_notifications"]
    assert rel["following"]
    assert not (await relationship(client, bob, alice))["blocked_by"]
    home = await home_ids(client, alice)  # at once
    assert b1["id"] not in home
    assert c1["id"] not in home
    assert bob_reply["id"] not in home
    assert c2["id"] in home
    await ctx.events.drain()
    assert await home_three_ways(app, client, alice) == [c2["id"], mine["id"]]
    assert await notification_types(client, alice) == []

    b2 = await post(client, bob, "again #garden @alice")
    await ctx.events.drain()
    assert b2["id"] not in await home_ids(client, alice)
    assert await notification_types(client, alice) == []
    public = "/api/v1/timelines/public"
    assert b2["id"] not in await ids(client, public, alice)
    assert b2["id"] in await ids(client, public, carol)
    assert await ids(client, "/api/v1/timelines/tag/garden", alice) == [mine["id"]]
    assert await thread(client, alice, mine["id"]) == [c2["id"]]
    # their profile still shows them, and the muted know nothing of it
    assert b2["id"] in await ids(client, f"/api/v1/accounts/{bob.id}/statuses", alice)
    assert mine["id"] in await ids(client, public, bob)
    r = await client.get("/api/v1/mutes", headers=alice.auth)
    assert [a["username"] for a in r.json()] == ["bob"]

    # muted again without notifications: the mention from before shows (the one made while
    # muted never was), the statuses stay hidden
    rel = await act(client, alice, bob, "mute", notifications="false")
    assert rel["muting"]
    assert not rel["muting_notifications"]
    assert await notification_types(client, alice) == [("mention", "bob")]
    b3 = await post(client, bob, "now you hear me @alice")
    await ctx.events.drain()
    assert await notification_types(client, alice) == [("mention", "bob")] * 2
    assert b3["id"] not in await home_ids(client, alice)
    assert b2["id"] not in await ids(client, public, alice)

    rel = await act(client, alice, bob, "unmute")
    assert not rel["muting"]
    assert rel["following"]
    await ctx.events.drain()
    home = await home_three_ways(app, client, alice)
    assert {b1["id"], b2["id"], b3["id"], c1["id"], bob_reply["id"]} <= set(home)
    assert (await client.get("/api/v1/mutes", headers=alice.auth)).json() == []


async def test_a_timed_mute_ends_by_itself(app: Starlette, client: httpx.AsyncClient) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    await follow(client, alice, bob)
    assert await home_ids(client, alice) == []
    await ctx.settle()  # the feed built
    # 3 s: the checks while it lasts take over a second on a loaded CI machine
    muted_at = time.monotonic()
    rel = await act(client, alice, bob, "mute", duration="3")
    assert rel["muting"]
    hidden = await post(client, bob, "while muted")
    await ctx.events.drain()
    assert await home_ids(client, alice) == []
    public = "/api/v1/timelines/public"
    assert await ids(client, public, alice) == []

    await asyncio.sleep(max(0.0, muted_at + 3.2 - time.monotonic()))
    assert not (await relationship(client, alice, bob))["muting"]
    assert (await client.get("/api/v1/mutes", headers=alice.auth)).json() == []
    assert await ids(client, public, alice) == [hidden["id"]]
    after = await post(client, bob, "after the mute")
    await ctx.events.drain()
    assert after["id"] in await home_ids(client, alice)
    # what the mute kept out comes back: the read that saw the guard run out merged it
    await ctx.settle()
    assert await home_three_ways(app, client, alice) == [after["id"], hidden["id"]]
