"""Pins: your own public, unlisted or private statuses, at most five, shown first on your
profile (`?pinned=true`, most recently pinned first, only those the reader may see); each
refusal Mastodon's 422 with nothing written; `pinned` on your own statuses only."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select
from starlette.applications import Starlette

from social.platform.db.models import StatusPin
from tests.helpers import User, follow, home_ids, make_user, post, register_app


async def users(client: httpx.AsyncClient, *names: str) -> list[User]:
    client_app = await register_app(client)
    return [await make_user(client, client_app, name) for name in names]


async def pin(client: httpx.AsyncClient, user: User, status_id: str, action: str = "pin") -> Any:
    r = await client.post(f"/api/v1/statuses/{status_id}/{action}", headers=user.auth)
    assert r.status_code == 200, r.text
    return r.json()


async def pinned(client: httpx.AsyncClient, account: User, reader: User | None = None) -> Any:
    r = await client.get(
        f"/api/v1/accounts/{account.id}/statuses",
        params={"pinned": "true"},
        headers=reader.auth if reader else {},
    )
    assert r.status_code == 200, r.text
    return [s["id"] for s in r.json()]


async def pin_rows(app: Starlette) -> int:
    async with app.state.ctx.db() as db:
        return int((await db.execute(select(func.count()).select_from(StatusPin))).scalar_one())


async def test_pins_show_first_on_the_profile(app: Starlette, client: httpx.AsyncClient) -> None:
    alice, bob = await users(client, "alice", "bob")
    a = await post(client, alice, "a")
    b = await post(client, alice, "b", visibility="unlisted")
    c = await post(client, alice, "c")
    assert a["pinned"] is False  # the author's own: present

    assert (await pin(client, alice, b["id"]))["pinned"] is True
    assert (await pin(client, alice, a["id"]))["pinned"] is True
    assert (await pin(client, alice, a["id"]))["pinned"] is True  # idempotent
    assert await pin_rows(app) == 2
    assert await pinned(client, alice) == [a["id"], b["id"]]  # most recently pinned first
    assert await pinned(client, alice, bob) == [a["id"], b["id"]]

    mine = await client.get(f"/api/v1/statuses/{a['id']}", headers=alice.auth)
    assert mine.json()["pinned"] is True
    theirs = await client.get(f"/api/v1/statuses/{a['id']}", headers=bob.auth)
    assert "pinned" not in theirs.json()  # not the reader's to pin: left out, as Mastodon
    assert "pinned" not in (await client.get(f"/api/v1/statuses/{a['id']}")).json()

    home = await client.get("/api/v1/timelines/home", headers=alice.auth)
    assert {s["id"]: s["pinned"] for s in home.json()} == {
        c["id"]: False,
        b["id"]: True,
        a["id"]: True,
    }
    await app.state.ctx.settle()
    home = await client.get("/api/v1/timelines/home", headers=alice.auth)
    assert [s["pinned"] for s in home.json()] == [False, True, True]
    profile = await client.get(f"/api/v1/accounts/{alice.id}/statuses", headers=alice.auth)
    assert [s["pinned"] for s in profile.json()] == [False, True, True]

    assert (await pin(client, alice, a["id"], "unpin"))["pinned"] is False
    assert (await pin(client, alice, a["id"], "unpin"))["pinned"] is False  # idempotent
    assert await pinned(client, alice) == [b["id"]]
    home = await client.get("/api/v1/timelines/home", headers=alice.auth)
    assert [s["pinned"] for s in home.json()] == [False, True, False]


async def test_at_most_five_pins(app: Starlette, client: httpx.AsyncClient) -> None:
    (alice,) = await users(client, "alice")
    statuses = [(await post(client, alice, f"post {i}"))["id"] for i in range(6)]
    for status_id in statuses[:5]:
        await pin(client, alice, status_id)
    r = await client.post(f"/api/v1/statuses/{statuses[5]}/pin", headers=alice.auth)
    assert r.status_code == 422
    assert r.json()["error"] == (
        "Validation failed: You have already pinned the maximum number of posts"
    )
    assert await pin_rows(app) == 5
    assert statuses[5] not in await pinned(client, alice)
    shown = await client.get(f"/api/v1/statuses/{statuses[5]}", headers=alice.auth)
    assert shown.json()["pinned"] is False
    assert (await pin(client, alice, statuses[0]))["pinned"] is True  # a pinned one: still fine
    await pin(client, alice, statuses[0], "unpin")
    assert (await pin(client, alice, statuses[5]))["pinned"] is True  # room again
    assert await pin_rows(app) == 5


async def test_only_your_own_and_never_a_direct_one(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    alice, bob = await users(client, "alice", "bob")
    public = await post(client, alice, "alice's")
    r = await client.post(f"/api/v1/statuses/{public['id']}/pin", headers=bob.auth)
    assert r.status_code == 422
    assert r.json()["error"] == "Validation failed: Someone else's post cannot be pinned"

    direct = await post(client, bob, "@alice just us", visibility="direct")
    r = await client.post(f"/api/v1/statuses/{direct['id']}/pin", headers=bob.auth)
    assert r.status_code == 422
    assert r.json()["error"] == (
        "Validation failed: Posts that are only visible to mentioned users cannot be pinned"
    )
    assert "pinned" not in direct  # a direct status is not pinnable: no flag
    r = await client.post(f"/api/v1/statuses/{direct['id']}/pin", headers=alice.auth)
    assert r.status_code == 422  # mentioned, so she sees it; neither hers nor pinnable
    assert r.json()["error"] == (
        "Validation failed: Someone else's post cannot be pinned, "
        "Posts that are only visible to mentioned users cannot be pinned"
    )
    assert await pin_rows(app) == 0

    # a status the caller may not see, or none at all: not found
    secret = await post(client, alice, "followers only", visibility="private")
    for status_id in (secret["id"], "99999999999999", "abc"):
        for action in ("pin", "unpin"):
            r = await client.post(f"/api/v1/statuses/{status_id}/{action}", headers=bob.auth)
            assert r.status_code == 404, (status_id, action)
    assert await pin_rows(app) == 0


async def test_a_private_pin_shows_to_followers_only(client: httpx.AsyncClient) -> None:
    """Mastodon pins private statuses since 3.5.0."""
    alice, bob, carol = await users(client, "alice", "bob", "carol")
    await follow(client, bob, alice)
    secret = await post(client, alice, "followers only", visibility="private")
    public = await post(client, alice, "everyone")
    assert (await pin(client, alice, secret["id"]))["pinned"] is True
    await pin(client, alice, public["id"])
    assert await pinned(client, alice, alice) == [public["id"], secret["id"]]
    assert await pinned(client, alice, bob) == [public["id"], secret["id"]]
    assert await pinned(client, alice, carol) == [public["id"]]
    assert await pinned(client, alice) == [public["id"]]


async def test_a_deleted_status_is_unpinned(app: Starlette, client: httpx.AsyncClient) -> None:
    (alice,) = await users(client, "alice")
    doomed = await post(client, alice, "soon gone")
    await pin(client, alice, doomed["id"])
    await home_ids(client, alice)
    await app.state.ctx.settle()
    r = await client.delete(f"/api/v1/statuses/{doomed['id']}", headers=alice.auth)
    assert r.status_code == 200
    assert await pin_rows(app) == 0
    assert await pinned(client, alice) == []
    for i in range(5):  # the deleted one takes none of the five places
        await pin(client, alice, (await post(client, alice, f"post {i}"))["id"])
