"""What a person sees of another, read the ways a Mastodon client reads it."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from tests.helpers import User, home_ids


async def act(
    client: httpx.AsyncClient, user: User, target: User, action: str, **form: Any
) -> dict[str, Any]:
    r = await client.post(f"/api/v1/accounts/{target.id}/{action}", headers=user.auth, data=form)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def relationship(client: httpx.AsyncClient, user: User, target: User) -> dict[str, Any]:
    r = await client.get(
        "/api/v1/accounts/relationships", headers=user.auth, params={"id[]": target.id}
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()[0]
    return body


async def ids(client: httpx.AsyncClient, path: str, user: User | None, **params: Any) -> list[str]:
    headers = user.auth if user is not None else {}
    r = await client.get(path, headers=headers, params=params)
    assert r.status_code == 200, r.text
    return [s["id"] for s in r.json()]


async def thread(client: httpx.AsyncClient, user: User, status_id: str) -> list[str]:
    r = await client.get(f"/api/v1/statuses/{status_id}/context", headers=user.auth)
    assert r.status_code == 200, r.text
    body = r.json()
    return [s["id"] for s in body["ancestors"] + body["descendants"]]


async def notification_types(client: httpx.AsyncClient, user: User) -> list[tuple[str, str]]:
    r = await client.get("/api/v1/notifications", headers=user.auth)
    assert r.status_code == 200, r.text
    return [(n["type"], n["account"]["username"]) for n in r.json()]


async def home_three_ways(app: Starlette, client: httpx.AsyncClient, user: User) -> list[str]:
    """The home as fan-out built it, then with the feed lost from Redis (answered by the
    database), then rebuilt: the three must agree, and that is returned."""
    ctx = app.state.ctx
    built = await home_ids(client, user)
    await ctx.redis.delete(ctx.keys.home_feed(int(user.id)), ctx.keys.home_hidden(int(user.id)))
    from_db = await home_ids(client, user)
    await ctx.settle()  # the rebuild the read started
    assert await ctx.redis.exists(ctx.keys.home_feed(int(user.id)))
    rebuilt = await home_ids(client, user)
    assert built == from_db == rebuilt, (built, from_db, rebuilt)
    return built
