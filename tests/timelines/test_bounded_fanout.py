"""Bounded fan-out: with `fanout_push_max` low, the statuses of authors above it are merged
into homes as they are read. One scenario runs twice, once merging (a threshold of 2) and
once pushing (the default), and every home observed along the way must be the same: order,
pages, deletes, visibility, mutes, a Redis loss and rebuild, and crossing the threshold."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from social.platform.context import AppContext
from social.timelines import large
from social.timelines.service import feed_entries
from tests.helpers import User, follow, make_user, post, register_app
from tests.relations.helpers import act

Seen = list[tuple[str, list[str]]]


def text_of(status: dict[str, Any]) -> str:
    if status["reblog"] is not None:
        return "boost:" + text_of(status["reblog"])
    content: str = status["content"]
    return content.removeprefix("<p>").removesuffix("</p>").split(" ")[0]


async def home(client: httpx.AsyncClient, user: User, **params: Any) -> list[dict[str, Any]]:
    r = await client.get("/api/v1/timelines/home", headers=user.auth, params=params)
    assert r.status_code == 200, r.text
    body: list[dict[str, Any]] = r.json()
    return body


async def observe(client: httpx.AsyncClient, reader: User, step: str, seen: Seen) -> None:
    """The whole home, then the same by pages of 2 down (max_id), and views by since_id and
    min_id from its middle."""
    whole = await home(client, reader)
    seen.append((step, [text_of(s) for s in whole]))
    paged: list[str] = []
    params: dict[str, Any] = {"limit": 2}
    while page := await home(client, reader, **params):
        paged += [text_of(s) for s in page]
        params = {"limit": 2, "max_id": page[-1]["id"]}
    assert paged == seen[-1][1], step
    if len(whole) > 2:
        middle = whole[len(whole) // 2]["id"]
        since = await home(client, reader, since_id=middle, limit=2)
        seen.append((step + " since", [text_of(s) for s in since]))
        newer = await home(client, reader, min_id=middle, limit=2)
        seen.append((step + " min", [text_of(s) for s in newer]))


async def lose_feeds(ctx: AppContext, reader: User) -> None:
    """What a Redis flush takes from a home (sessions survive, for the test's tokens)."""
    uid = int(reader.id)
    keys = ctx.keys
    await ctx.redis.delete(
        keys.home_feed(uid), keys.home_hidden(uid), keys.home_reblogs(uid), keys.home_large(uid)
    )
    async for key in ctx.redis.scan_iter(match=keys.author_recent(0).replace("{0}", "*")):
        await ctx.redis.delete(key)


async def scenario(app: Starlette, prefix: str) -> tuple[Seen, bool]:
    """The observations, and whether a large author's recent set was ever used."""
    ctx: AppContext = app.state.ctx
    seen: Seen = []
    merged = False

    async def settle() -> None:
        nonlocal merged
        await ctx.events.drain()
        await ctx.settle()
        merged |= await ctx.redis.exists(ctx.keys.author_recent(int(big.id))) > 0

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as client:
        client_app = await register_app(client)
        names = ["reader", "big", "big2", "small", "fan1", "fan2", "other"]
        users = [await make_user(client, client_app, prefix + n) for n in names]
        reader, big, big2, small, fan1, fan2, other = users
        for target in (big, small):
            await follow(client, reader, target)
        r = await client.post(
            f"/api/v1/accounts/{big2.id}/follow", headers=reader.auth, json={"languages": ["en"]}
        )
        assert r.status_code == 200, r.text
        for fan in (fan1, fan2):
            await follow(client, fan, big)
            await follow(client, fan, big2)
        await settle()
        await observe(client, reader, "built", seen)
        await settle()  # the rebuild that read began, done before the posts

        await post(client, big, "b1")
        await post(client, small, "s1")
        private = await post(client, big, "b2", visibility="private")
        await post(client, big2, "c1", language="en")
        await post(client, big2, "c2", language="de")  # the follow takes English only
        o1 = await post(client, other, "o1")
        await post(client, big, "b3", in_reply_to_id=o1["id"])  # reader follows not other
        s2 = await post(client, small, "s2")
        await post(client, big, "b4", in_reply_to_id=s2["id"])  # reader follows small
        await post(client, big, f"b5 @{fan1.username}", visibility="direct")
        r = await client.post(f"/api/v1/statuses/{o1['id']}/reblog", headers=big2.auth)
        assert r.status_code == 200, r.text
        await settle()
        if ctx.settings.fanout_push_max < len(users):  # merging: the feed holds neither
            feed = await feed_entries(ctx, ctx.keys.home_feed(int(reader.id)))
            assert not {int(big.id), int(big2.id)} & {a for _, a in feed}
        await observe(client, reader, "posted", seen)

        await client.delete(f"/api/v1/statuses/{private['id']}", headers=big.auth)
        await settle()
        await observe(client, reader, "deleted", seen)

        await act(client, reader, big2, "mute")
        await settle()
        await observe(client, reader, "muted", seen)
        await act(client, reader, big2, "unmute")
        await act(client, reader, big, "block")
        await settle()
        await observe(client, reader, "blocked", seen)
        await act(client, reader, big, "unblock")
        await follow(client, reader, big)
        await settle()
        await observe(client, reader, "refollowed", seen)

        await lose_feeds(ctx, reader)
        await observe(client, reader, "lost", seen)  # from the database
        await settle()  # the rebuild that read started
        await observe(client, reader, "rebuilt", seen)
        await post(client, big, "b6")  # the recent set filled again from the database
        await settle()
        await observe(client, reader, "after loss", seen)

        for fan in (fan1, fan2):
            await act(client, fan, big, "unfollow")
        await settle()
        await post(client, big, "b7")  # below the threshold: pushed again
        await settle()
        assert not await ctx.redis.exists(ctx.keys.author_recent(int(big.id)))
        await observe(client, reader, "fell below", seen)
        for fan in (fan1, fan2):
            await follow(client, fan, big)
        await post(client, big, "b8")  # above again
        await settle()
        await observe(client, reader, "rose above", seen)
        await client.delete(f"/api/v1/statuses/{s2['id']}", headers=small.auth)
        await settle()
        await observe(client, reader, "end", seen)
    return seen, merged


async def test_a_merged_home_equals_the_pushed_home(make_app: Any) -> None:
    merged, used = await scenario(await make_app(fanout_push_max=2), "m")
    assert used
    pushed, used = await scenario(await make_app(), "p")
    assert not used
    for (step, got), (_, want) in zip(merged, pushed, strict=True):
        assert got == want, (step, got, want)
    final = dict(merged)
    assert "b3" not in final["posted"]
    assert "c2" not in final["posted"]
    assert {"b1", "b2", "b4", "c1", "boost:o1"} <= set(final["posted"])
    assert "b2" not in final["deleted"]


async def test_under_redis_cluster_the_client_merges_alike(
    make_app: Any, cluster_url: str, cluster_client: Any
) -> None:
    """The recent sets sit in other slots than the feed: the client reads them beside the
    feed script and merges them by the same code; the homes are the same."""
    cluster = cluster_url.replace("redis://", "redis+cluster://")
    app = await make_app(fanout_push_max=2, redis_url=cluster)
    assert not large.reads_sets_in_script(app.state.ctx)
    merged, used = await scenario(app, "c")
    assert used
    pushed, _ = await scenario(await make_app(), "p")
    assert merged == pushed
