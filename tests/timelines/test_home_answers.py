"""The home timeline answers the same with and without the in-process cache.

Two apps on the same database and Redis, one keeping tokens, statuses, accounts and favourite
flags in process memory (social/platform/redis/near_cache.py) and one asking Redis each time,
are asked the same things; status, body and headers must match (the rate-limit counts aside:
both apps count against the same keys, so they are compared by name and policy).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from tests.conftest import MakeApp
from tests.helpers import (
    app_token,
    bearer,
    follow,
    home_ids,
    make_user,
    post,
    register_app,
)

COUNTING = {"ratelimit", "x-ratelimit-remaining", "x-ratelimit-reset"}
VOLATILE = {"date", "server"}


def client_for(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://social.test")


def shape(r: httpx.Response) -> dict[str, Any]:
    headers = {
        k: (v if k not in COUNTING else "<counted>")
        for k, v in r.headers.items()
        if k not in VOLATILE
    }
    return {"status": r.status_code, "body": r.json(), "headers": headers}


@pytest.fixture
async def two_apps(make_app: MakeApp) -> tuple[Starlette, Starlette]:
    near = await make_app()
    far = await make_app(near_cache_entries=0)
    assert near.state.ctx.near is not None or not _single_server(near)
    assert far.state.ctx.near is None
    return near, far


def _single_server(app: Starlette) -> bool:
    from social.platform.redis.multiplex import MultiplexedRedis

    return isinstance(app.state.ctx.redis, MultiplexedRedis)


async def test_with_and_without_the_near_cache_the_same_answers(
    two_apps: tuple[Starlette, Starlette],
) -> None:
    near_app, far_app = two_apps
    async with client_for(near_app) as near, client_for(far_app) as far:
        client_app = await register_app(near)
        alice = await make_user(near, client_app, "alice")
        bob = await make_user(near, client_app, "bob")
        await follow(near, bob, alice)
        await home_ids(near, bob)  # builds bob's feed
        await near_app.state.ctx.events.drain()
        posted = [await post(near, alice, f"post {i} #near") for i in range(8)]
        await near_app.state.ctx.events.drain()
        await near.post(f"/api/v1/statuses/{posted[3]['id']}/favourite", headers=bob.auth)
        await near_app.state.ctx.events.drain()
        app_only = await app_token(near, client_app)
        write_only = await app_token(near, client_app, "write")
        mid = posted[4]["id"]
        asks: list[tuple[str, dict[str, str]]] = [
            ("", bob.auth),
            ("?limit=3", bob.auth),
            (f"?max_id={mid}&limit=2", bob.auth),
            (f"?min_id={posted[1]['id']}&limit=2", bob.auth),
            (f"?since_id={posted[5]['id']}", bob.auth),
            (f"?max_id={mid}&since_id={posted[1]['id']}&min_id=", bob.auth),
            ("?limit=100", bob.auth),
            ("?limit=0", bob.auth),
            ("?limit=many", bob.auth),
            ("?max_id=-4", bob.auth),
            ("?max_id=1&max_id=2", bob.auth),
            ("", alice.auth),  # her own posts
            ("", {}),  # no token: 401
            ("", bearer("not-a-token")),
            ("", bearer("x" * 43)),  # shaped like a token, but none
            ("", {"Authorization": "bearer " + bob.token}),  # scheme in any case
            ("", {"Authorization": "Basic Ym9iOnB3"}),  # another scheme: anonymous, 401
            ("", bearer(app_only)),  # an app, not a user: 422
            ("", bearer(write_only)),  # no read scope: 403
        ]
        for query, headers in asks:
            url = f"/api/v1/timelines/home{query}"
            got = shape(await near.get(url, headers=headers))
            want = shape(await far.get(url, headers=headers))
            assert got == want, url
        seen = await near.get("/api/v1/timelines/home", headers=bob.auth)
        assert [s["id"] for s in seen.json()] == [p["id"] for p in reversed(posted)]
        assert [s["favourited"] for s in seen.json()].count(True) == 1
        assert "ratelimit-policy" in seen.headers


async def test_a_request_with_a_body_over_the_limit_is_refused(make_app: MakeApp) -> None:
    app = await make_app(max_body_bytes=2000)
    async with client_for(app) as client:
        client_app = await register_app(client)
        bob = await make_user(client, client_app, "bob")
        r = await client.request(
            "GET", "/api/v1/timelines/home", headers=bob.auth, content=b"x" * 5000
        )
        assert r.status_code == 413
        assert r.json() == {"error": "Request entity too large"}


async def test_home_refuses_over_the_rate_limit_and_counts_its_requests(
    make_app: MakeApp,
) -> None:
    app = await make_app(ratelimit_scale=0.01)  # 3 API requests in 5 minutes
    async with client_for(app) as client:
        client_app = await register_app(client)
        bob = await make_user(client, client_app, "bob")  # verify_credentials took one
        answers = [await client.get("/api/v1/timelines/home", headers=bob.auth) for _ in range(3)]
        assert [r.status_code for r in answers] == [200, 200, 429]
        assert [r.headers["x-ratelimit-remaining"] for r in answers] == ["1", "0", "0"]
        refused = answers[-1]
        assert refused.json() == {"error": "Too many requests"}
        assert int(refused.headers["retry-after"]) > 0
        metrics = (await client.get("/metrics")).text
        route = 'method="GET",route="/api/v1/timelines/home"'
        assert f'social_http_requests_total{{{route},status="200"}} 2.0' in metrics
        assert f'social_http_requests_total{{{route},status="429"}} 1.0' in metrics
