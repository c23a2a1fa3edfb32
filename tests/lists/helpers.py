"""A client's steps with lists, and a list's timeline read three ways."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from tests.helpers import User


async def new_list(client: httpx.AsyncClient, user: User, title: str, **form: Any) -> str:
    r = await client.post("/api/v1/lists", headers=user.auth, data={"title": title, **form})
    assert r.status_code == 200, r.text
    list_id: str = r.json()["id"]
    return list_id


async def add(client: httpx.AsyncClient, user: User, list_id: str, *members: User) -> None:
    r = await client.post(
        f"/api/v1/lists/{list_id}/accounts",
        headers=user.auth,
        data={"account_ids[]": [m.id for m in members]},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {}


async def member_names(client: httpx.AsyncClient, user: User, list_id: str) -> list[str]:
    r = await client.get(
        f"/api/v1/lists/{list_id}/accounts", headers=user.auth, params={"limit": 0}
    )
    assert r.status_code == 200, r.text
    return sorted(a["username"] for a in r.json())


async def list_ids(client: httpx.AsyncClient, user: User, list_id: str, **params: Any) -> list[str]:
    r = await client.get(f"/api/v1/timelines/list/{list_id}", headers=user.auth, params=params)
    assert r.status_code == 200, r.text
    return [s["id"] for s in r.json()]


async def list_three_ways(
    app: Starlette, client: httpx.AsyncClient, user: User, list_id: str
) -> list[str]:
    """The list's timeline as fan-out built it, then with its feed lost from Redis (answered
    by the database), then rebuilt: the three must agree, and that is returned."""
    ctx = app.state.ctx
    key = ctx.keys.list_feed(int(user.id), int(list_id))
    was_built = await ctx.redis.zscore(key, "0") is not None
    built = await list_ids(client, user, list_id)
    if was_built:  # the page is the feed's (a short one: all of it)
        held = [m.split(b":")[0].decode() for m in await ctx.redis.zrevrange(key, 0, -2)]
        assert held == built, (held, built)
    await ctx.settle()  # a rebuild the read started
    await ctx.redis.delete(key)
    from_db = await list_ids(client, user, list_id)
    await ctx.settle()  # the rebuild the read started
    assert await ctx.redis.exists(key)
    rebuilt = await list_ids(client, user, list_id)
    assert built == from_db == rebuilt, (built, from_db, rebuilt)
    metrics = (await client.get("/metrics")).text
    assert 'where="list.read"' not in metrics  # the feed was read, not the fallback
    return built
