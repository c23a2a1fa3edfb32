"""Trends over HTTP: what users see in public trends, what admins review."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import httpx
from starlette.applications import Starlette

from social.platform.db.models import Account
from social.platform.events.topics import StatusCreated
from social.trends import consumer as trends
from tests.helpers import bearer, post
from tests.trends.helpers import everyone_posts, make_admin, make_users


async def _admin_tags(client: httpx.AsyncClient, token: str) -> dict[str, dict[str, Any]]:
    r = await client.get("/api/v1/admin/trends/tags", headers=bearer(token))
    assert r.status_code == 200, r.text
    return {t["name"].lower(): t for t in r.json()}


async def _public(client: httpx.AsyncClient) -> list[str]:
    r = await client.get("/api/v1/trends/tags")
    assert r.status_code == 200, r.text
    return [t["name"].lower() for t in r.json()]


async def test_a_posted_tag_is_ranked_without_anyone_asking(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    """The trending consumer counts and pokes the settler, which scores at once when idle."""
    boss = await make_admin(app, client)
    users = await make_users(client, 6)
    await everyone_posts(client, users, "#Aurora tonight")
    await app.state.ctx.events.drain()
    deadline = asyncio.get_running_loop().time() + 5
    while "aurora" not in (tags := await _admin_tags(client, boss)):
        assert asyncio.get_running_loop().time() < deadline, "never ranked"
        await asyncio.sleep(0.05)
    assert tags["aurora"]["score"] > 0
    assert tags["aurora"]["accounts"] == 6


async def test_review_decides_what_trends_publicly(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    boss = await make_admin(app, client)
    users = await make_users(client, 6)
    await everyone_posts(client, users, "Look up! #Eclipse")
    await everyone_posts(client, users[:2], "#quiet")
    await app.state.ctx.events.drain()
    await app.state.ctx.trends.settle()  # the settler would, a moment later

    tags = await _admin_tags(client, boss)
    assert set(tags) == {"eclipse"}  # two authors are below the minimum
    eclipse = tags["eclipse"]
    assert eclipse["review"] == "pending"
    assert eclipse["requires_review"] is True
    assert eclipse["trendable"] is False
    assert eclipse["score"] > 0
    assert eclipse["uses"] == 6
    assert eclipse["accounts"] == 6
    assert await _public(client) == []

    r = await client.post(
        f"/api/v1/admin/trends/tags/{eclipse['id']}/approve", headers=bearer(boss)
    )
    assert r.status_code == 200, r.text
    assert r.json()["review"] == "approved"
    assert r.json()["trendable"] is True
    r = await client.get("/api/v1/trends/tags")
    (entity,) = r.json()
    assert entity["name"] == "Eclipse"
    assert entity["following"] is False
    assert entity["url"] == "http://localhost:8000/tags/eclipse"
    assert entity["history"][0]["uses"] == "6"
    assert entity["history"][0]["accounts"] == "6"
    assert len(entity["history"]) == 7

    r = await client.post(f"/api/v1/admin/trends/tags/{eclipse['id']}/reject", headers=bearer(boss))
    assert r.json()["review"] == "rejected"
    assert await _public(client) == []
    assert (await _admin_tags(client, boss))["eclipse"]["review"] == "rejected"


async def test_deleting_the_posts_takes_the_tag_out(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    boss = await make_admin(app, client)
    users = await make_users(client, 6)
    ids = await everyone_posts(client, users, "#flashmob now")
    await app.state.ctx.events.drain()
    await app.state.ctx.trends.settle()  # the settler would, a moment later
    assert (await _admin_tags(client, boss))["flashmob"]["uses"] == 6
    for user, status_id in zip(users, ids, strict=True):
        r = await client.delete(f"/api/v1/statuses/{status_id}", headers=user.auth)
        assert r.status_code == 200
    await app.state.ctx.events.drain()
    await app.state.ctx.trends.settle()  # the settler would, a moment later
    assert "flashmob" not in await _admin_tags(client, boss)
    r = await client.get("/api/v1/tags/flashmob")
    assert r.json()["history"][0]["uses"] == "0"


async def test_private_posts_and_silenced_accounts_do_not_count(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    boss = await make_admin(app, client)
    users = await make_users(client, 8)
    await everyone_posts(client, users, "#secret", visibility="unlisted")
    await everyone_posts(client, users, "#secret", visibility="private")
    async with app.state.ctx.db() as db:
        for user in users[4:]:
            account = await db.get(Account, int(user.id))
            assert account is not None
            account.silenced = True
        await db.commit()
    await everyone_posts(client, users, "#loud")
    await app.state.ctx.events.drain()
    await app.state.ctx.trends.settle()  # the settler would, a moment later
    tags = await _admin_tags(client, boss)
    assert "secret" not in tags
    assert "loud" not in tags  # only four unsilenced authors
    r = await client.get("/api/v1/tags/loud")
    assert r.json()["history"][0]["uses"] == "4"


async def test_redelivered_events_count_once(app: Starlette, client: httpx.AsyncClient) -> None:
    users = await make_users(client, 1)
    status = await post(client, users[0], "#once")
    await app.state.ctx.events.drain()
    await app.state.ctx.trends.settle()  # the settler would, a moment later
    payload = {
        "status_id": int(status["id"]),
        "account_id": int(users[0].id),
        "visibility": "public",
        "tags": ["once"],
        "created_at": datetime.fromisoformat(status["created_at"]).timestamp(),
    }
    await trends.status_created(app.state.ctx, StatusCreated.from_payload(payload))
    r = await client.get("/api/v1/tags/once")
    assert r.json()["history"][0]["uses"] == "1"


async def test_admin_routes_refuse_others(app: Starlette, client: httpx.AsyncClient) -> None:
    (alice,) = await make_users(client, 1)
    for method, path in [
        ("GET", "/api/v1/admin/trends/tags"),
        ("POST", "/api/v1/admin/trends/tags/1/approve"),
        ("POST", "/api/v1/admin/trends/tags/1/reject"),
    ]:
        assert (await client.request(method, path)).status_code == 401
        r = await client.request(method, path, headers=alice.auth)
        assert r.status_code == 403
        assert "error" in r.json()


async def test_bad_input_is_a_4xx(app: Starlette, client: httpx.AsyncClient) -> None:
    boss = await make_admin(app, client)
    for params in ({"limit": "0"}, {"limit": "x"}, {"offset": "-1"}, {"limit": "100000"}):
        r = await client.get("/api/v1/trends/tags", params=params)
        assert r.status_code == 422, (params, r.text)
    for name in ["", "%20", "123", "a b", "x" * 101, "%00", "caf%C3%A9%E2%80%8B"]:
        r = await client.get(f"/api/v1/tags/{name}")
        assert r.status_code in (404, 422), name
        assert "error" in r.json(), name
    assert (await client.get("/api/v1/tags/unknown")).status_code == 404
    for tag_id in ["abc", "99999999999999999999", "-1", "42"]:
        r = await client.post(f"/api/v1/admin/trends/tags/{tag_id}/approve", headers=bearer(boss))
        assert r.status_code == 404, tag_id
    r = await client.get("/api/v1/admin/trends/tags", params={"limit": "-5"}, headers=bearer(boss))
    assert r.status_code == 422


async def test_one_kept_page_shows_each_viewer_what_they_follow(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    boss = await make_admin(app, client)
    users = await make_users(client, 6)
    await everyone_posts(client, users, "#Comet and #Meteor")
    await app.state.ctx.events.drain()
    await app.state.ctx.trends.settle()
    for tag in (await _admin_tags(client, boss)).values():
        r = await client.post(
            f"/api/v1/admin/trends/tags/{tag['id']}/approve", headers=bearer(boss)
        )
        assert r.status_code == 200, r.text
    assert sorted(await _public(client)) == ["comet", "meteor"]  # kept from now on
    r = await client.post("/api/v1/tags/comet/follow", headers=users[0].auth)
    assert r.status_code == 200, r.text

    async def following(headers: dict[str, str]) -> dict[str, bool]:
        r = await client.get("/api/v1/trends/tags", headers=headers)
        assert r.status_code == 200, r.text
        return {t["name"].lower(): t["following"] for t in r.json()}

    ctx = app.state.ctx
    assert await following(users[0].auth) == {"comet": True, "meteor": False}
    assert await following(users[1].auth) == {"comet": False, "meteor": False}
    assert await following({}) == {"comet": False, "meteor": False}
    assert await ctx.redis.exists(ctx.keys.trend_pages())
    await ctx.settle()  # the followed tags' sets the reads filled
    assert await ctx.redis.exists(ctx.keys.followed_tags(int(users[0].id)))
    assert await following(users[0].auth) == {"comet": True, "meteor": False}
    await client.post("/api/v1/tags/comet/unfollow", headers=users[0].auth)
    await client.post("/api/v1/tags/meteor/follow", headers=users[0].auth)
    assert await following(users[0].auth) == {"comet": False, "meteor": True}
