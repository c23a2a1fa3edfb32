"""The middleware on a tiny Starlette app: headers, 429s, keys, proxies, Redis outages."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ratelimit import (
    ClientIP,
    Decision,
    Limit,
    Limiter,
    Policy,
    RateLimitMiddleware,
    by_account,
    by_body_field,
    by_ip,
    mastodon_policies,
)


class User(BaseUser):
    def __init__(self, account_id: str) -> None:
        self.account_id = account_id

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def identity(self) -> str:
        return self.account_id


class HeaderAuth(AuthenticationBackend):
    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        account = conn.headers.get("x-account")
        return (AuthCredentials(["read"]), User(account)) if account else None


def build_app(limiter: Limiter, policies: Sequence[Policy], **options: Any) -> Starlette:
    async def things(request: Request) -> JSONResponse:
        decisions = getattr(request.state, "ratelimit", [])
        return JSONResponse({"checked": [d.policy for d in decisions]})

    async def echo(request: Request) -> Response:
        return Response(await request.body(), media_type=request.headers.get("content-type"))

    return Starlette(
        routes=[
            Route("/api/v1/things", things),
            Route("/api/v1/statuses/{id}", things, methods=["DELETE"]),
            Route("/oauth/token", echo, methods=["POST"]),
            Route("/about", things),
        ],
        middleware=[
            Middleware(AuthenticationMiddleware, backend=HeaderAuth()),
            Middleware(RateLimitMiddleware, limiter=limiter, policies=policies, **options),
        ],
    )


def http_client(app: Starlette, peer: str = "192.0.2.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(peer, 4711))
    return httpx.AsyncClient(transport=transport, base_url="http://social.test")


API_BY_IP = Policy("api", [Limit(2, 60)], by_ip, paths=["/api/*"], strategy="sliding-log")


async def test_headers_on_allowed_and_refused_responses(
    make_limiter: Callable[..., Limiter],
) -> None:
    app = build_app(make_limiter(), [API_BY_IP])
    async with http_client(app) as http:
        first = await http.get("/api/v1/things")
        second = await http.get("/api/v1/things")
        refused = await http.get("/api/v1/things")
        unlimited = await http.get("/about")

    assert first.status_code == 200
    assert first.json() == {"checked": ["api"]}
    assert first.headers["RateLimit-Policy"] == '"api";q=2;w=60'
    assert first.headers["RateLimit"] == '"api";r=1;t=60'
    assert first.headers["X-RateLimit-Limit"] == "2"
    assert first.headers["X-RateLimit-Remaining"] == "1"
    reset = datetime.fromisoformat(first.headers["X-RateLimit-Reset"])
    assert reset.tzinfo == UTC
    assert 58 < (reset - datetime.now(UTC)).total_seconds() <= 60
    assert second.headers["RateLimit"] == '"api";r=0;t=60'

    assert refused.status_code == 429
    assert refused.json() == {"error": "Too many requests"}
    assert refused.headers["content-type"] == "application/json"
    assert 58 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.headers["RateLimit"].startswith('"api";r=0;t=')
    assert "RateLimit" not in unlimited.headers


async def test_the_most_restrictive_policy_is_reported(
    make_limiter: Callable[..., Limiter],
) -> None:
    rejected: list[Decision] = []
    policies = [
        Policy("api", [Limit(100, 60)], by_ip, paths=["/api/*"]),
        Policy(
            "deletes",
            [Limit(2, 60)],
            by_account,
            paths=["/api/v1/statuses/:id"],
            methods=["DELETE"],
        ),
    ]
    app = build_app(make_limiter(), policies, on_reject=lambda scope, d: rejected.append(d))
    async with http_client(app) as http:
        me = {"X-Account": "42"}
        listed = await http.get("/api/v1/things", headers=me)
        deletes = [await http.delete(f"/api/v1/statuses/{i}", headers=me) for i in range(3)]
        anonymous = await http.delete("/api/v1/statuses/9")

    assert listed.headers["RateLimit-Policy"] == '"api";q=100;w=60'
    assert deletes[0].json() == {"checked": ["api", "deletes"]}
    assert deletes[0].headers["RateLimit-Policy"] == '"deletes";q=2;w=60'
    assert deletes[1].headers["X-RateLimit-Remaining"] == "0"
    assert deletes[2].status_code == 429
    assert [(d.policy, d.allowed) for d in rejected] == [("deletes", False)]
    assert anonymous.status_code == 200  # no account: only the per-IP policy applies
    assert anonymous.headers["RateLimit-Policy"] == '"api";q=100;w=60'


async def test_sign_in_is_limited_per_username_from_any_ip_and_the_app_still_gets_the_body(
    make_limiter: Callable[..., Limiter],
) -> None:
    per_login = Policy(
        "sign-in-account",
        [Limit(2, 3600)],
        by_body_field("username", "user[email]"),
        paths=["/oauth/token"],
        methods=["POST"],
        strategy="sliding-log",
    )
    app = build_app(make_limiter(), [per_login])
    form = "grant_type=password&username=Alice%40example.com&password=hunter2"
    async with http_client(app, "192.0.2.1") as a, http_client(app, "198.51.100.2") as b:
        by_form = await a.post(
            "/oauth/token",
            content=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        by_json = await b.post("/oauth/token", json={"user": {"email": "alice@EXAMPLE.com"}})
        third = await b.post("/oauth/token", data={"username": " alice@example.com "})
        other = await a.post("/oauth/token", data={"username": "bob"})

    assert by_form.status_code == 200
    assert by_form.text == form  # the body was buffered and replayed, not consumed
    assert json.loads(by_json.content) == {"user": {"email": "alice@EXAMPLE.com"}}
    assert third.status_code == 429
    assert other.status_code == 200


async def test_forwarded_for_counts_only_behind_a_trusted_proxy(
    make_limiter: Callable[..., Limiter],
) -> None:
    one = [Policy("api", [Limit(1, 60)], by_ip, paths=["/api/*"])]
    untrusting = build_app(make_limiter(), one)
    trusting = build_app(make_limiter(prefix="t:"), one, client_ip=ClientIP(["10.0.0.0/8"]))

    async def statuses(app: Starlette, forwarded: list[str]) -> list[int]:
        async with http_client(app, "10.0.0.1") as http:
            return [
                (await http.get("/api/v1/things", headers={"X-Forwarded-For": ip})).status_code
                for ip in forwarded
            ]

    assert await statuses(untrusting, ["1.1.1.1", "2.2.2.2"]) == [200, 429]
    assert await statuses(trusting, ["1.1.1.1", "2.2.2.2", "9.9.9.9, 2.2.2.2"]) == [200, 200, 429]


async def test_ipv6_clients_share_a_bucket_per_64(make_limiter: Callable[..., Limiter]) -> None:
    app = build_app(make_limiter(), [Policy("api", [Limit(1, 60)], by_ip, paths=["/api/*"])])

    async def status(peer: str) -> int:
        async with http_client(app, peer) as http:
            return (await http.get("/api/v1/things")).status_code

    assert await status("2001:db8:0:1::a") == 200
    assert await status("2001:db8:0:1:ffff::b") == 429
    assert await status("2001:db8:0:2::a") == 200


async def test_redis_down_fails_open_for_the_api_and_falls_back_for_sign_in(
    dead_redis: Redis,
) -> None:
    errors: list[Exception] = []
    limiter = Limiter(dead_redis, timeout_s=0.3, on_store_error=errors.append)
    app = build_app(limiter, mastodon_policies(scale=0.1))  # sign-in: 2 per 5 minutes per IP
    async with http_client(app) as http:
        api = [await http.get("/api/v1/things") for _ in range(40)]
        sign_in = [
            (await http.post("/oauth/token", data={"username": "a", "password": "b"})).status_code
            for _ in range(4)
        ]

    assert {r.status_code for r in api} == {200}
    assert "RateLimit" not in api[0].headers  # fail-open decisions know nothing to report
    assert sign_in == [200, 200, 429, 429]
    assert errors


async def test_the_api_limit_per_ip_counts_only_requests_without_an_account(
    make_limiter: Callable[..., Limiter],
) -> None:
    """As Mastodon: people behind one address are limited by their accounts, not together."""
    app = build_app(make_limiter(), mastodon_policies(scale=0.01))  # API: 3 per 5 minutes
    async with http_client(app) as http:  # every request from 192.0.2.1
        first = [await http.get("/api/v1/things", headers={"X-Account": "1"}) for _ in range(3)]
        second = [await http.get("/api/v1/things", headers={"X-Account": "2"}) for _ in range(3)]
        anonymous = [await http.get("/api/v1/things") for _ in range(4)]
        over = await http.get("/api/v1/things", headers={"X-Account": "1"})

    assert [r.status_code for r in first + second] == [200] * 6
    assert first[0].json() == {"checked": ["api-account"]}
    assert [r.status_code for r in anonymous] == [200, 200, 200, 429]
    assert anonymous[0].json() == {"checked": ["api-ip"]}
    assert over.status_code == 429
    assert over.headers["RateLimit-Policy"] == '"api-account";q=3;w=300'


def test_mastodon_policies_match_the_documented_routes() -> None:
    policies = mastodon_policies()

    def names(method: str, path: str) -> list[str]:
        return [p.name for p in policies if p.matches(method, path)]

    api = ["api-account", "api-ip"]
    assert names("GET", "/api/v1/timelines/home") == api
    assert names("POST", "/api/v1/statuses") == [*api, "statuses-post"]
    assert names("DELETE", "/api/v1/statuses/109") == [*api, "statuses-delete"]
    assert names("POST", "/api/v1/accounts") == [*api, "sign-up-ip"]
    assert names("POST", "/oauth/token") == ["sign-in-ip", "sign-in-account"]
    assert names("POST", "/auth/sign_in") == ["sign-in-ip", "sign-in-account"]
    assert names("GET", "/oauth/token") == []
    assert names("POST", "/api/v2/media") == [*api, "media-upload"]
    assert names("PUT", "/api/v1/media/109") == api
    limits = {p.name: [(lim.amount, lim.window_s) for lim in p.limits] for p in policies}
    assert limits == {
        "api-account": [(300, 300)],
        "api-ip": [(300, 300)],
        "sign-in-ip": [(25, 300)],
        "sign-in-account": [(25, 3600)],
        "sign-up-ip": [(5, 1800)],
        "statuses-delete": [(30, 1800)],
        "statuses-post": [(300, 10800)],
        "media-upload": [(30, 1800)],
    }
