"""Boosts, as the booster, their followers, and the boosted author see them: the boost in
homes (once: not while its original or another boost of it is among the newest entries),
its original rendered for each reader, counts and flags, the author notified, undone, gone
with the original; hidden by blocks, mutes and the follow's `reblogs` option everywhere."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from tests.helpers import User, follow, home_ids, make_user, post, register_app
from tests.relations.helpers import act, home_three_ways, ids, notification_types


async def boost(
    client: httpx.AsyncClient, user: User, status_id: str, **form: Any
) -> dict[str, Any]:
    r = await client.post(f"/api/v1/statuses/{status_id}/reblog", headers=user.auth, data=form)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_a_boost_reaches_the_boosters_followers_and_tells_the_author(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob, carol = [await make_user(client, client_app, n) for n in ("alice", "bob", "carol")]
    await follow(client, bob, carol)
    original = await post(client, alice, "worth spreading")
    await ctx.events.drain()
    assert await home_ids(client, bob) == []

    boosted = await boost(client, carol, original["id"])
    assert boosted["id"] != original["id"]
    assert boosted["account"]["username"] == "carol"
    assert boosted["content"] == ""
    assert boosted["reblog"]["id"] == original["id"]
    assert boosted["reblog"]["account"]["username"] == "alice"
    assert boosted["reblog"]["reblogged"] is True
    assert boosted["reblog"]["reblogs_count"] == 1
    again = await boost(client, carol, original["id"])
    assert again["id"] == boosted["id"]  # one boost per person
    assert (await boost(client, carol, boosted["id"]))["id"] == boosted["id"]  # of its original

    await ctx.events.drain()
    assert await home_three_ways(app, client, bob) == [boosted["id"]]
    r = await client.get("/api/v1/timelines/home", headers=bob.auth)
    shown = r.json()[0]
    assert shown["reblog"]["content"] == original["content"]
    assert shown["reblog"]["reblogged"] is False  # bob did not boost it
    assert await notification_types(client, alice) == [("reblog", "carol")]
    r = await client.get("/api/v1/notifications", headers=alice.auth)
    assert r.json()[0]["status"]["id"] == original["id"]
    r = await client.get(f"/api/v1/statuses/{original['id']}/reblogged_by")
    assert [a["username"] for a in r.json()] == ["carol"]
    mine = await client.get(f"/api/v1/statuses/{original['id']}", headers=carol.auth)
    assert mine.json()["reblogged"] is True
    assert mine.json()["reblogs_count"] == 1
    me = (await client.get(f"/api/v1/accounts/{carol.id}")).json()
    assert me["statuses_count"] == 1

    # on the booster's profile, not on the public timeline
    profile = f"/api/v1/accounts/{carol.id}/statuses"
    assert await ids(client, profile, None) == [boosted["id"]]
    assert await ids(client, profile, None, exclude_reblogs="true") == []
    assert await ids(client, "/api/v1/timelines/public", None) == [original["id"]]

    r = await client.post(f"/api/v1/statuses/{original['id']}/unreblog", headers=carol.auth)
    assert r.status_code == 200
    assert r.json()["id"] == original["id"]
    assert r.json()["reblogged"] is False
    assert r.json()["reblogs_count"] == 0
    await ctx.events.drain()
    assert await home_three_ways(app, client, bob) == []
    assert await notification_types(client, alice) == []
    assert (await client.get(f"/api/v1/statuses/{boosted['id']}")).status_code == 404
    r = await client.post(f"/api/v1/statuses/{original['id']}/unreblog", headers=carol.auth)
    assert r.status_code == 200  # nothing to undo


async def test_a_boost_of_what_the_home_shows_already_stays_out(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob, carol, dave, erin = [
        await make_user(client, client_app, n) for n in ("alice", "bob", "carol", "dave", "erin")
    ]
    for followed in (alice, carol, dave):
        await follow(client, bob, followed)
    first = await post(client, alice, "seen by bob already")
    await ctx.events.drain()
    await boost(client, carol, first["id"])  # its original is in bob's home: left out
    stranger = await post(client, erin, "bob follows not erin")
    await ctx.events.drain()
    carols = await boost(client, carol, stranger["id"])  # in
    await ctx.events.drain()
    await boost(client, dave, stranger["id"])  # another boost of it is there: left out
    await ctx.events.drain()
    assert await home_three_ways(app, client, bob) == [carols["id"], first["id"]]
    # once the original has fallen far enough down the home, a boost brings it back up
    for i in range(40):
        await post(client, alice, f"filler {i}")
    await ctx.events.drain()
    daves = await boost(client, dave, first["id"])
    await ctx.events.drain()
    home = await home_three_ways(app, client, bob)  # the newest page
    assert home[0] == daves["id"]


async def test_who_may_boost_what(app: Starlette, client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    await follow(client, bob, alice)
    private = await post(client, alice, "for my followers", visibility="private")
    direct = await post(client, alice, "just @bob", visibility="direct")
    unlisted = await post(client, alice, "quietly", visibility="unlisted")
    for status, who, code in (
        (private, bob, 403),  # another's followers-only status
        (direct, bob, 403),
        (direct, alice, 403),  # not even one's own direct status
        ("123456789", bob, 404),
        ("nope", bob, 404),
    ):
        status_id = status if isinstance(status, str) else status["id"]
        r = await client.post(f"/api/v1/statuses/{status_id}/reblog", headers=who.auth)
        assert r.status_code == code, (status_id, r.text)
        assert "error" in r.json()
    r = await client.post(
        f"/api/v1/statuses/{unlisted['id']}/reblog", headers=bob.auth, data={"visibility": "direct"}
    )
    assert r.status_code == 422
    r = await client.get(f"/api/v1/statuses/{private['id']}", headers=alice.auth)
    assert r.json()["reblogs_count"] == 0  # nothing written by the refusals
    own = await boost(client, alice, private["id"], visibility="public")
    assert own["visibility"] == "private"  # a followers-only status stays so
    assert (await boost(client, bob, unlisted["id"], visibility="unlisted"))[
        "visibility"
    ] == "unlisted"
    # a followers-only boost is not shown to those who do not follow the booster
    carol = await make_user(client, client_app, "carol")
    assert (
        await client.get(f"/api/v1/statuses/{own['id']}", headers=carol.auth)
    ).status_code == 404
    assert (await client.get(f"/api/v1/statuses/{own['id']}", headers=bob.auth)).status_code == 200


async def test_boosts_go_with_their_original(app: Starlette, client: httpx.AsyncClient) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob, carol = [await make_user(client, client_app, n) for n in ("alice", "bob", "carol")]
    await follow(client, bob, carol)
    original = await post(client, alice, "soon gone")
    boosted = await boost(client, carol, original["id"])
    await ctx.events.drain()
    assert await home_ids(client, bob) == [boosted["id"]]
    r = await client.delete(f"/api/v1/statuses/{original['id']}", headers=alice.auth)
    assert r.status_code == 200
    await ctx.events.drain()
    assert await home_three_ways(app, client, bob) == []
    assert (await client.get(f"/api/v1/statuses/{boosted['id']}")).status_code == 404
    assert (await client.get(f"/api/v1/accounts/{carol.id}")).json()["statuses_count"] == 0
    # deleting one's boost (DELETE, as Mastodon allows) undoes it
    again = await post(client, alice, "boost and take back")
    mine = await boost(client, carol, again["id"])
    r = await client.delete(f"/api/v1/statuses/{mine['id']}", headers=carol.auth)
    assert r.status_code == 200
    r = await client.get(f"/api/v1/statuses/{again['id']}", headers=carol.auth)
    assert r.json()["reblogged"] is False
    assert r.json()["reblogs_count"] == 0


async def test_boosts_hidden_by_blocks_mutes_and_the_follow(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob, carol, dave = [
        await make_user(client, client_app, n) for n in ("alice", "bob", "carol", "dave")
    ]
    await follow(client, bob, carol)
    await follow(client, bob, dave)
    from_alice = await post(client, alice, "by alice")
    from_erin = await post(client, await make_user(client, client_app, "erin"), "by erin")
    assert await home_ids(client, bob) == []
    await act(client, alice, bob, "block")  # alice blocks bob: her statuses reach him nowhere
    await act(client, bob, dave, "follow", reblogs="false")  # bob hides dave's boosts
    carols = await boost(client, carol, from_alice["id"])
    await boost(client, dave, from_erin["id"])
    await ctx.events.drain()
    assert await home_three_ways(app, client, bob) == []
    assert (
        await client.get(f"/api/v1/statuses/{carols['id']}", headers=bob.auth)
    ).status_code == 404

    erins = await boost(client, carol, from_erin["id"])
    await ctx.events.drain()
    assert await home_three_ways(app, client, bob) == [erins["id"]]
    await act(client, bob, carol, "mute")  # the booster muted: the boost leaves at once
    assert await home_ids(client, bob) == []
    await act(client, bob, carol, "unmute")
    await ctx.events.drain()
    assert await home_three_ways(app, client, bob) == [erins["id"]]
    await act(client, bob, await _user(client, "erin"), "mute")  # the original's author muted
    assert await home_ids(client, bob) == []
    await ctx.events.drain()
    assert await home_three_ways(app, client, bob) == []


async def _user(client: httpx.AsyncClient, username: str) -> User:
    r = await client.get("/api/v1/accounts/lookup", params={"acct": username})
    return User(r.json()["id"], "", username)
