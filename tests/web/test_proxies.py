"""Behind a TLS-terminating reverse proxy: what it says (`X-Forwarded-Proto`, `-For`) counts
only from the proxies `SOCIAL_TRUSTED_PROXIES` names, and then the URLs written from the request
say https; the URLs in entities come from the domain (and `SOCIAL_HTTPS`)."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from social.config import Settings
from tests.conftest import MakeApp
from tests.helpers import app_token, bearer, make_user, post, register_app
from tests.web.test_bad_input import GOOD

FORWARDED = {"x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.9"}


def client_from(app: Starlette, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://social.example")


async def next_page(app: Starlette, address: str, headers: dict[str, str]) -> str:
    async with client_from(app, address) as http:
        r = await http.get("/api/v1/timelines/public", headers=headers)
        assert r.status_code == 200, r.text
        return r.headers["link"]


@pytest.fixture
async def proxied(make_app: MakeApp) -> Starlette:
    app = await make_app(domain="social.example", trusted_proxies="10.0.0.0/8, 127.0.0.1")
    async with client_from(app, "127.0.0.1") as http:
        await post(http, await make_user(http, await register_app(http), "alice"), "hello")
    return app


async def test_a_trusted_proxy_makes_request_urls_https(proxied: Starlette) -> None:
    link = await next_page(proxied, "10.1.2.3", FORWARDED)
    assert link.startswith("<https://social.example/api/v1/timelines/public?max_id=")
    assert "http://" not in link


async def test_anyone_else_saying_so_changes_nothing(proxied: Starlette) -> None:
    link = await next_page(proxied, "198.51.100.7", FORWARDED)
    assert link.startswith("<http://social.example/api/v1/timelines/public?max_id=")
    assert "https://" not in link


async def test_without_trusted_proxies_the_header_is_ignored(make_app: MakeApp) -> None:
    app = await make_app(domain="social.example")
    async with client_from(app, "127.0.0.1") as http:
        await post(http, await make_user(http, await register_app(http), "alice"), "hello")
    link = await next_page(app, "127.0.0.1", FORWARDED)
    assert link.startswith("<http://social.example/")


async def test_the_client_address_is_the_proxys_word_for_rate_limits(
    make_app: MakeApp,
) -> None:
    """Sign-ups are limited per address (5 in 30 minutes): behind the proxy, per the address it
    forwards, not the proxy's own."""
    app = await make_app(domain="social.example", trusted_proxies="10.0.0.0/8", ratelimit_scale=1)
    async with client_from(app, "10.0.0.2") as http:
        token = await app_token(http, await register_app(http))

        async def sign_up(name: str, address: str) -> int:
            form = {**GOOD, "username": name, "email": f"{name}@example.com"}
            headers = {**bearer(token), "x-forwarded-for": address}
            return (await http.post("/api/v1/accounts", headers=headers, data=form)).status_code

        first = [await sign_up(f"first{n}", "203.0.113.1") for n in range(6)]
        assert first == [200] * 5 + [429]
        assert await sign_up("second", "203.0.113.2") == 200


@pytest.mark.parametrize(
    ("domain", "https", "base"),
    [
        ("social.example", "auto", "https://social.example"),
        ("localhost:8000", "auto", "http://localhost:8000"),
        ("192.168.1.5:8000", "false", "http://192.168.1.5:8000"),
        ("localhost:8443", "true", "https://localhost:8443"),
    ],
)
def test_entity_urls_follow_the_domain_and_social_https(domain: str, https: str, base: str) -> None:
    assert Settings(domain=domain, https=https).base_url == base


def test_a_wrong_social_https_is_refused_at_start() -> None:
    with pytest.raises(SystemExit, match="SOCIAL_HTTPS"):
        Settings.from_env({"SOCIAL_HTTPS": "maybe"})
