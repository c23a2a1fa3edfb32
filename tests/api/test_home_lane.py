"""The home timeline's lane (social/home_lane.py) answers as the full stack does.

Two apps on the same database and Redis, one with the lane and one without, are asked the
same things; status, body and headers must match (the rate-limit counts aside: both apps
count against the same keys, so they are compared by name and policy).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from tests.api.helpers import (
    app_token,
    bearer,
    follow,
    home_ids,
    make_user,
    post,
    register_app,
)
from tests.conftest import MakeApp

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
    lane = await make_app(home_lane=True)
    stack = await make_app(home_lane=False)
    assert getattr(lane, "home_lane", None) is not None or not _single_server(lane)
    assert getattr(stack, "home_lane", None) is None
    return lane, stack


def _single_server(app: Starlette) -> bool:
    from social.platform.redis.multiplex import MultiplexedRedis

    return isinstance(app.state.ctx.redis, MultiplexedRedis)


async def test_lane_and_stack_give_the_same_answers(two_apps: tuple[Starlette, Starlette]) -> None:
    lane_app, stack_app = two_apps
    async with client_for(lane_app) as lane, client_for(stack_app) as stack:
        client_app = await register_app(lane)
        alice = await make_user(lane, client_app, "alice")
        bob = await make_user(lane, client_app, "bob")
        await follow(lane, bob, alice)
        await home_ids(lane, bob)  # builds bob's feed
        await lane_app.state.ctx.events.drain()
        posted = [await post(lane, alice, f"post {i} #lane") for i in range(8)]
        await lane_app.state.ctx.events.drain()
        await lane.post(f"/api/v1/statuses/{posted[3]['id']}/favourite", headers=bob.auth)
        await lane_app.state.ctx.events.drain()
        app_only = await app_token(lane, client_app)
        write_only = await app_token(lane, client_app, "write")
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
            ("", {}),  # no token: the stack's 401
            ("", bearer("not-a-token")),
            ("", bearer("x" * 43)),  # shaped like a token, but none
            ("", {"Authorization": "bearer " + bob.token}),  # scheme in any case
            ("", {"Authorization": "Basic Ym9iOnB3"}),  # another scheme: the stack's
            ("", bearer(app_only)),  # an app, not a user: 422
            ("", bearer(write_only)),  # no read scope: 403
        ]
        for query, headers in asks:
            url = f"/api/v1/timelines/home{query}"
            got = shape(await lane.get(url, headers=headers))
            want = shape(await stack.get(url, headers=headers))
            assert got == want, url
        seen = await lane.get("/api/v1/timelines/home", headers=bob.auth)
        assert [s["id"] for s in seen.json()] == [p["id"] for p in reversed(posted)]
        assert [s["favourited"] for s in seen.json()].count(True) == 1
        assert "ratelimit-policy" in seen.headers


async def test_a_request_with_a_body_goes_the_normal_way(make_app: MakeApp) -> None:
    app = await make_app(max_body_bytes=2000)
    async with client_for(app) as client:
        client_app = await register_app(client)
        bob = await make_user(client, client_app, "bob")
        r = await client.request(
            "GET", "/api/v1/timelines/home", headers=bob.auth, content=b"x" * 5000
        )
        assert r.status_code == 413  # the body limit, which only the stack has
        assert r.json() == {"error": "Request entity too large"}


async def test_the_lane_refuses_over_the_rate_limit_and_counts_its_requests(
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
