"""An exclusive list keeps its members' statuses out of the owner's home, by fan-out and by
the database alike (a rebuilt home equals the fan-out one); making a list exclusive, or adding
a member to one, takes their statuses out of the home at once, and the reverse brings them
back; the owner's own statuses stay home."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from tests.helpers import follow, home_ids, make_user, post, register_app
from tests.lists.helpers import add, list_ids, list_three_ways, new_list
from tests.relations.helpers import home_three_ways


async def test_exclusive_members_stay_out_of_home(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob, carol = [await make_user(client, client_app, n) for n in ("alice", "bob", "carol")]
    await follow(client, alice, bob)
    await follow(client, alice, carol)
    await follow(client, carol, bob)
    assert await home_ids(client, alice) == []  # built
    await ctx.settle()  # the feed built
    assert await home_ids(client, carol) == []
    await ctx.settle()  # the feed built
    news = await new_list(client, alice, "News", exclusive="true")
    await add(client, alice, news, bob, alice)
    assert await list_ids(client, alice, news) == []
    await ctx.settle()  # the feed built

    b1 = await post(client, bob, "bob one")
    c1 = await post(client, carol, "carol one")
    mine = await post(client, alice, "alice's own")
    dm = await post(client, bob, f"only for @{alice.username}", visibility="direct")
    await ctx.events.drain()
    # the direct status stays home: no list shows one (our choice; see docs/lists.md)
    assert await home_three_ways(app, client, alice) == [dm["id"], mine["id"], c1["id"]]
    assert await list_three_ways(app, client, alice, news) == [mine["id"], b1["id"]]
    assert await home_three_ways(app, client, carol) == [c1["id"], b1["id"]]  # not carol's list

    # no longer exclusive: bob's statuses come back home
    r = await client.put(f"/api/v1/lists/{news}", headers=alice.auth, data={"exclusive": "false"})
    assert r.status_code == 200
    expected = [dm["id"], mine["id"], c1["id"], b1["id"]]
    assert await home_ids(client, alice) == expected
    assert await home_three_ways(app, client, alice) == expected

    # exclusive again: out at once
    r = await client.put(f"/api/v1/lists/{news}", headers=alice.auth, json={"exclusive": True})
    assert r.status_code == 200
    assert await home_ids(client, alice) == [dm["id"], mine["id"], c1["id"]]

    # a member added to an exclusive list leaves home; removed, comes back
    await add(client, alice, news, carol)
    assert await home_ids(client, alice) == [dm["id"], mine["id"]]
    r = await client.request(
        "DELETE",
        f"/api/v1/lists/{news}/accounts",
        headers=alice.auth,
        data={"account_ids[]": [carol.id]},
    )
    assert r.status_code == 200
    assert await home_three_ways(app, client, alice) == [dm["id"], mine["id"], c1["id"]]

    # the list deleted: bob is home again
    r = await client.delete(f"/api/v1/lists/{news}", headers=alice.auth)
    assert r.status_code == 200
    assert await home_three_ways(app, client, alice) == expected


async def test_a_member_in_an_exclusive_and_a_plain_list(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    await follow(client, alice, bob)
    assert await home_ids(client, alice) == []
    await ctx.settle()  # the feed built
    plain = await new_list(client, alice, "Plain")
    only = await new_list(client, alice, "Only", exclusive="true")
    await add(client, alice, plain, bob)
    await add(client, alice, only, bob)
    b1 = await post(client, bob, "bob one")
    await ctx.events.drain()
    assert await home_three_ways(app, client, alice) == []
    assert await list_three_ways(app, client, alice, plain) == [b1["id"]]
    assert await list_three_ways(app, client, alice, only) == [b1["id"]]
    # out of the exclusive one only: home again
    r = await client.request(
        "DELETE",
        f"/api/v1/lists/{only}/accounts",
        headers=alice.auth,
        data={"account_ids[]": [bob.id]},
    )
    assert r.status_code == 200
    assert await home_three_ways(app, client, alice) == [b1["id"]]


async def test_a_followed_tag_still_brings_an_exclusive_members_status(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    """As Mastodon's tag fan-out, which knows no exclusive lists."""
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    await follow(client, alice, bob)
    r = await client.post("/api/v1/tags/cats/follow", headers=alice.auth)
    assert r.status_code == 200, r.text
    assert await home_ids(client, alice) == []
    await ctx.settle()  # the feed built
    news = await new_list(client, alice, "News", exclusive="true")
    await add(client, alice, news, bob)
    await ctx.events.drain()  # the tag follow's merge, before the statuses
    tagged = await post(client, bob, "about #cats")
    await post(client, bob, "about nothing")
    await post(client, bob, "quiet #cats", visibility="unlisted")
    await ctx.events.drain()
    assert await home_three_ways(app, client, alice) == [tagged["id"]]
