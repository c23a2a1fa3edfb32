"""A list's timeline: its members' statuses, fed by the same fan-out as the home, paged as the
home is, the same when rebuilt from the database; replies as its policy says; what the owner
hides (blocks, mutes) out at once; a member who leaves, or is unfollowed, out with their
statuses; a deleted status gone; the viewer's filters applied as in the home."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.applications import Starlette

from tests.helpers import User, follow, home_ids, make_user, post, register_app
from tests.lists.helpers import add, list_ids, list_three_ways, new_list
from tests.relations.helpers import act


async def people(client: httpx.AsyncClient, *names: str) -> list[User]:
    client_app = await register_app(client)
    return [await make_user(client, client_app, n) for n in names]


async def test_members_statuses_fan_out_and_rebuild_alike(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    alice, bob, carol, dave = await people(client, "alice", "bob", "carol", "dave")
    for other in (bob, carol, dave):
        await follow(client, alice, other)
    old = await post(client, bob, "before the list")
    friends = await new_list(client, alice, "Friends")
    assert await list_ids(client, alice, friends) == []  # built, empty
    await ctx.settle()  # the feed built
    await add(client, alice, friends, bob, carol)  # bob's recent statuses merged in
    assert await list_ids(client, alice, friends) == [old["id"]]

    b1 = await post(client, bob, "bob one")
    c1 = await post(client, carol, "carol one", visibility="private")
    await post(client, dave, "dave is no member")
    await post(client, bob, "a direct word @alice", visibility="direct")
    mine = await post(client, alice, "alice's own")
    await ctx.events.drain()
    expected = [c1["id"], b1["id"], old["id"]]
    assert await list_three_ways(app, client, alice, friends) == expected
    assert mine["id"] not in expected

    # paged as the home: Link to older and newer
    r = await client.get(
        f"/api/v1/timelines/list/{friends}", headers=alice.auth, params={"limit": 2}
    )
    assert [s["id"] for s in r.json()] == expected[:2]
    r = await client.get(r.links["next"]["url"], headers=alice.auth)
    assert [s["id"] for s in r.json()] == expected[2:]
    assert await list_ids(client, alice, friends, min_id=old["id"]) == expected[:2]

    # a deleted status leaves it
    r = await client.delete(f"/api/v1/statuses/{b1['id']}", headers=bob.auth)
    assert r.status_code == 200
    await ctx.events.drain()
    assert await list_ids(client, alice, friends) == [c1["id"], old["id"]]

    # a member removed takes their statuses along
    r = await client.request(
        "DELETE",
        f"/api/v1/lists/{friends}/accounts",
        headers=alice.auth,
        data={"account_ids[]": [carol.id]},
    )
    assert r.status_code == 200
    assert await list_three_ways(app, client, alice, friends) == [old["id"]]


async def test_an_unfollow_takes_the_member_out(app: Starlette, client: httpx.AsyncClient) -> None:
    ctx = app.state.ctx
    alice, bob = await people(client, "alice", "bob")
    await follow(client, alice, bob)
    friends = await new_list(client, alice, "Friends")
    await add(client, alice, friends, bob)
    b1 = await post(client, bob, "bob one")
    await ctx.events.drain()
    assert await list_ids(client, alice, friends) == [b1["id"]]
    r = await client.post(f"/api/v1/accounts/{bob.id}/unfollow", headers=alice.auth)
    assert r.status_code == 200
    await ctx.events.drain()
    assert await list_three_ways(app, client, alice, friends) == []
    await post(client, bob, "bob two")
    await ctx.events.drain()
    assert await list_ids(client, alice, friends) == []
    await ctx.settle()  # the feed built


@pytest.mark.parametrize(
    ("policy", "shown"),
    [
        ("followed", {"to_owner", "self", "to_member", "to_followed"}),
        ("list", {"to_owner", "self", "to_member"}),
        ("none", {"to_owner", "self"}),
    ],
)
async def test_replies_as_the_policy_says(
    app: Starlette, client: httpx.AsyncClient, policy: str, shown: set[str]
) -> None:
    ctx = app.state.ctx
    alice, bob, carol, dave, erin = await people(client, "alice", "bob", "carol", "dave", "erin")
    for other in (bob, carol, dave):
        await follow(client, alice, other)
    chosen = await new_list(client, alice, "Chosen", replies_policy=policy)
    await add(client, alice, chosen, bob, carol)
    assert await list_ids(client, alice, chosen) == []
    await ctx.settle()  # the feed built
    heads = {
        "to_owner": await post(client, alice, "alice asks"),
        "self": await post(client, bob, "bob thinks"),
        "to_member": await post(client, carol, "carol asks"),
        "to_followed": await post(client, dave, "dave asks"),
        "to_stranger": await post(client, erin, "erin asks"),
    }
    replies = {
        name: await post(client, bob, f"bob answers {name}", in_reply_to_id=head["id"])
        for name, head in heads.items()
    }
    await ctx.events.drain()
    names = {s: n for n, r in replies.items() for s in [r["id"]]}
    got = await list_three_ways(app, client, alice, chosen)
    assert {names[s] for s in got if s in names} == shown
    # a new policy rebuilds the feed by it
    r = await client.put(
        f"/api/v1/lists/{chosen}", headers=alice.auth, data={"replies_policy": "none"}
    )
    assert r.status_code == 200
    got = await list_three_ways(app, client, alice, chosen)
    assert {names[s] for s in got if s in names} == {"to_owner", "self"}


@pytest.mark.parametrize("action", ["mute", "block"])
async def test_what_the_owner_hides_leaves_at_once(
    app: Starlette, client: httpx.AsyncClient, action: str
) -> None:
    ctx = app.state.ctx
    alice, bob, carol = await people(client, "alice", "bob", "carol")
    await follow(client, alice, bob)
    await follow(client, alice, carol)
    friends = await new_list(client, alice, "Friends")
    await add(client, alice, friends, bob, carol)
    b1 = await post(client, bob, "bob one")
    c1 = await post(client, carol, "carol one")
    c2 = await post(client, carol, f"carol tells @{bob.username}")
    await ctx.events.drain()
    assert await list_ids(client, alice, friends) == [c2["id"], c1["id"], b1["id"]]
    await ctx.settle()  # the feed built

    await act(client, alice, bob, action)
    assert await list_ids(client, alice, friends) == [c1["id"]]  # before any consumer ran
    await post(client, bob, "bob two")
    await post(client, carol, f"carol again @{bob.username}")
    await ctx.events.drain()
    assert await list_three_ways(app, client, alice, friends) == [c1["id"]]

    await act(client, alice, bob, "un" + action)
    await ctx.events.drain()
    got = await list_three_ways(app, client, alice, friends)
    if action == "mute":  # still a member: all of it back
        assert set(got) > {c2["id"], c1["id"], b1["id"]}
    else:  # the block ended the follow, and the membership with it
        assert b1["id"] not in got
        assert c2["id"] in got


async def test_the_home_filters_apply(app: Starlette, client: httpx.AsyncClient) -> None:
    ctx = app.state.ctx
    alice, bob = await people(client, "alice", "bob")
    await follow(client, alice, bob)
    friends = await new_list(client, alice, "Friends")
    await add(client, alice, friends, bob)
    b1 = await post(client, bob, "about spiders")
    b2 = await post(client, bob, "about cats")
    await ctx.events.drain()
    r = await client.post(
        "/api/v2/filters",
        headers=alice.auth,
        json={
            "title": "no spiders",
            "context": ["home"],
            "filter_action": "hide",
            "keywords_attributes": [{"keyword": "spiders"}],
        },
    )
    assert r.status_code == 200, r.text
    assert await list_ids(client, alice, friends) == [b2["id"]]
    assert b1["id"]


async def test_boosts_by_members_as_in_the_home(app: Starlette, client: httpx.AsyncClient) -> None:
    ctx = app.state.ctx
    alice, bob, carol, dave, erin = await people(client, "alice", "bob", "carol", "dave", "erin")
    await follow(client, alice, bob)
    await follow(client, alice, carol)
    r = await client.post(
        f"/api/v1/accounts/{dave.id}/follow", headers=alice.auth, data={"reblogs": "false"}
    )
    assert r.status_code == 200
    friends = await new_list(client, alice, "Friends")
    await add(client, alice, friends, bob, carol, dave)
    assert await list_ids(client, alice, friends) == []
    await ctx.settle()  # the feed built

    c1 = await post(client, carol, "carol's own")
    e1 = await post(client, erin, "erin, no member")

    async def boost(user: User, status: dict[str, object]) -> str:
        r = await client.post(f"/api/v1/statuses/{status['id']}/reblog", headers=user.auth)
        assert r.status_code == 200, r.text
        boost_id: str = r.json()["id"]
        return boost_id

    bob_boosts_erin = await boost(bob, e1)
    await boost(bob, c1)  # its original is in the list already: left out, as in the home
    await boost(carol, e1)  # an earlier boost of it is there: left out too
    await boost(dave, e1)  # alice hides dave's boosts
    await ctx.events.drain()
    assert await list_three_ways(app, client, alice, friends) == [bob_boosts_erin, c1["id"]]
    r = await client.get(f"/api/v1/timelines/list/{friends}", headers=alice.auth)
    assert r.json()[0]["reblog"]["id"] == e1["id"]

    await act(client, alice, erin, "mute")  # a boost of a muted account's status goes too
    assert await list_ids(client, alice, friends) == [c1["id"]]
    await ctx.events.drain()
    assert await list_three_ways(app, client, alice, friends) == [c1["id"]]


async def test_a_timed_mute_ends_in_the_lists_too(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    alice, bob = await people(client, "alice", "bob")
    await follow(client, alice, bob)
    friends = await new_list(client, alice, "Friends")
    await add(client, alice, friends, bob)
    before = await post(client, bob, "before the mute")
    await ctx.events.drain()
    assert await list_ids(client, alice, friends) == [before["id"]]
    await act(client, alice, bob, "mute", duration="1")
    hidden = await post(client, bob, "while muted")
    await ctx.events.drain()
    assert await list_ids(client, alice, friends) == []
    await ctx.settle()  # the feed built
    assert await home_ids(client, alice) == []  # the home's guard ends by its own read
    await ctx.settle()  # the feed built

    await asyncio.sleep(1.2)
    after = await post(client, bob, "after the mute")
    await ctx.events.drain()
    assert after["id"] in await list_ids(client, alice, friends)
    await ctx.settle()  # the read that saw the mute run out merged what it kept out
    expected = [after["id"], hidden["id"], before["id"]]
    assert await list_ids(client, alice, friends) == expected
    assert await list_three_ways(app, client, alice, friends) == expected
