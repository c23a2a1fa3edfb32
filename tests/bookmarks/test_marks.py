"""The viewer's sets of marks in Redis: a fill never stores rows older than a write that came
while it read them, and a write changes only a set that exists."""

from __future__ import annotations

from starlette.applications import Starlette

from social.platform.context import AppContext
from social.statuses import marks


async def test_a_write_during_a_fill_makes_the_fill_give_up(app: Starlette) -> None:
    ctx: AppContext = app.state.ctx
    key, token_key = ctx.keys.bookmarks(7), ctx.keys.marks_fill("bookmarks", 7)
    await ctx.redis.set(token_key, "t1")  # a fill took its token, then read no bookmark...
    await marks.changed(ctx, marks.BOOKMARKS, 7, 42, True)  # ...while one was committed
    assert not await ctx.redis.exists(key)  # no set yet: none half made by the write
    fill = [key, token_key], ["t1", 60, marks.COMPLETE]
    assert await marks.fill_script.call(ctx.redis, *fill) == 0
    assert not await ctx.redis.exists(key)  # the stale rows were not stored

    await ctx.redis.set(token_key, "t2")
    assert await marks.fill_script.call(ctx.redis, [key, token_key], ["t2", 60, "0", 42]) == 1
    assert await ctx.redis.smembers(key) == {b"0", b"42"}
    assert not await ctx.redis.exists(token_key)
    assert 0 < await ctx.redis.ttl(key) <= 60
    await marks.changed(ctx, marks.BOOKMARKS, 7, 42, False)
    await marks.changed(ctx, marks.BOOKMARKS, 7, 43, True)
    assert await ctx.redis.smembers(key) == {b"0", b"43"}


async def test_a_fill_of_many_marks(app: Starlette) -> None:
    """More members than Lua unpacks at once."""
    ctx: AppContext = app.state.ctx
    key, token_key = ctx.keys.favourites(8), ctx.keys.marks_fill("favs", 8)
    await ctx.redis.set(token_key, "t")
    ids = list(range(1, 2501))
    assert await marks.fill_script.call(ctx.redis, [key, token_key], ["t", 60, "0", *ids]) == 1
    assert await ctx.redis.scard(key) == 2501
