"""A block, as the person who blocks and the one blocked see it: follows both ways end, new
ones are refused, and neither sees the other on any read path (home at once, and the same
after a rebuild; public and hashtag timelines; threads; the statuses and the profile of one
who blocks you; notifications); unblocking restores nothing but the possibility."""

from __future__ import annotations

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


async def test_a_block_ends_follows_and_hides_both_from_each_other(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob, carol = [await make_user(client, client_app, n) for n in ("alice", "bob", "carol")]
    for who, whom in ((alice, bob), (alice, carol), (bob, alice), (carol, alice)):
        await follow(client, who, whom)
    mine = await post(client, alice, "alice's #garden")
    b1 = await post(client, bob, "bob's #garden")
    c1 = await post(client, carol, "carol answers @bob")
    c2 = await post(client, carol, "carol alone")
    bob_reply = await post(client, bob, "bob replies", in_reply_to_id=mine["id"])
    carol_reply = await post(client, carol, "carol replies", in_reply_to_id=mine["id"])
    await client.post(f"/api/v1/statuses/{mine['id']}/favourite", headers=bob.auth)
    await ctx.events.drain()
    assert ("favourite", "bob") in await notification_types(client, alice)
    assert b1["id"] in await home_ids(client, alice)
    assert mine["id"] in await home_ids(client, bob)

    rel = await act(client, alice, bob, "block")
    assert rel["blocking"]
    assert not rel["following"]
    assert not rel["followed_by"]
    theirs = await relationship(client, bob, alice)
    assert theirs["blocked_by"]
    assert not theirs["following"]
    assert not theirs["blocking"]
    # at once, before any consumer ran: bob's statuses and those mentioning him leave
    # alice's home, and alice's leave bob's
    home = await home_ids(client, alice)
    assert b1["id"] not in home
    assert c1["id"] not in home
    assert bob_reply["id"] not in home
    assert c2["id"] in home
    assert carol_reply["id"] in home
    assert mine["id"] not in await home_ids(client, bob)

    await ctx.events.drain()
    assert await home_three_ways(app, client, alice) == [
        carol_reply["id"],
        c2["id"],
        mine["id"],
    ]
    assert mine["id"] not in await home_three_ways(app, client, bob)
    me = (await client.get(f"/api/v1/accounts/{alice.id}")).json()
    assert (me["followers_count"], me["following_count"]) == (1, 1)  # carol, both ways

    # neither may follow the other again
    for who, whom in ((alice, bob), (bob, alice)):
        r = await client.post(f"/api/v1/accounts/{whom.id}/follow", headers=who.auth)
        assert r.status_code == 403
        assert r.json() == {"error": "This action is not allowed"}
    assert not (await relationship(client, bob, alice))["following"]

    # what bob does no longer reaches alice: posts, mentions, favourites
    b2 = await post(client, bob, "bob on #garden, @alice")
    await client.post(f"/api/v1/statuses/{c2['id']}/favourite", headers=bob.auth)
    await ctx.events.drain()
    assert b2["id"] not in await home_ids(client, alice)
    assert all(who != "bob" for _, who in await notification_types(client, alice))

    # public and hashtag timelines, threads: hidden from alice (and bob), not from others
    public = "/api/v1/timelines/public"
    tag = "/api/v1/timelines/tag/garden"
    assert b1["id"] not in await ids(client, public, alice)
    assert b1["id"] in await ids(client, public, carol)
    assert b1["id"] in await ids(client, public, None)
    assert await ids(client, tag, alice) == [mine["id"]]
    assert await ids(client, tag, bob) == [b2["id"], b1["id"]]
    assert await ids(client, tag, None) == [b2["id"], b1["id"], mine["id"]]
    assert await thread(client, alice, mine["id"]) == [carol_reply["id"]]
    assert await thread(client, carol, mine["id"]) == [bob_reply["id"], carol_reply["id"]]

    # who blocks you shows you nothing of theirs; whom you block you may still look up
    r = await client.get(f"/api/v1/statuses/{mine['id']}", headers=bob.auth)
    assert r.status_code == 404
    r = await client.post(f"/api/v1/statuses/{mine['id']}/favourite", headers=bob.auth)
    assert r.status_code == 404
    r = await client.get(f"/api/v1/statuses/{b1['id']}", headers=alice.auth)
    assert r.status_code == 200
    assert await ids(client, f"/api/v1/accounts/{alice.id}/statuses", bob) == []
    assert b1["id"] in await ids(client, f"/api/v1/accounts/{bob.id}/statuses", alice)
    r = await client.get(f"/api/v1/accounts/{alice.id}/followers", headers=bob.auth)
    assert r.json() == []

    r = await client.get("/api/v1/blocks", headers=alice.auth)
    assert [a["username"] for a in r.json()] == ["bob"]
    assert (await client.get("/api/v1/blocks", headers=bob.auth)).json() == []

    rel = await act(client, alice, bob, "unblock")
    assert not rel["blocking"]
    assert not rel["following"]
    assert (await client.get("/api/v1/blocks", headers=alice.auth)).json() == []
    assert b1["id"] in await ids(client, public, alice)
    assert (await client.get(f"/api/v1/statuses/{mine['id']}", headers=bob.auth)).status_code == 200
    await follow(client, bob, alice)  # possible again
    await ctx.events.drain()
    assert mine["id"] in await home_three_ways(app, client, bob)


async def test_a_block_is_refused_with_nothing_written(client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    for path, status in (
        (f"/api/v1/accounts/{alice.id}/block", 403),  # yourself
        (f"/api/v1/accounts/{alice.id}/mute", 403),
        ("/api/v1/accounts/123456789/block", 404),  # nobody
        ("/api/v1/accounts/123456789/unmute", 404),
        ("/api/v1/accounts/not-an-id/block", 404),
    ):
        r = await client.post(path, headers=alice.auth)
        assert r.status_code == status, (path, r.text)
        assert "error" in r.json()
    assert (await client.get("/api/v1/blocks", headers=alice.auth)).json() == []
    assert (await client.get("/api/v1/mutes", headers=alice.auth)).json() == []
    r = await client.post(
        f"/api/v1/accounts/{alice.id}/mute", headers=alice.auth, data={"duration": "-1"}
    )
    assert r.status_code == 422


async def test_blocks_list_in_pages(client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    others = [await make_user(client, client_app, f"troll{i}") for i in range(3)]
    for troll in others:
        await act(client, alice, troll, "block")
    r = await client.get("/api/v1/blocks", headers=alice.auth, params={"limit": 2})
    assert [a["username"] for a in r.json()] == ["troll2", "troll1"]  # newest block first
    older = await client.get(r.headers["link"].split(";")[0].strip("<>"), headers=alice.auth)
    assert [a["username"] for a in older.json()] == ["troll0"]
