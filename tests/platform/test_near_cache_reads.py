"""What users see stays right while statuses, accounts, tokens and favourite flags are served
from process memory (social/near_cache.py): a revoked token stops at once, a count changed by
another user shows on the next read, a favourite made here or in another process shows on the
next read, and a token in use still slides its idle expiry."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette

from sessions.tokens import token_hash
from social.platform.redis.client import AnyRedis
from tests.conftest import MakeApp, single_server
from tests.helpers import followed, make_user, post, register_app

pytestmark = single_server  # the in-process cache needs the multiplexed connection


def client_for(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://social.test")


async def test_a_revoked_token_stops_working_at_once(make_app: MakeApp) -> None:
    app = await make_app()
    async with client_for(app) as client:
        client_app = await register_app(client)
        bob = await make_user(client, client_app, "bob")
        for _ in range(3):  # read from Redis once, then from the process
            assert (await client.get("/api/v1/timelines/home", headers=bob.auth)).status_code == 200
        near = app.state.ctx.near
        assert near is not None
        assert near.get(app.state.ctx.tokens.session_key(bob.token)) is not None
        creds = {"client_id": client_app.client_id, "client_secret": client_app.client_secret}
        r = await client.post("/oauth/revoke", data={**creds, "token": bob.token})
        assert r.status_code == 200
        r = await client.get("/api/v1/timelines/home", headers=bob.auth)
        assert r.status_code == 401
        assert r.json() == {"error": "The access token is invalid"}


async def test_a_token_revoked_by_another_process_stops_working(
    make_app: MakeApp, redis: AnyRedis
) -> None:
    app = await make_app()
    async with client_for(app) as client:
        bob = await make_user(client, await register_app(client), "bob")
        for _ in range(2):
            assert (await client.get("/api/v1/timelines/home", headers=bob.auth)).status_code == 200
        other = await make_app()  # another server process on the same Redis
        async with client_for(other) as elsewhere:
            r = await elsewhere.post(
                "/api/v1/statuses", headers=bob.auth, json={"status": "still me"}
            )
            assert r.status_code == 200
        await other.state.ctx.tokens.revoke(bob.token)
        deadline = asyncio.get_running_loop().time() + 2
        while (await client.get("/api/v1/timelines/home", headers=bob.auth)).status_code != 401:
            assert asyncio.get_running_loop().time() < deadline, "the revoked token still works"
            await asyncio.sleep(0.01)


async def test_counts_changed_by_others_show_on_the_next_read(make_app: MakeApp) -> None:
    app = await make_app()
    async with client_for(app) as client:
        alice, (bob,) = await followed(client, "alice", "bob")
        await app.state.ctx.events.drain()
        status = await post(client, alice, "count me")
        await app.state.ctx.events.drain()
        first = (await client.get("/api/v1/timelines/home", headers=bob.auth)).json()
        assert (first[0]["id"], first[0]["favourites_count"]) == (status["id"], 0)
        assert first[0]["account"]["statuses_count"] == 1
        await client.post(f"/api/v1/statuses/{status['id']}/favourite", headers=alice.auth)
        await post(client, alice, "and another")  # her account's count changes
        await app.state.ctx.events.drain()
        second = (await client.get("/api/v1/timelines/home", headers=bob.auth)).json()
        assert second[-1]["favourites_count"] == 1
        assert second[0]["account"]["statuses_count"] == 2


async def test_favourites_show_on_the_next_read_from_this_process_or_another(
    make_app: MakeApp,
) -> None:
    app = await make_app()
    other = await make_app()  # another server process on the same Redis and database
    async with client_for(app) as client, client_for(other) as elsewhere:
        alice, (bob,) = await followed(client, "alice", "bob")
        await app.state.ctx.events.drain()
        first = await post(client, alice, "one")
        second = await post(client, alice, "two")
        await app.state.ctx.events.drain()

        async def flags() -> dict[str, bool]:
            r = await client.get("/api/v1/timelines/home", headers=bob.auth)
            assert r.status_code == 200
            return {s["id"]: s["favourited"] for s in r.json()}

        await flags()
        await app.state.ctx.settle()  # the favourites set, rebuilt after the first read
        near = app.state.ctx.near
        assert near is not None
        expected = {first["id"]: False, second["id"]: False}
        assert await flags() == expected
        assert near.get(app.state.ctx.keys.favourites(int(bob.id))) is not None
        assert await flags() == expected  # from process memory

        url = f"/api/v1/statuses/{first['id']}"
        assert (await client.post(url + "/favourite", headers=bob.auth)).status_code == 200
        assert await flags() == {**expected, first["id"]: True}
        await app.state.ctx.settle()
        assert await flags() == {**expected, first["id"]: True}

        r = await elsewhere.post(f"/api/v1/statuses/{second['id']}/favourite", headers=bob.auth)
        assert r.status_code == 200
        r = await elsewhere.post(url + "/unfavourite", headers=bob.auth)
        assert r.status_code == 200
        deadline = asyncio.get_running_loop().time() + 2
        while (seen := await flags()) != {first["id"]: False, second["id"]: True}:
            assert asyncio.get_running_loop().time() < deadline, f"stale favourites: {seen}"
            await asyncio.sleep(0.01)


async def test_a_token_in_use_slides_its_idle_expiry(make_app: MakeApp, redis: AnyRedis) -> None:
    # Idle timeout 20 s: a cached token is touched once 2 s (a tenth) have passed.
    app = await make_app(access_idle_ttl_s=20)
    async with client_for(app) as client:
        bob = await make_user(client, await register_app(client), "bob")
        key = app.state.ctx.tokens.keys.session(token_hash(bob.token))

        async def last_seen_ms() -> int:
            return int(await redis.hget(key, "last_seen_ms"))

        assert (await client.get("/api/v1/timelines/home", headers=bob.auth)).status_code == 200
        before = await last_seen_ms()
        await asyncio.sleep(2.2)
        for _ in range(3):
            assert (await client.get("/api/v1/timelines/home", headers=bob.auth)).status_code == 200
        await app.state.ctx.settle()
        assert await last_seen_ms() >= before + 2000
        assert 18 <= await redis.ttl(key) <= 20
