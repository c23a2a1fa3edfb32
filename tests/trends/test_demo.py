"""`social demo` on a tiny size: accounts, steady tags that stay quiet, spikes that trend."""

from __future__ import annotations

from starlette.applications import Starlette

from social.cli import demo


async def no_sleep(_s: float) -> None:
    return None


async def test_demo_makes_spikes_trend(app: Starlette) -> None:
    ctx = app.state.ctx
    said: list[str] = []
    posted = await demo.run(
        ctx, accounts=10, minutes=2, speed=1000, seed=7, say=said.append, sleep=no_sleep
    )
    await ctx.events.drain(timeout_s=30)
    await ctx.trends.settle()
    assert posted > 20
    assert said
    ranked = [t.tag for t in await ctx.trends.top(20, public=False)]
    assert "solareclipse" in ranked
    assert demo.SPAM_TAG not in ranked
    assert not set(demo.STEADY) & set(ranked)
