"""Mastodon's rate limits on the app: headers, 429s, sign-up and sign-in limits, proxies."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from starlette.applications import Starlette

from social.platform.db.models import Account
from tests.conftest import MakeApp
from tests.helpers import PASSWORD, app_token, bearer, make_user, register_app


def client_for(app: Starlette, ip: str = "203.0.113.7") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://localhost:8000")


async def test_headers_on_api_responses(make_app: MakeApp) -> None:
    app = await make_app(ratelimit_scale=1.0)
    async with client_for(app) as c:
        r = await c.get("/api/v1/instance")
    assert r.status_code == 200
    assert r.headers["ratelimit-policy"].startswith('"api-')
    assert "ratelimit" in r.headers
    assert r.headers["x-ratelimit-limit"] == "300"
    assert int(r.headers["x-ratelimit-remaining"]) == 299
    assert r.headers["x-ratelimit-reset"].endswith("Z")


async def test_sign_up_is_limited_per_address_and_nothing_is_written(make_app: MakeApp) -> None:
    app = await make_app(ratelimit_scale=0.2)  # sign-up: 1 per 30 minutes per address
    async with client_for(app) as c:
        token = await app_token(c, await register_app(c))
        body = {"email": "a@example.com", "password": PASSWORD, "agreement": True}
        first = await c.post(
            "/api/v1/accounts", headers=bearer(token), json={**body, "username": "first"}
        )
        assert first.status_code == 200
        second = await c.post(
            "/api/v1/accounts",
            headers=bearer(token),
            json={**body, "username": "second", "email": "b@example.com"},
        )
        assert second.status_code == 429
        assert second.json() == {"error": "Too many requests"}
        assert int(second.headers["retry-after"]) > 0
    async with client_for(app, ip="198.51.100.9") as other:  # another address is not limited
        token = await app_token(other, await register_app(other))
        third = await other.post(
            "/api/v1/accounts",
            headers=bearer(token),
            json={**body, "username": "third", "email": "c@example.com"},
        )
        assert third.status_code == 200
    async with app.state.ctx.db() as db:
        names = set((await db.execute(select(Account.username))).scalars())
        assert names == {"first", "third"}
        assert (await db.execute(select(func.count()).select_from(Account))).scalar() == 2


async def test_reads_are_limited_per_account(make_app: MakeApp) -> None:
    app = await make_app(ratelimit_scale=0.01)  # api: 3 per 5 minutes per account
    async with client_for(app) as c:
        client_app = await register_app(c)
        alice = await make_user(c, client_app, "alice")
    # Each account and address pair fresh: a new address, alice's token.
    async with client_for(app, ip="198.51.100.20") as c:
        codes = [
            (await c.get("/api/v1/timelines/home", headers=alice.auth)).status_code
            for _ in range(4)
        ]
    assert codes[:2] == [200, 200]
    assert codes[-1] == 429
    async with client_for(app, ip="192.0.2.1") as c:
        metrics = (await c.get("/metrics")).text
    assert 'social_ratelimit_decisions_total{allowed="false",policy="api-account"' in metrics


async def test_sign_in_is_limited_per_account_name(make_app: MakeApp) -> None:
    app = await make_app(ratelimit_scale=0.2)  # sign-in: 5 per hour per username
    async with client_for(app) as c:
        client_app = await register_app(c)
        creds = {
            "grant_type": "password",
            "client_id": client_app.client_id,
            "client_secret": client_app.client_secret,
            "username": "victim@example.com",
        }
        codes = []
        for i in range(6):
            async with client_for(app, ip=f"198.51.100.{100 + i}") as attacker:
                r = await attacker.post("/oauth/token", data={**creds, "password": f"guess{i}"})
                codes.append(r.status_code)
    assert codes[:5] == [400] * 5  # wrong password, from five addresses
    assert codes[5] == 429  # the sixth guess at the same account is refused


async def test_forwarded_for_counts_only_from_trusted_proxies(make_app: MakeApp) -> None:
    app = await make_app(ratelimit_scale=0.2, trusted_proxies="10.0.0.0/8")
    forwarded = {"X-Forwarded-For": "198.51.100.50"}
    async with client_for(app, ip="10.1.2.3") as via_proxy:
        token = await app_token(via_proxy, await register_app(via_proxy))
        body = {"password": PASSWORD, "agreement": True}
        r = await via_proxy.post(
            "/api/v1/accounts",
            headers={**bearer(token), **forwarded},
            json={**body, "username": "p1", "email": "p1@example.com"},
        )
        assert r.status_code == 200
        r = await via_proxy.post(  # another client behind the same proxy: its own budget
            "/api/v1/accounts",
            headers={**bearer(token), "X-Forwarded-For": "198.51.100.51"},
            json={**body, "username": "p2", "email": "p2@example.com"},
        )
        assert r.status_code == 200
    async with client_for(app, ip="203.0.113.99") as direct:  # untrusted: header ignored
        token = await app_token(direct, await register_app(direct))
        for n in (3, 4):
            r = await direct.post(
                "/api/v1/accounts",
                headers={**bearer(token), "X-Forwarded-For": f"198.51.100.{n}"},
                json={**body, "username": f"p{n}", "email": f"p{n}@example.com"},
            )
        assert r.status_code == 429
