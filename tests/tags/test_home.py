"""A followed tag in the home: public statuses carrying it, from anyone, enter the follower's
home once (fan-out, and the same after the feed is rebuilt from the database), but never what
the follower may not see or hides (private and unlisted ones, blocked or muted authors and
mentions). Following merges the tag's past statuses in; unfollowing takes out only those the
home held for that tag."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import event as sqla_event
from starlette.applications import Starlette

from social.platform.events.topics import StatusCreated, StatusDeleted, StatusEvent, StatusUpdated
from social.statuses.audience import home_audience
from tests.helpers import User, follow, home_ids, make_user, post, register_app
from tests.relations.helpers import act, home_three_ways


async def follow_tag(
    client: httpx.AsyncClient, user: User, name: str, action: str = "follow"
) -> None:
    r = await client.post(f"/api/v1/tags/{name}/{action}", headers=user.auth)
    assert r.status_code == 200, r.text


def public_status(status: dict[str, Any], author: User, *tags: str) -> StatusCreated:
    """The event of a public status `author` posted (as the API answered it), with `tags`."""
    return StatusCreated(
        status_id=int(status["id"]),
        account_id=int(author.id),
        visibility="public",
        created_at=0.0,
        tags=tags,
    )


async def people(client: httpx.AsyncClient, *names: str) -> list[User]:
    client_app = await register_app(client)
    return [await make_user(client, client_app, n) for n in names]


async def test_a_tagged_public_status_from_a_stranger_enters_the_home(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    alice, bob, carol = await people(client, "alice", "bob", "carol")
    await home_ids(client, alice)  # alice reads her home: the feed is built
    await ctx.settle()
    await follow_tag(client, alice, "gardening")
    await follow(client, alice, carol)
    await ctx.events.drain()

    public = await post(client, bob, "bob on #Gardening")
    unlisted = await post(client, bob, "bob, unlisted, on #gardening", visibility="unlisted")
    private = await post(client, bob, "bob, private, on #gardening", visibility="private")
    other = await post(client, bob, "bob on #cooking")
    reply = await post(
        client, bob, "bob replies to carol on #gardening", in_reply_to_id=other["id"]
    )
    twice = await post(client, carol, "carol, followed, on #gardening")
    mine = await post(client, alice, "my own #gardening")
    await ctx.events.drain()

    home = await home_ids(client, alice)
    assert home == [mine["id"], twice["id"], reply["id"], public["id"]]
    for absent in (unlisted, private, other):
        assert absent["id"] not in home
    assert await home_three_ways(app, client, alice) == home
    # and only alice's: bob's own home has his, carol's hers
    assert public["id"] not in await home_ids(client, carol)


async def test_not_from_or_mentioning_whom_the_reader_hides(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    alice, bob, carol, dave, erin = await people(client, "alice", "bob", "carol", "dave", "erin")
    await home_ids(client, alice)
    await ctx.settle()
    await follow_tag(client, alice, "news")
    await act(client, alice, bob, "block")
    await act(client, alice, carol, "mute")
    await act(client, dave, alice, "block")  # dave blocks alice
    await ctx.events.drain()

    await post(client, bob, "bob's #news")
    await post(client, carol, "carol's #news")
    await post(client, dave, "dave's #news")
    await post(client, erin, "erin tells @bob the #news")
    fine = await post(client, erin, "erin's #news")
    await ctx.events.drain()
    assert await home_ids(client, alice) == [fine["id"]]
    assert await home_three_ways(app, client, alice) == [fine["id"]]


async def test_a_follower_of_the_author_gets_it_once_also_where_follows_would_not_bring_it(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    """A reply to someone alice does not follow, or in a language her follow leaves out, does
    not come through the follow; through the tag it does (Mastodon's `filter_from_tags?`
    checks neither)."""
    ctx = app.state.ctx
    alice, bob, carol = await people(client, "alice", "bob", "carol")
    await home_ids(client, alice)
    await ctx.settle()
    await follow(client, alice, bob)
    await follow_tag(client, alice, "gardening")
    await ctx.events.drain()

    untagged_reply_to = await post(client, carol, "carol says hi")
    plain = await post(client, bob, "bob on #gardening")
    reply = await post(
        client, bob, "bob answers carol on #gardening", in_reply_to_id=untagged_reply_to["id"]
    )
    untagged = await post(client, bob, "bob answers carol", in_reply_to_id=untagged_reply_to["id"])
    await ctx.events.drain()
    home = await home_ids(client, alice)
    assert home == [reply["id"], plain["id"]]
    assert untagged["id"] not in home
    assert await home_three_ways(app, client, alice) == home


async def test_following_merges_and_unfollowing_takes_out_what_only_the_tag_brought(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    alice, bob, carol = await people(client, "alice", "bob", "carol")
    await follow(client, alice, carol)
    await home_ids(client, alice)
    await ctx.settle()

    strangers = await post(client, bob, "bob on #gardening")
    hidden_away = await post(client, bob, "bob, private, #gardening", visibility="private")
    followed = await post(client, carol, "carol on #gardening")
    both_tags = await post(client, bob, "bob on #gardening and #cooking")
    mine = await post(client, alice, "my #gardening")
    untagged = await post(client, bob, "bob, no tag")
    await ctx.events.drain()
    assert await home_ids(client, alice) == [mine["id"], followed["id"]]

    await follow_tag(client, alice, "gardening")
    await follow_tag(client, alice, "cooking")
    await ctx.events.drain()
    merged = [mine["id"], both_tags["id"], followed["id"], strangers["id"]]
    assert await home_ids(client, alice) == merged
    assert hidden_away["id"] not in merged
    assert untagged["id"] not in merged
    assert await home_three_ways(app, client, alice) == merged

    await follow_tag(client, alice, "gardening", "unfollow")
    await ctx.events.drain()
    # her own, carol's (followed), and the one with #cooking stay
    kept = [mine["id"], both_tags["id"], followed["id"]]
    assert await home_ids(client, alice) == kept
    assert await home_three_ways(app, client, alice) == kept

    await follow_tag(client, alice, "cooking", "unfollow")
    await ctx.events.drain()
    assert await home_three_ways(app, client, alice) == [mine["id"], followed["id"]]


async def test_unfollowing_the_author_keeps_what_a_followed_tag_brings(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    alice, bob = await people(client, "alice", "bob")
    await follow(client, alice, bob)
    await follow_tag(client, alice, "gardening")
    await home_ids(client, alice)
    await ctx.settle()
    tagged = await post(client, bob, "bob on #gardening")
    await post(client, bob, "bob, no tag")
    await ctx.events.drain()
    r = await client.post(f"/api/v1/accounts/{bob.id}/unfollow", headers=alice.auth)
    assert r.status_code == 200
    await ctx.events.drain()
    assert await home_three_ways(app, client, alice) == [tagged["id"]]


async def test_a_deleted_tagged_status_leaves_the_home(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    alice, bob = await people(client, "alice", "bob")
    await follow_tag(client, alice, "gardening")
    await home_ids(client, alice)
    await ctx.settle()
    tagged = await post(client, bob, "bob on #gardening")
    await ctx.events.drain()
    assert await home_ids(client, alice) == [tagged["id"]]
    r = await client.delete(f"/api/v1/statuses/{tagged['id']}", headers=bob.auth)
    assert r.status_code == 200
    await ctx.events.drain()
    assert await ctx.redis.zcard(ctx.keys.home_feed(int(alice.id))) == 1  # the sentinel
    assert await home_three_ways(app, client, alice) == []


async def test_the_audience_names_each_reader_once(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    """Fan-out and the live streams read the same batches: a reader following the author and
    both of a status's tags is in them once."""
    ctx = app.state.ctx
    alice, bob, carol = await people(client, "alice", "bob", "carol")
    await follow(client, alice, bob)
    for name in ("gardening", "cooking"):
        await follow_tag(client, alice, name)
        await follow_tag(client, carol, name)
    await follow_tag(client, bob, "gardening")  # the author: in the audience as such
    status = await post(client, bob, "bob on #gardening and #cooking")
    event = public_status(status, bob, "gardening", "cooking")
    readers = [r async for batch in home_audience(ctx, event) for r in batch]
    assert sorted(readers) == sorted([int(bob.id), int(alice.id), int(carol.id)])
    gone = StatusDeleted(**{**event.payload()})
    readers = [r async for batch in home_audience(ctx, gone, written=False) for r in batch]
    assert sorted(readers) == sorted([int(bob.id), int(alice.id), int(carol.id)])


