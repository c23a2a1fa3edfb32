"""Bookmarks and the favourites list: what a person keeps shows in their list (newest first,
paged by the bookmark or favourite with a Link header) and as `bookmarked: true` wherever they
read the status; nobody else sees it; the flag outlives a Redis flush; taking it back, or
the status being deleted, removes it."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select
from starlette.applications import Starlette

from social.platform.db.models import Bookmark
from tests.helpers import User, follow, home_ids, make_user, password_login, post, register_app


async def users(client: httpx.AsyncClient, *names: str) -> list[User]:
    client_app = await register_app(client)
    return [await make_user(client, client_app, name) for name in names]


async def mark(client: httpx.AsyncClient, user: User, status_id: str, action: str) -> Any:
    r = await client.post(f"/api/v1/statuses/{status_id}/{action}", headers=user.auth)
    assert r.status_code == 200, r.text
    return r.json()


async def listed(
    client: httpx.AsyncClient, user: User, path: str = "/api/v1/bookmarks", **params: Any
) -> list[str]:
    r = await client.get(path, headers=user.auth, params=params)
    assert r.status_code == 200, r.text
    return [s["id"] for s in r.json()]


async def bookmark_rows(app: Starlette) -> int:
    async with app.state.ctx.db() as db:
        return int((await db.execute(select(func.count()).select_from(Bookmark))).scalar_one())


async def test_a_bookmark_shows_everywhere_its_owner_reads(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    alice, bob = await users(client, "alice", "bob")
    await follow(client, bob, alice)
    assert await home_ids(client, bob) == []
    root = await post(client, alice, "keep this")
    reply = await post(client, alice, "and this", in_reply_to_id=root["id"])
    await app.state.ctx.events.drain()

    assert root["bookmarked"] is False
    shown = await mark(client, bob, root["id"], "bookmark")
    assert shown["id"] == root["id"]
    assert shown["bookmarked"] is True
    again = await mark(client, bob, root["id"], "bookmark")  # idempotent
    assert again["bookmarked"] is True
    assert await bookmark_rows(app) == 1

    assert await listed(client, bob) == [root["id"]]
    r = await client.get(f"/api/v1/statuses/{root['id']}", headers=bob.auth)
    assert r.json()["bookmarked"] is True
    home = await client.get("/api/v1/timelines/home", headers=bob.auth)
    assert {s["id"]: s["bookmarked"] for s in home.json()} == {
        reply["id"]: False,
        root["id"]: True,
    }
    await app.state.ctx.settle()  # the sets filled: read from Redis now
    home = await client.get("/api/v1/timelines/home", headers=bob.auth)
    assert [s["bookmarked"] for s in home.json()] == [False, True]
    context = await client.get(f"/api/v1/statuses/{reply['id']}/context", headers=bob.auth)
    assert [s["bookmarked"] for s in context.json()["ancestors"]] == [True]

    # nobody else's: not alice's list, not her flags, and anonymous readers see false
    assert await listed(client, alice) == []
    r = await client.get(f"/api/v1/statuses/{root['id']}", headers=alice.auth)
    assert r.json()["bookmarked"] is False
    assert (await client.get(f"/api/v1/statuses/{root['id']}")).json()["bookmarked"] is False

    gone = await mark(client, bob, root["id"], "unbookmark")
    assert gone["bookmarked"] is False
    assert (await mark(client, bob, root["id"], "unbookmark"))["bookmarked"] is False
    assert await listed(client, bob) == []
    home = await client.get("/api/v1/timelines/home", headers=bob.auth)
    assert [s["bookmarked"] for s in home.json()] == [False, False]
    assert await bookmark_rows(app) == 0


async def test_bookmarks_page_by_bookmark_newest_first(client: httpx.AsyncClient) -> None:
    alice, bob = await users(client, "alice", "bob")
    statuses = [(await post(client, alice, f"post {i}"))["id"] for i in range(5)]
    order = [statuses[3], statuses[0], statuses[4], statuses[1], statuses[2]]
    for status_id in order:  # bookmarked in another order than posted
        await mark(client, bob, status_id, "bookmark")
    newest_first = order[::-1]
    assert await listed(client, bob) == newest_first

    seen: list[str] = []
    r = await client.get("/api/v1/bookmarks", headers=bob.auth, params={"limit": 2})
    while r.json():
        seen += [s["id"] for s in r.json()]
        r = await client.get(r.links["next"]["url"], headers=bob.auth)
    assert seen == newest_first
    assert "limit=2" in r.request.url.query.decode()

    first = await client.get("/api/v1/bookmarks", headers=bob.auth, params={"limit": 2})
    second = await client.get(first.links["next"]["url"], headers=bob.auth)
    back = await client.get(second.links["prev"]["url"], headers=bob.auth)
    assert [s["id"] for s in back.json()] == newest_first[:2]
    r = await client.get("/api/v1/bookmarks", headers=bob.auth, params={"limit": 1000})
    assert r.status_code == 200  # clamped, as Mastodon


async def test_bookmarking_what_you_may_not_see_is_not_found(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    alice, bob = await users(client, "alice", "bob")
    secret = await post(client, alice, "followers only", visibility="private")
    for action in ("bookmark", "unbookmark"):
        for status_id in (secret["id"], "99999999999999", "abc", "-1", "1e3"):
            r = await client.post(f"/api/v1/statuses/{status_id}/{action}", headers=bob.auth)
            assert r.status_code == 404, (action, status_id)
            assert r.json() == {"error": "Record not found"}
    assert await bookmark_rows(app) == 0

    await follow(client, bob, alice)
    await mark(client, bob, secret["id"], "bookmark")
    assert await listed(client, bob) == [secret["id"]]
    r = await client.post(f"/api/v1/accounts/{alice.id}/unfollow", headers=bob.auth)
    assert r.status_code == 200
    assert await listed(client, bob) == []  # no longer visible: not shown
    # ... but it may be taken back, and is shown once more (as Mastodon)
    assert (await mark(client, bob, secret["id"], "unbookmark"))["bookmarked"] is False
    assert await bookmark_rows(app) == 0


async def test_a_scope_is_needed(client: httpx.AsyncClient) -> None:
    alice = (await users(client, "alice"))[0]
    status = await post(client, alice, "hello")
    r = await client.post(f"/api/v1/statuses/{status['id']}/bookmark")
    assert r.status_code == 401
    assert (await client.get("/api/v1/bookmarks")).status_code == 401
    assert (await client.get("/api/v1/favourites")).status_code == 401


async def test_the_flag_outlives_a_redis_flush(app: Starlette, client: httpx.AsyncClient) -> None:
    alice, bob = await users(client, "alice", "bob")
    await follow(client, bob, alice)
    await home_ids(client, bob)
    kept = await post(client, alice, "keep")
    liked = await post(client, alice, "like")
    await app.state.ctx.events.drain()
    await mark(client, bob, kept["id"], "bookmark")
    await mark(client, bob, liked["id"], "favourite")
    await home_ids(client, bob)
    await app.state.ctx.settle()

    await app.state.ctx.redis.flushdb()  # every set, feed, cached status and token gone
    await app.state.ctx.settle()
    login = await password_login(client, await register_app(client), "bob")  # tokens gone too
    bob.token = login.json()["access_token"]
    for _ in range(2):  # from the database, then from the sets it filled
        r = await client.get(f"/api/v1/statuses/{kept['id']}", headers=bob.auth)
        assert (r.json()["bookmarked"], r.json()["favourited"]) == (True, False)
        home = await client.get("/api/v1/timelines/home", headers=bob.auth)
        flags = {s["id"]: (s["bookmarked"], s["favourited"]) for s in home.json()}
        assert flags == {kept["id"]: (True, False), liked["id"]: (False, True)}
        await app.state.ctx.settle()
    assert await app.state.ctx.redis.sismember(app.state.ctx.keys.bookmarks(int(bob.id)), "0")


async def test_a_deleted_status_leaves_no_bookmark(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    alice, bob = await users(client, "alice", "bob")
    status = await post(client, alice, "soon gone")
    await mark(client, bob, status["id"], "bookmark")
    await mark(client, bob, status["id"], "favourite")
    await client.get(f"/api/v1/statuses/{status['id']}", headers=bob.auth)
    await app.state.ctx.settle()
    r = await client.delete(f"/api/v1/statuses/{status['id']}", headers=alice.auth)
    assert r.status_code == 200
    assert await bookmark_rows(app) == 0
    assert await listed(client, bob) == []
    assert await listed(client, bob, "/api/v1/favourites") == []
    r = await client.post(f"/api/v1/statuses/{status['id']}/bookmark", headers=bob.auth)
    assert r.status_code == 404


async def test_favourites_list_newest_favourite_first(client: httpx.AsyncClient) -> None:
    alice, bob, carol = await users(client, "alice", "bob", "carol")
    first = await post(client, alice, "first")
    second = await post(client, alice, "second")
    third = await post(client, bob, "third")
    for status in (second, first, third):
        await mark(client, carol, status["id"], "favourite")
    await mark(client, bob, first["id"], "favourite")
    expected = [third["id"], first["id"], second["id"]]
    assert await listed(client, carol, "/api/v1/favourites") == expected
    assert await listed(client, bob, "/api/v1/favourites") == [first["id"]]
    assert await listed(client, alice, "/api/v1/favourites") == []

    r = await client.get("/api/v1/favourites", headers=carol.auth, params={"limit": 2})
    assert [s["id"] for s in r.json()] == expected[:2]
    assert all(s["favourited"] for s in r.json())
    rest = await client.get(r.links["next"]["url"], headers=carol.auth)
    assert [s["id"] for s in rest.json()] == expected[2:]
    end = await client.get(rest.links["next"]["url"], headers=carol.auth)
    assert end.json() == []
    assert "link" not in end.headers

    await mark(client, carol, first["id"], "unfavourite")
    assert await listed(client, carol, "/api/v1/favourites") == [third["id"], second["id"]]
