"""A locked account: a follow is a request it accepts or rejects; until accepted the asker
sees nothing private and counts as no follower; accepting twice (or twice at once) follows
once; the options a follow carries (`notify`, `reblogs`, `languages`)."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette

from tests.helpers import User, home_ids, make_user, post, register_app
from tests.relations.helpers import act, notification_types, relationship


async def _locked(client: httpx.AsyncClient, user: User) -> None:
    r = await client.patch(
        "/api/v1/accounts/update_credentials", headers=user.auth, data={"locked": "true"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["locked"]


async def _requests(client: httpx.AsyncClient, user: User) -> list[str]:
    r = await client.get("/api/v1/follow_requests", headers=user.auth)
    assert r.status_code == 200, r.text
    return [a["username"] for a in r.json()]


async def _followers(client: httpx.AsyncClient, user: User) -> int:
    count: int = (await client.get(f"/api/v1/accounts/{user.id}")).json()["followers_count"]
    return count


async def test_a_request_is_accepted_then_the_private_statuses_show(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    await _locked(client, alice)
    secret = await post(client, alice, "for my followers", visibility="private")
    assert await home_ids(client, bob) == []  # built

    rel = await act(client, bob, alice, "follow")
    assert rel["requested"]
    assert not rel["following"]
    assert (await relationship(client, alice, bob))["requested_by"]
    assert await _followers(client, alice) == 0
    assert await _requests(client, alice) == ["bob"]
    await ctx.events.drain()
    assert await notification_types(client, alice) == [("follow_request", "bob")]
    assert (
        await client.get(f"/api/v1/statuses/{secret['id']}", headers=bob.auth)
    ).status_code == 404
    assert await home_ids(client, bob) == []
    me = await client.get("/api/v1/accounts/verify_credentials", headers=alice.auth)
    assert me.json()["source"]["follow_requests_count"] == 1

    r = await client.post(f"/api/v1/follow_requests/{bob.id}/authorize", headers=alice.auth)
    assert r.status_code == 200
    assert r.json()["followed_by"]
    assert not r.json()["requested_by"]
    assert (await relationship(client, bob, alice))["following"]
    assert await _followers(client, alice) == 1
    again = await client.post(f"/api/v1/follow_requests/{bob.id}/authorize", headers=alice.auth)
    assert again.status_code == 404
    assert await _followers(client, alice) == 1
    await ctx.events.drain()
    # the request's notification goes; accepting it tells nobody of a follow
    assert await notification_types(client, alice) == []
    assert await _requests(client, alice) == []
    assert await home_ids(client, bob) == [secret["id"]]  # merged on acceptance
    assert (
        await client.get(f"/api/v1/statuses/{secret['id']}", headers=bob.auth)
    ).status_code == 200


async def test_rejected_withdrawn_and_accepted_at_once(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob, carol = [await make_user(client, client_app, n) for n in ("alice", "bob", "carol")]
    await _locked(client, alice)
    await act(client, bob, alice, "follow")
    await act(client, carol, alice, "follow")
    await ctx.events.drain()

    r = await client.post(f"/api/v1/follow_requests/{bob.id}/reject", headers=alice.auth)
    assert r.status_code == 200
    assert not r.json()["requested_by"]
    assert not (await relationship(client, bob, alice))["requested"]
    rel = await act(client, carol, alice, "unfollow")  # withdrawn
    assert not rel["requested"]
    await ctx.events.drain()
    assert await _requests(client, alice) == []
    assert await notification_types(client, alice) == []
    for path in (f"{bob.id}/authorize", f"{carol.id}/reject", "12345/authorize", "x/reject"):
        r = await client.post(f"/api/v1/follow_requests/{path}", headers=alice.auth)
        assert r.status_code == 404, path

    await act(client, bob, alice, "follow")
    answers = await asyncio.gather(
        *(
            client.post(f"/api/v1/follow_requests/{bob.id}/authorize", headers=alice.auth)
            for _ in range(4)
        )
    )
    assert sorted(r.status_code for r in answers) == [200, 404, 404, 404]
    assert await _followers(client, alice) == 1
    follows = await client.get(f"/api/v1/accounts/{alice.id}/followers")
    assert [a["username"] for a in follows.json()] == ["bob"]


async def test_the_options_a_follow_carries(app: Starlette, client: httpx.AsyncClient) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob, carol = [await make_user(client, client_app, n) for n in ("alice", "bob", "carol")]
    rel = await act(client, bob, alice, "follow", notify="true", reblogs="false")
    assert rel["following"]
    assert rel["notifying"]
    assert not rel["showing_reblogs"]
    other = await post(client, carol, "carol asks")
    news = await post(client, alice, "news")
    await post(client, alice, "an answer to carol", in_reply_to_id=other["id"])
    await post(client, alice, "just for @bob", visibility="direct")
    await ctx.events.drain()

    async def told() -> list[str]:
        r = await client.get("/api/v1/notifications", headers=bob.auth)
        return [f"{n['type']} {n['status']['id']}" for n in r.json()]

    # a status notification for what she posts, not for her replies to others nor for what
    # mentions bob already
    direct = (await home_ids(client, bob))[0]
    assert await told() == [f"mention {direct}", f"status {news['id']}"]

    rel = await act(client, bob, alice, "follow", notify="false", **{"languages[]": ["fr"]})
    assert not rel["notifying"]
    assert rel["languages"] == ["fr"]
    assert rel["following"]
    english = await post(client, alice, "in English", language="en")
    french = await post(client, alice, "en français", language="fr")
    await ctx.events.drain()
    assert len(await told()) == 2
    # what enters the home from now on (as Mastodon: what is there stays)
    home = await home_ids(client, bob)
    assert french["id"] in home
    assert english["id"] not in home
    await ctx.redis.delete(ctx.keys.home_feed(int(bob.id)))
    rebuilt = await home_ids(client, bob)  # the database's rule is the same
    assert french["id"] in rebuilt
    assert english["id"] not in rebuilt
    await act(client, bob, alice, "follow", **{"languages[]": [""]})
    await ctx.events.drain()
    assert (await relationship(client, bob, alice))["languages"] is None