async def test_a_strangers_boost_of_a_tagged_status_does_not_come_through_the_tag(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    """A boost carries no tags of its own (Mastodon's fan-out reads the boost's tags)."""
    ctx = app.state.ctx
    alice, bob = await people(client, "alice", "bob")
    await home_ids(client, alice)
    await ctx.settle()
    tagged = await post(client, bob, "bob on #gardening")
    await ctx.events.drain()
    await follow_tag(client, alice, "gardening")
    await ctx.events.drain()
    r = await client.post(f"/api/v1/statuses/{tagged['id']}/reblog", headers=bob.auth)
    assert r.status_code == 200, r.text
    await ctx.events.drain()
    assert await home_three_ways(app, client, alice) == [tagged["id"]]


async def test_the_second_group_takes_the_audience_the_first_worked_out(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    """The timelines and streaming groups both ask for a new status's readers: the second
    asks the database nothing; an edit (another event) and a deletion are worked out anew."""
    ctx = app.state.ctx
    alice, bob, carol = await people(client, "alice", "bob", "carol")
    await follow(client, alice, bob)
    await follow_tag(client, carol, "gardening")
    status = await post(client, bob, "bob on #gardening")
    event = public_status(status, bob, "gardening")
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    async def readers_of(status: StatusEvent, **options: Any) -> list[int]:
        statements.clear()
        return sorted([r async for batch in home_audience(ctx, status, **options) for r in batch])

    everyone = sorted([int(bob.id), int(alice.id), int(carol.id)])
    engine = ctx.engine.sync_engine
    sqla_event.listen(engine, "before_cursor_execute", seen)
    try:
        assert await readers_of(event) == everyone
        assert statements  # worked out
        assert await readers_of(event) == everyone
        assert statements == []  # taken
        edited = StatusUpdated(**{**event.payload(), "tags": (), "edit_id": 1})
        assert await readers_of(edited) == sorted([int(bob.id), int(alice.id)])
        assert statements
        gone = StatusDeleted(**event.payload())
        assert await readers_of(gone, written=False) == everyone
        assert statements
    finally:
        sqla_event.remove(engine, "before_cursor_execute", seen)
