"""Home feeds: fan-out on write through the event pipeline, visibility, paging, rebuilds."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from social.platform.redis.client import AnyRedis
from tests.helpers import follow, followed, home_ids, make_user, post, register_app


async def drain(app: Starlette) -> None:
    await app.state.ctx.events.drain()


async def test_followers_see_new_posts_in_order(app: Starlette, client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    bob = await make_user(client, client_app, "bob")
    carol = await make_user(client, client_app, "carol")
    await follow(client, bob, alice)
    assert await home_ids(client, bob) == []  # builds bob's feed

    first = await post(client, alice, "first post")
    second = await post(client, alice, "second post")
    mine = await post(client, bob, "bob's own")
    await drain(app)

    assert await home_ids(client, bob) == [mine["id"], second["id"], first["id"]]
    assert await home_ids(client, carol) == []
    assert await home_ids(client, alice) == [second["id"], first["id"]]

    page = await client.get("/api/v1/timelines/home", headers=bob.auth, params={"limit": 2})
    assert [s["id"] for s in page.json()] == [mine["id"], second["id"]]
    assert 'rel="next"' in page.headers["link"]
    older = await home_ids(client, bob, max_id=second["id"])
    assert older == [first["id"]]
    newer = await home_ids(client, bob, min_id=first["id"], limit=1)
    assert newer == [second["id"]]
    since = await home_ids(client, bob, since_id=second["id"])
    assert since == [mine["id"]]

    await client.delete(f"/api/v1/statuses/{second['id']}", headers=alice.auth)
    await drain(app)
    assert await home_ids(client, bob) == [mine["id"], first["id"]]


async def test_a_home_page_shows_each_status_as_its_own_page_does(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    """Home pages are spliced from cached JSON without its metadata (the feed knows the
    authors): the entities must be exactly those of GET /statuses/:id, flags included."""
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    bob = await make_user(client, client_app, "bob")
    await follow(client, bob, alice)
    assert await home_ids(client, bob) == []  # builds bob's feed
    plain = await post(client, alice, "plain")
    tagged = await post(client, alice, "hi @bob #Tagged", spoiler_text="cw")
    mine = await post(client, bob, "bob's own")
    r = await client.post(f"/api/v1/statuses/{tagged['id']}/favourite", headers=bob.auth)
    assert r.status_code == 200, r.text
    await drain(app)
    await client.get("/api/v1/timelines/home", headers=bob.auth)  # warms every cache

    page = await client.get("/api/v1/timelines/home", headers=bob.auth)
    assert [s["id"] for s in page.json()] == [mine["id"], tagged["id"], plain["id"]]
    for shown in page.json():
        alone = await client.get(f"/api/v1/statuses/{shown['id']}", headers=bob.auth)
        assert shown == alone.json()
    assert [s["favourited"] for s in page.json()] == [False, True, False]
    assert page.json()[1]["mentions"][0]["username"] == "bob"


async def test_flushed_redis_never_shows_an_empty_feed(
    app: Starlette, client: httpx.AsyncClient, redis: AnyRedis
) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    bob = await make_user(client, client_app, "bob")
    await follow(client, bob, alice)
    posts = [await post(client, alice, f"post {i}") for i in range(3)]
    await drain(app)
    expected = [p["id"] for p in reversed(posts)]
    assert await home_ids(client, bob) == expected

    # Redis lost its hot state (feeds, caches, the stream) but kept the sessions.
    lost = [k async for k in redis.scan_iter() if b":token" not in k and b":refresh" not in k]
    await redis.delete(*lost)
    assert await home_ids(client, bob) == expected  # from the database while rebuilding
    from social.timelines.service import rebuild_home

    ctx = app.state.ctx
    if not await rebuild_home(ctx, int(bob.id)):  # the read above began one: let it write
        for _ in range(500):
            if not await redis.exists(ctx.keys.home_feed_rebuild_lock(int(bob.id))):
                break
            await asyncio.sleep(0.02)
    key = app.state.ctx.keys.home_feed(int(bob.id))
    members = await redis.zrevrange(key, 0, -1)
    assert [m.decode() for m in members] == [*(f"{i}:{alice.id}" for i in expected), "0"]
    assert await home_ids(client, bob) == expected


async def test_fan_out_skips_feeds_that_are_not_built(
    app: Starlette, client: httpx.AsyncClient, redis: AnyRedis
) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    bob = await make_user(client, client_app, "bob")
    await follow(client, bob, alice)
    await drain(app)
    first = await post(client, alice, "while bob is away")
    await drain(app)
    assert not await redis.exists(app.state.ctx.keys.home_feed(int(bob.id)))
    assert await home_ids(client, bob) == [first["id"]]


async def test_a_rebuild_begun_after_another_built_the_home_reads_nothing(
    app: Starlette, client: httpx.AsyncClient, redis: AnyRedis
) -> None:
    """Each read of an unbuilt home begins a rebuild; one begun after the first has written
    the feed leaves it alone (and its lock), and a home lost later rebuilds again."""
    from social.timelines.service import rebuild_home

    alice, [bob] = await followed(client, "alice", "bob")
    status = await post(client, alice, "hello")
    await drain(app)
    ctx = app.state.ctx
    uid = int(bob.id)
    await redis.delete(ctx.keys.home_feed(uid))
    assert await rebuild_home(ctx, uid)
    assert not await rebuild_home(ctx, uid)
    assert not await redis.exists(ctx.keys.home_feed_rebuild_lock(uid))
    await redis.delete(ctx.keys.home_feed(uid))
    assert await rebuild_home(ctx, uid)
    assert await home_ids(client, bob) == [status["id"]]


async def test_visibility(app: Starlette, client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    fan = await make_user(client, client_app, "fan")
    friend = await make_user(client, client_app, "friend")
    stranger = await make_user(client, client_app, "stranger")
    await follow(client, fan, alice)
    for user in (alice, fan, friend, stranger):
        await home_ids(client, user)  # build the feeds
    public = await post(client, alice, "for everyone")
    unlisted = await post(client, alice, "quietly public", visibility="unlisted")
    private = await post(client, alice, "followers only", visibility="private")
    direct = await post(client, alice, "psst @friend", visibility="direct")
    await drain(app)

    assert await home_ids(client, fan) == [private["id"], unlisted["id"], public["id"]]
    assert await home_ids(client, friend) == [direct["id"]]
    assert await home_ids(client, stranger) == []

    r = await client.get("/api/v1/timelines/public")
    assert [s["id"] for s in r.json()] == [public["id"]]

    for viewer, status, code in [
        (stranger, private, 404),
        (fan, private, 200),
        (stranger, direct, 404),
        (fan, direct, 404),
        (friend, direct, 200),
        (alice, direct, 200),
        (stranger, unlisted, 200),
    ]:
        r = await client.get(f"/api/v1/statuses/{status['id']}", headers=viewer.auth)
        assert r.status_code == code, (viewer.username, status["content"])
    assert (await client.get(f"/api/v1/statuses/{private['id']}")).status_code == 404

    profile = await client.get(f"/api/v1/accounts/{alice.id}/statuses", headers=stranger.auth)
    assert [s["id"] for s in profile.json()] == [unlisted["id"], public["id"]]
    profile = await client.get(f"/api/v1/accounts/{alice.id}/statuses", headers=fan.auth)
    assert [s["id"] for s in profile.json()] == [private["id"], unlisted["id"], public["id"]]


async def test_follow_merges_and_unfollow_removes(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    bob = await make_user(client, client_app, "bob")
    older = await post(client, alice, "before the follow")
    secret = await post(client, alice, "followers only", visibility="private")
    assert await home_ids(client, bob) == []
    await follow(client, bob, alice)
    await drain(app)
    assert await home_ids(client, bob) == [secret["id"], older["id"]]

    r = await client.post(f"/api/v1/accounts/{alice.id}/unfollow", headers=bob.auth)
    assert r.json()["following"] is False
    await drain(app)
    assert await home_ids(client, bob) == []


async def test_replies_reach_home_only_when_following_both(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    bob = await make_user(client, client_app, "bob")
    reader = await make_user(client, client_app, "reader")
    await follow(client, reader, alice)
    await home_ids(client, reader)
    original = await post(client, bob, "bob says")
    reply = await post(client, alice, "@bob indeed", in_reply_to_id=original["id"])
    own_thread = await post(client, alice, "and more", in_reply_to_id=reply["id"])
    await drain(app)
    assert reply["in_reply_to_id"] == original["id"]
    assert reply["in_reply_to_account_id"] == bob.id
    # The reply to bob, whom reader does not follow, stays out; alice's own thread comes in.
    assert await home_ids(client, reader) == [own_thread["id"]]
    await follow(client, reader, bob)
    await drain(app)
    ids = await home_ids(client, reader)
    assert original["id"] in ids
    later = await post(client, alice, "@bob again", in_reply_to_id=original["id"])
    await drain(app)
    assert later["id"] in await home_ids(client, reader)


async def test_feed_is_capped(make_app: object) -> None:
    app: Starlette = await make_app(home_feed_max=5)  # type: ignore[operator]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        alice, (bob,) = await followed(c, "alice", "bob")
        await app.state.ctx.events.drain()
        posts = [(await post(c, alice, f"n{i}"))["id"] for i in range(8)]
        await app.state.ctx.events.drain()
        key = app.state.ctx.keys.home_feed(int(bob.id))
        assert await app.state.ctx.redis.zcard(key) == 6  # five statuses and the sentinel
        ids = await home_ids(c, bob, limit=40)
        assert ids == list(reversed(posts))  # the older three come from the database


async def test_counters_are_right_in_the_cached_account(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    bob = await make_user(client, client_app, "bob")

    async def account(user: object) -> dict[str, object]:
        r = await client.get(f"/api/v1/accounts/{user.id}")  # type: ignore[attr-defined]
        body: dict[str, object] = r.json()
        return body

    await account(alice)  # cached now
    await follow(client, bob, alice)
    await follow(client, bob, alice)  # twice: no double count
    first = await post(client, alice, "one")
    await post(client, alice, "two")
    assert (await account(alice))["followers_count"] == 1
    assert (await account(alice))["statuses_count"] == 2
    assert (await account(bob))["following_count"] == 1
    await client.delete(f"/api/v1/statuses/{first['id']}", headers=alice.auth)
    assert (await account(alice))["statuses_count"] == 1
    await client.post(f"/api/v1/accounts/{alice.id}/unfollow", headers=bob.auth)
    await client.post(f"/api/v1/accounts/{alice.id}/unfollow", headers=bob.auth)
    assert (await account(alice))["followers_count"] == 0
    assert (await account(bob))["following_count"] == 0


async def test_fan_out_during_a_rebuild_is_not_lost(
    app: Starlette, client: httpx.AsyncClient, redis: AnyRedis
) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    bob = await make_user(client, client_app, "bob")
    await follow(client, bob, alice)
    await drain(app)
    ctx = app.state.ctx
    # A rebuild has taken its snapshot (empty) and not yet written it.
    await redis.set(ctx.keys.home_feed_rebuild_lock(int(bob.id)), "1", px=30_000)
    status = await post(client, alice, "posted mid-rebuild")
    await drain(app)
    feed = ctx.keys.home_feed(int(bob.id))
    assert await redis.zscore(feed, f"{status['id']}:{alice.id}") is not None
    assert await redis.zscore(feed, "0") is None  # still not built: reads use the database


async def test_a_block_during_a_rebuild_is_not_undone_by_it(
    app: Starlette, client: httpx.AsyncClient, redis: AnyRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    from social.timelines import large, service

    alice, [bob] = await followed(client, "alice", "bob")
    status = await post(client, alice, "before the block")
    await drain(app)
    ctx = app.state.ctx
    await redis.delete(ctx.keys.home_feed(int(bob.id)))
    large_of = large.large_of

    async def block_meanwhile(db: AsyncSession, account_id: int, push_max: int) -> dict[str, str]:
        # after the rebuild's reads of the database, before its write to Redis
        answer = await client.post(f"/api/v1/accounts/{alice.id}/block", headers=bob.auth)
        assert answer.status_code == 200
        return await large_of(db, account_id, push_max)

    monkeypatch.setattr(large, "large_of", block_meanwhile)
    assert await service.rebuild_home(ctx, int(bob.id))
    monkeypatch.undo()
    feed = ctx.keys.home_feed(int(bob.id))
    assert await redis.zscore(feed, f"{status['id']}:{alice.id}") is None
    assert await redis.zscore(ctx.keys.home_hidden(int(bob.id)), alice.id) is not None
    assert await home_ids(client, bob) == []
