"""Followed hashtags, as a Mastodon client uses them: follow and unfollow (idempotent, the
Tag entity's `following`), the list of followed tags paged by the follow, and bad names."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from starlette.applications import Starlette

from social.platform.db.models import OutboxEvent, Tag, TagFollow
from tests.helpers import PASSWORD, User, bearer, make_user, post, register_app


async def tag_action(
    client: httpx.AsyncClient, user: User, name: str, action: str
) -> httpx.Response:
    return await client.post(f"/api/v1/tags/{name}/{action}", headers=user.auth)


async def followed_names(client: httpx.AsyncClient, user: User, **params: object) -> list[str]:
    r = await client.get("/api/v1/followed_tags", headers=user.auth, params=params)
    assert r.status_code == 200, r.text
    assert all(t["following"] for t in r.json())
    return [t["name"] for t in r.json()]


async def test_follow_and_unfollow_a_tag(app: Starlette, client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice, bob = (
        await make_user(client, client_app, "alice"),
        await make_user(client, client_app, "bob"),
    )
    await post(client, bob, "on #Gardening")

    r = await tag_action(client, alice, "gardening", "follow")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] == "Gardening"  # as first written
    assert body["following"] is True
    assert body["url"].endswith("/tags/gardening")
    assert len(body["history"]) == 7
    again = await tag_action(client, alice, "GARDENING", "follow")  # idempotent (4.1)
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]

    shown = await client.get("/api/v1/tags/gardening", headers=alice.auth)
    assert shown.json()["following"] is True
    assert (await client.get("/api/v1/tags/gardening", headers=bob.auth)).json()[
        "following"
    ] is False
    assert (await client.get("/api/v1/tags/gardening")).json()["following"] is False
    assert await followed_names(client, alice) == ["Gardening"]
    assert await followed_names(client, bob) == []

    r = await tag_action(client, alice, "%23gardening", "unfollow")
    assert r.status_code == 200, r.text
    assert r.json()["following"] is False
    assert (await tag_action(client, alice, "gardening", "unfollow")).status_code == 200
    assert (await client.get("/api/v1/tags/gardening", headers=alice.auth)).json()[
        "following"
    ] is False
    assert await followed_names(client, alice) == []


async def test_following_a_tag_nobody_used_creates_it(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    r = await tag_action(client, alice, "Café", "follow")
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Café"
    assert r.json()["following"] is True
    shown = await client.get("/api/v1/tags/CAF%C3%89", headers=alice.auth)  # case-folded
    assert shown.status_code == 200
    assert shown.json()["following"] is True
    assert await followed_names(client, alice) == ["Café"]


async def test_bad_names_are_not_found_and_write_nothing(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    alice = await make_user(client, await register_app(client), "alice")

    async def rows() -> tuple[int, int, int]:
        async with ctx.db() as db:
            return (
                await db.scalar(select(func.count()).select_from(Tag)) or 0,
                await db.scalar(select(func.count()).select_from(TagFollow)) or 0,
                await db.scalar(select(func.count()).select_from(OutboxEvent)) or 0,
            )

    before = await rows()
    for name in ("no spaces allowed", "1234", "x" * 101, "a-b", "%F0%9F%92%A9"):
        for action in ("follow", "unfollow"):
            r = await tag_action(client, alice, name, action)
            assert r.status_code == 404, (name, action, r.text)
            assert r.json() == {"error": "Record not found"}
    # a good name never used: unfollowing it finds nothing, as showing it does
    assert (await tag_action(client, alice, "nobodysaidit", "unfollow")).status_code == 404
    assert await rows() == before
    assert await followed_names(client, alice) == []

    r = await client.post("/api/v1/tags/gardening/follow")
    assert r.status_code == 401
    assert await rows() == before


async def test_the_scopes(app: Starlette, client: httpx.AsyncClient) -> None:
    """Writes take write:follows (or write, or follow); the list read:follows."""
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")

    async def token(scope: str) -> dict[str, str]:
        r = await client.post(
            "/oauth/token",
            data={
                "grant_type": "password",
                "client_id": client_app.client_id,
                "client_secret": client_app.client_secret,
                "username": "alice",
                "password": PASSWORD,
                "scope": scope,
            },
        )
        assert r.status_code == 200, r.text
        return bearer(r.json()["access_token"])

    reader = await token("read")
    r = await client.post("/api/v1/tags/gardening/follow", headers=reader)
    assert r.status_code == 403
    assert r.json() == {"error": "This action is outside the authorized scopes"}
    assert (await client.get("/api/v1/followed_tags", headers=reader)).status_code == 200
    follower = await token("follow")
    assert (await client.post("/api/v1/tags/gardening/follow", headers=follower)).status_code == 200
    assert await followed_names(client, alice) == ["gardening"]


async def test_followed_tags_are_paged_by_the_follow(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    names = [f"tag{chr(ord('a') + i)}" for i in range(5)]
    for name in names:
        assert (await tag_action(client, alice, name, "follow")).status_code == 200
    newest_first = list(reversed(names))
    assert await followed_names(client, alice) == newest_first  # 100 by default

    r = await client.get("/api/v1/followed_tags", headers=alice.auth, params={"limit": 2})
    assert [t["name"] for t in r.json()] == newest_first[:2]
    seen = [t["name"] for t in r.json()]
    link = r.headers["link"]
    while 'rel="next"' in link:
        next_url = link.split(">;")[0].strip("<")
        r = await client.get(next_url, headers=alice.auth)
        assert r.status_code == 200
        if not r.json():
            break
        seen += [t["name"] for t in r.json()]
        link = r.headers.get("link", "")
    assert seen == newest_first
    # prev from the oldest page gives the newer ones back
    first = await client.get("/api/v1/followed_tags", headers=alice.auth, params={"limit": 2})
    prev_url = first.headers["link"].split(", ")[1].split(">;")[0].strip("<")
    assert (await client.get(prev_url, headers=alice.auth)).json() == []
    big = await client.get("/api/v1/followed_tags", headers=alice.auth, params={"limit": 1000})
    assert big.status_code == 200  # clamped, as Mastodon
