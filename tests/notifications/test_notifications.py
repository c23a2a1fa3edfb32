"""Notifications: follow, mention, favourite; filtering, paging, dismiss, clear; following
again; idempotent."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from tests.helpers import User, follow, make_user, post, register_app


async def _types(client: httpx.AsyncClient, user: User, **params: object) -> list[str]:
    r = await client.get("/api/v1/notifications", headers=user.auth, params=params)  # type: ignore[arg-type]
    assert r.status_code == 200, r.text
    return [n["type"] for n in r.json()]


async def test_follow_mention_favourite(app: Starlette, client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    bob = await make_user(client, client_app, "bob")
    await follow(client, bob, alice)
    mention = await post(client, bob, "hey @alice")
    own = await post(client, alice, "mine, and @alice mentions herself")
    await client.post(f"/api/v1/statuses/{own['id']}/favourite", headers=bob.auth)
    await client.post(f"/api/v1/statuses/{own['id']}/favourite", headers=alice.auth)
    await app.state.ctx.events.drain()

    r = await client.get("/api/v1/notifications", headers=alice.auth)
    notes = r.json()
    assert [n["type"] for n in notes] == ["favourite", "mention", "follow"]
    assert all(n["account"]["username"] == "bob" for n in notes)
    assert notes[1]["status"]["id"] == mention["id"]
    assert notes[2]["status"] is None
    assert await _types(client, bob) == []

    assert await _types(client, alice, **{"types[]": "mention"}) == ["mention"]
    assert await _types(client, alice, **{"exclude_types[]": "follow"}) == ["favourite", "mention"]
    page = await client.get("/api/v1/notifications", headers=alice.auth, params={"limit": 1})
    assert 'rel="next"' in page.headers["link"]
    older = await client.get(
        "/api/v1/notifications", headers=alice.auth, params={"max_id": notes[0]["id"]}
    )
    assert [n["type"] for n in older.json()] == ["mention", "follow"]

    one = await client.get(f"/api/v1/notifications/{notes[1]['id']}", headers=alice.auth)
    assert one.json()["type"] == "mention"
    assert (
        await client.get(f"/api/v1/notifications/{notes[1]['id']}", headers=bob.auth)
    ).status_code == 404

    r = await client.post(f"/api/v1/notifications/{notes[0]['id']}/dismiss", headers=alice.auth)
    assert r.status_code == 200
    assert await _types(client, alice) == ["mention", "follow"]
    r = await client.post(f"/api/v1/notifications/{notes[0]['id']}/dismiss", headers=alice.auth)
    assert r.status_code == 404

    await client.delete(f"/api/v1/statuses/{mention['id']}", headers=bob.auth)
    assert await _types(client, alice) == ["follow"]
    await client.post("/api/v1/notifications/clear", headers=alice.auth)
    assert await _types(client, alice) == []


async def _follows(client: httpx.AsyncClient, user: User) -> list[str]:
    r = await client.get("/api/v1/notifications", headers=user.auth, params={"types[]": "follow"})
    return [n["id"] for n in r.json()]


async def test_following_again_notifies_again(app: Starlette, client: httpx.AsyncClient) -> None:
    """As Mastodon: a follow's notification goes with the follow; a new follow notifies anew
    (unread again, above the marker of the first)."""
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    bob = await make_user(client, client_app, "bob")
    drain = app.state.ctx.events.drain
    await follow(client, bob, alice)
    await drain()
    (first,) = await _follows(client, alice)
    await client.post(
        "/api/v1/markers", headers=alice.auth, data={"notifications[last_read_id]": first}
    )
    await client.post(f"/api/v1/accounts/{alice.id}/unfollow", headers=bob.auth)
    await drain()
    assert await _follows(client, alice) == []
    await follow(client, bob, alice)
    await drain()
    (second,) = await _follows(client, alice)
    assert int(second) > int(first)
    r = await client.get("/api/v1/notifications/unread_count", headers=alice.auth)
    assert r.json() == {"count": 1}


async def test_favouriting_again_notifies_again(app: Starlette, client: httpx.AsyncClient) -> None:
    """As Mastodon: an unfavourite takes its notification back, and a new favourite notifies
    anew, even when their events are handled late or twice."""
    from social.notifications.consumer import favourite_created, favourite_deleted
    from social.platform.events.topics import FavouriteCreated, FavouriteDeleted

    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    bob = await make_user(client, client_app, "bob")
    status = (await post(client, alice, "like me"))["id"]
    drain = app.state.ctx.events.drain

    async def favourites() -> list[str]:
        params = {"types[]": "favourite"}
        r = await client.get("/api/v1/notifications", headers=alice.auth, params=params)
        assert r.status_code == 200, r.text
        return [n["id"] for n in r.json()]

    await client.post(f"/api/v1/statuses/{status}/favourite", headers=bob.auth)
    await drain()
    (first,) = await favourites()
    await client.post(f"/api/v1/statuses/{status}/unfavourite", headers=bob.auth)
    await drain()
    assert await favourites() == []
    await client.post(f"/api/v1/statuses/{status}/favourite", headers=bob.auth)
    await drain()
    (second,) = await favourites()
    assert int(second) > int(first)

    ctx = app.state.ctx
    created = FavouriteCreated(int(bob.id), int(status), int(alice.id))
    await favourite_created(ctx, created)  # redelivered: nothing new
    await favourite_deleted(ctx, FavouriteDeleted(int(bob.id), int(status), int(alice.id)))
    assert await favourites() == [second]  # a late unfavourite leaves the current favourite's
    await client.post(f"/api/v1/statuses/{status}/unfavourite", headers=bob.auth)
    await favourite_created(ctx, created)  # handled after the unfavourite: nothing to tell
    await drain()
    assert await favourites() == []


async def test_redelivered_events_notify_once(app: Starlette, client: httpx.AsyncClient) -> None:
    from social.notifications.consumer import follow_created, follow_deleted
    from social.platform.events.topics import FollowCreated, FollowDeleted

    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    bob = await make_user(client, client_app, "bob")
    ctx = app.state.ctx
    # Handled late: the first follow ended before its event came; one notification, the
    # current follow's.
    await follow(client, bob, alice)
    await client.post(f"/api/v1/accounts/{alice.id}/unfollow", headers=bob.auth)
    await follow(client, bob, alice)
    await ctx.events.drain()
    (only,) = await _follows(client, alice)
    # Delivered again, each event of the three: nothing changes.
    await follow_created(ctx, FollowCreated(int(bob.id), int(alice.id)))
    await follow_deleted(ctx, FollowDeleted(int(bob.id), int(alice.id)))
    await follow_created(ctx, FollowCreated(int(bob.id), int(alice.id)))
    assert await _follows(client, alice) == [only]
    # After an unfollow, its follow event again: no notification of a follow that is gone.
    await client.post(f"/api/v1/accounts/{alice.id}/unfollow", headers=bob.auth)
    await ctx.events.drain()
    await follow_created(ctx, FollowCreated(int(bob.id), int(alice.id)))
    assert await _follows(client, alice) == []


async def test_notifications_need_a_user_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/notifications")).status_code == 401
