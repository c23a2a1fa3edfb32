"""Instance, health, readiness, metrics, OpenAPI, and the profile cache."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from social.platform.redis.client import AnyRedis
from tests.conftest import MakeApp, single_server
from tests.helpers import bearer, register_app, register_user


async def test_instance_v1_and_v2(client: httpx.AsyncClient) -> None:
    v1 = (await client.get("/api/v1/instance")).json()
    assert v1["version"] == "4.3.0 (compatible; social 0.1.0)"
    assert v1["configuration"]["statuses"]["max_characters"] == 500
    assert v1["registrations"] is True
    assert v1["urls"] == {"streaming_api": "ws://localhost:8000"}  # Mastodon's v1 name
    v2 = (await client.get("/api/v2/instance")).json()
    assert v2["domain"] == "localhost:8000"
    assert v2["registrations"]["enabled"] is True
    assert v2["configuration"]["urls"]["streaming"] == "ws://localhost:8000"


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


async def test_readiness_fails_without_redis(make_app: MakeApp) -> None:
    app: Starlette = await make_app(redis_url="redis://127.0.0.1:1", redis_timeout_s=0.2)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.get("/readyz")
        assert r.status_code == 503
        assert r.json()["checks"]["redis"].startswith("error")
        assert r.json()["checks"]["database"] == "ok"


async def test_openapi_describes_every_endpoint(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path, method in [
        ("/api/v1/apps", "post"),
        ("/oauth/token", "post"),
        ("/api/v1/accounts", "post"),
        ("/api/v1/accounts/{id}", "get"),
        ("/api/v1/accounts/update_credentials", "patch"),
        ("/api/v1/sessions/{id}", "delete"),
        ("/api/v1/instance", "get"),
    ]:
        assert method in paths[path], (path, method)
    register = paths["/api/v1/accounts"]["post"]
    schema_ref = register["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    model = spec["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert {"username", "email", "password", "agreement"} <= set(model["required"])
    assert "422" in register["responses"]


async def test_profile_cache_hits_and_invalidation(
    app: Starlette, client: httpx.AsyncClient, redis: AnyRedis
) -> None:
    token = (await register_user(client, await register_app(client), "cached"))["access_token"]
    me = (await client.get("/api/v1/accounts/verify_credentials", headers=bearer(token))).json()
    key = app.state.ctx.keys.account(int(me["id"]))
    assert await redis.get(key) is None
    first = await client.get(f"/api/v1/accounts/{me['id']}")
    assert await redis.get(key) is not None
    assert 0 < await redis.ttl(key) <= 3600
    second = await client.get(f"/api/v1/accounts/{me['id']}")
    assert first.json() == second.json()

    metrics = (await client.get("/metrics")).text
    route = 'social_http_requests_total{method="GET",route="/api/v1/accounts/{id}",status="200"}'
    assert f"{route} 2.0" in metrics
    assert 'social_cache_requests_total{cache="account",result="hit"} 1.0' in metrics
    assert 'social_cache_requests_total{cache="account",result="miss"} 1.0' in metrics

    await client.patch(
        "/api/v1/accounts/update_credentials", headers=bearer(token), json={"note": "new"}
    )
    third = await client.get(f"/api/v1/accounts/{me['id']}")
    assert third.json()["note"] == "<p>new</p>"


@single_server
async def test_batch_read_is_one_round_trip(app: Starlette, client: httpx.AsyncClient) -> None:
    from social.accounts.render import accounts_json

    client_app = await register_app(client)
    ids = []
    for name in ("b1", "b2", "b3"):
        token = (await register_user(client, client_app, name))["access_token"]
        me = await client.get("/api/v1/accounts/verify_credentials", headers=bearer(token))
        ids.append(int(me.json()["id"]))
    ctx = app.state.ctx
    await accounts_json(ctx, ids)  # fill

    def calls(stats: dict[str, Any], command: str) -> int:
        return int(stats.get(f"cmdstat_{command}", {}).get("calls", 0))

    before = await ctx.redis.info("commandstats")
    found = await accounts_json(ctx, ids)
    after = await ctx.redis.info("commandstats")
    assert set(found) == set(ids)
    assert calls(after, "mget") - calls(before, "mget") == 1  # one MGET for three accounts
    assert calls(after, "get") == calls(before, "get")


async def test_public_reads_survive_a_redis_outage(make_app: MakeApp) -> None:
    healthy: Starlette = await make_app()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=healthy), base_url="http://t"
    ) as c:
        token = (await register_user(c, await register_app(c), "sturdy"))["access_token"]
        me = (await c.get("/api/v1/accounts/verify_credentials", headers=bearer(token))).json()

    broken: Starlette = await make_app(redis_url="redis://127.0.0.1:1", redis_timeout_s=0.2)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=broken), base_url="http://t"
    ) as c:
        public = await c.get(f"/api/v1/accounts/{me['id']}")
        assert public.status_code == 200
        assert public.json()["username"] == "sturdy"
        needs_session = await c.get("/api/v1/accounts/verify_credentials", headers=bearer(token))
        assert needs_session.status_code == 503
        assert needs_session.json()["error"] == "Service temporarily unavailable"
        assert int(needs_session.headers["Retry-After"]) > 0
        metrics = (await c.get("/metrics")).text
        assert 'social_redis_errors_total{where="cache.account.get"}' in metrics
