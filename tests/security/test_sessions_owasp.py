"""OWASP session management, through the app: token entropy, a new session on every login,
refresh rotation, idle and absolute timeouts on the Redis clock, logout on the server, unknown
tokens refused and never adopted, the cookie's flags, CSRF, and no raw token at rest.

The `sessions` library's own tests (tests/sessions/) check the store and its Starlette backend
in a tiny app; these check that the app wires them so."""

from __future__ import annotations

import asyncio
import base64
import math
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any

import httpx
from sqlalchemy import String, select
from starlette.applications import Starlette

from sessions import COOKIE_NAME, SessionStore
from sessions.tokens import token_hash
from social.accounts.service import create_account
from social.oauth.http.apps import hash_secret
from social.platform.db.models import Base
from social.platform.redis.client import AnyRedis
from tests.conftest import MakeApp
from tests.helpers import PASSWORD, app_token, bearer, register_app, register_user
from tests.security.routes import write_routes
from tests.security.world import COOKIE_DOMAIN, World, dashboard_session
from tests.trends.helpers import https_client
from trending import Review

URLSAFE = re.compile(r"[A-Za-z0-9_-]{43}")
VERIFY = "/api/v1/accounts/verify_credentials"
SAMPLE = 128  # tokens drawn to test their bits


def random_bits(token: str) -> bytes:
    """The 32 bytes a token encodes (it must be 43 urlsafe characters, no padding)."""
    assert URLSAFE.fullmatch(token), token
    raw = base64.urlsafe_b64decode(token + "=")
    assert len(raw) == 32
    return raw


def session_key(store: SessionStore, token: str) -> str:
    return store.keys.session(token_hash(token))


async def status_of(api: httpx.AsyncClient, token: str) -> int:
    return (await api.get(VERIFY, headers=bearer(token))).status_code


async def refresh(w: World, refresh_token: str) -> httpx.Response:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return await w.api.post("/oauth/token", data={**w.alice.credentials, **form})


async def test_tokens_carry_256_random_bits(world: World) -> None:
    assert world.alice.client is not None
    tokens = []
    for _ in range(SAMPLE // 32):
        tokens += await asyncio.gather(
            *(app_token(world.api, world.alice.client) for _ in range(32))
        )
    assert len(set(tokens)) == SAMPLE
    # Each bit position is set in about half the tokens: a counter, a clock or a short seed
    # would pin some positions. Six standard deviations: a fair coin fails once in 1e9.
    ones = [0] * 256
    for token in tokens:
        value = int.from_bytes(random_bits(token))
        for bit in range(256):
            ones[bit] += value >> bit & 1
    spread = 6 * math.sqrt(SAMPLE) / 2
    assert all(abs(n - SAMPLE / 2) <= spread for n in ones), ones

    others = [
        world.alice.token,
        world.alice.refresh_token,
        world.browser.cookies[COOKIE_NAME],
        world.csrf,
        world.alice.credentials["client_secret"],
    ]
    for token in others:
        random_bits(token)
    assert len(set(others + tokens)) == len(others) + SAMPLE


async def test_every_login_is_a_new_session(world: World) -> None:
    logins = []
    for _ in range(2):
        form = {
            "grant_type": "password",
            "username": "alice",
            "password": world.alice.password,
            "scope": "read write",
        }
        r = await world.api.post("/oauth/token", data={**world.alice.credentials, **form})
        assert r.status_code == 200, r.text
        assert "set-cookie" not in r.headers  # API logins are bearer tokens only
        logins.append(r.json())
    access = [world.alice.token, *(t["access_token"] for t in logins)]
    refreshes = [world.alice.refresh_token, *(t["refresh_token"] for t in logins)]
    assert len(set(access + refreshes)) == 6
    assert [await status_of(world.api, t) for t in access] == [200, 200, 200]

    listed = await world.api.get("/api/v1/sessions", headers=world.alice.auth)
    sessions = listed.json()
    assert len({s["id"] for s in sessions}) == len(sessions) == 3
    assert not any(t in listed.text for t in access + refreshes)
    assert [await status_of(world.api, s["id"]) for s in sessions] == [401, 401, 401]

    # The dashboard never adopts a session id the browser brings: it issues its own.
    forged = secrets.token_urlsafe(32)
    async with world.browser_with(forged) as browser:
        assert (await browser.get("/admin", follow_redirects=False)).status_code == 303
        form = {"login": "boss", "password": world.boss.password}
        r = await browser.post("/admin/login", data=form)
        assert r.status_code == 303
        issued = browser.cookies[COOKIE_NAME]
    assert issued != forged
    assert await world.ctx.cookies.resolve(forged) is None
    assert await world.ctx.cookies.resolve(issued) is not None


async def test_refresh_rotates_both_tokens(world: World, redis: AnyRedis) -> None:
    ctx = world.ctx
    old_access, old_refresh = world.alice.token, world.alice.refresh_token
    old_session = await ctx.tokens.resolve(old_access, touch=False)
    assert old_session is not None
    r = await refresh(world, old_refresh)
    assert r.status_code == 200, r.text
    new = r.json()
    assert {new["access_token"], new["refresh_token"]}.isdisjoint({old_access, old_refresh})

    assert await status_of(world.api, new["access_token"]) == 200
    assert await status_of(world.api, old_access) == 401
    assert not await redis.exists(session_key(ctx.tokens, old_access))
    assert not await redis.exists(session_key(ctx.refresh_tokens, old_refresh))
    assert await redis.exists(session_key(ctx.refresh_tokens, new["refresh_token"]))
    listed = await world.api.get("/api/v1/sessions", headers=bearer(new["access_token"]))
    assert old_session.id not in {s["id"] for s in listed.json()}
    # The new refresh token is as single-use as the first.
    newer = await refresh(world, new["refresh_token"])
    assert newer.status_code == 200
    # A rotated token presented again was copied: refused, and the grant it led to revoked.
    replay = await refresh(world, old_refresh)
    assert (replay.status_code, replay.json()["error"]) == (400, "invalid_grant")
    assert await status_of(world.api, newer.json()["access_token"]) == 401
    assert (await refresh(world, newer.json()["refresh_token"])).status_code == 400


async def test_idle_and_absolute_timeouts_on_the_redis_clock(
    make_app: MakeApp, redis: AnyRedis
) -> None:
    """2 s idle, 3 s absolute for every kind of credential. Busy ones are used every 0.5 s until
    2.3 s, and die at 3 s (not 4.3 s); idle ones die at 2 s. Redis frees them by itself: their
    keys expire, no request needed. (Margins of 0.7 s and more: a loaded machine stalls.)"""
    app: Starlette = await make_app(
        **{f"{kind}_idle_ttl_s": 2 for kind in ("access", "refresh", "cookie")},
        **{f"{kind}_absolute_ttl_s": 3 for kind in ("access", "refresh", "cookie")},
    )
    ctx = app.state.ctx
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as api,
        https_client(app) as busy_browser,
        https_client(app) as idle_browser,
    ):
        client = await register_app(api)
        registered = await register_user(api, client, "alice")
        async with ctx.db() as db:
            boss, _ = await create_account(
                db, username="boss", email="boss@example.com", password=PASSWORD, role="admin"
            )
        credentials = {"client_id": client.client_id, "client_secret": client.client_secret}

        start = time.monotonic()
        form = {"grant_type": "refresh_token", "refresh_token": registered["refresh_token"]}
        r = await api.post("/oauth/token", data={**form, **credentials})
        assert r.status_code == 200, r.text
        busy_access, idle_refresh = r.json()["access_token"], r.json()["refresh_token"]
        idle_access = await app_token(api, client)
        busy_cookie, idle_cookie = [await dashboard_session(ctx, str(boss.id)) for _ in range(2)]
        issued = time.monotonic()
        busy_browser.cookies.set(COOKIE_NAME, busy_cookie.token, domain=COOKIE_DOMAIN)
        idle_browser.cookies.set(COOKIE_NAME, idle_cookie.token, domain=COOKIE_DOMAIN)
        keys = {
            "busy access": session_key(ctx.tokens, busy_access),
            "idle access": session_key(ctx.tokens, idle_access),
            "idle refresh": session_key(ctx.refresh_tokens, idle_refresh),
            "busy cookie": session_key(ctx.cookies, busy_cookie.token),
            "idle cookie": session_key(ctx.cookies, idle_cookie.token),
        }
        for name, key in keys.items():
            assert 0 < await redis.pttl(key) <= 2000, name  # the nearer timeout: idle

        async def until(t_s: float, since: float = start) -> None:
            await asyncio.sleep(max(0.0, since + t_s - time.monotonic()))

        async def signed_in(browser: httpx.AsyncClient) -> bool:
            return (await browser.get("/admin/session")).json()["csrf"] is not None

        async def busy_ones_work() -> None:
            assert await status_of(api, busy_access) == 200
            assert await signed_in(busy_browser)

        for t_s in (0.5, 1.0, 1.5, 2.0):
            await until(t_s)
            await busy_ones_work()
        await until(2.1, since=issued)
        for name in ("idle access", "idle refresh", "idle cookie"):
            assert not await redis.exists(keys[name]), name
        assert await status_of(api, idle_access) == 401
        form = {"grant_type": "refresh_token", "refresh_token": idle_refresh}
        r = await api.post("/oauth/token", data={**form, **credentials})
        assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")
        assert not await signed_in(idle_browser)

        await until(2.3)
        await busy_ones_work()
        # Touching no longer gives a full idle window: the key dies at the absolute deadline.
        left_ms = (issued + 3 - time.monotonic()) * 1000
        assert 0 < await redis.pttl(keys["busy access"]) <= left_ms + 20 < 2000

        await until(3.05, since=issued)
        for name in ("busy access", "busy cookie"):
            assert not await redis.exists(keys[name]), name
        assert await status_of(api, busy_access) == 401
        assert not await signed_in(busy_browser)


async def test_logout_ends_sessions_on_the_server_at_once(world: World, redis: AnyRedis) -> None:
    ctx, alice = world.ctx, world.alice

    async def pair() -> tuple[str, str, list[str]]:
        token = await world.issue(alice)
        assert token.refresh_token is not None
        keys = [
            session_key(ctx.tokens, token.access_token),
            session_key(ctx.refresh_tokens, token.refresh_token),
        ]
        assert await redis.exists(*keys) == 2
        return token.access_token, token.refresh_token, keys

    for revoked in ("access", "refresh"):
        access, refresh_token, keys = await pair()
        form = {"token": access if revoked == "access" else refresh_token}
        r = await world.api.post("/oauth/revoke", data={**alice.credentials, **form})
        assert r.status_code == 200
        assert await redis.exists(*keys) == 0, revoked
        assert await status_of(world.api, access) == 401
        assert (await refresh(world, refresh_token)).status_code == 400

    access, refresh_token, keys = await pair()
    session = await ctx.tokens.resolve(access, touch=False)
    assert session is not None
    r = await world.api.delete(f"/api/v1/sessions/{session.id}", headers=alice.auth)
    assert r.status_code == 200
    assert await redis.exists(*keys) == 0
    assert await status_of(world.api, access) == 401
    assert await status_of(world.api, alice.token) == 200  # only that one

    cookie = world.browser.cookies[COOKIE_NAME]
    r = await world.browser.post("/admin/logout", headers={"X-CSRF-Token": world.csrf})
    assert r.status_code == 303
    assert not await redis.exists(session_key(ctx.cookies, cookie))
    async with world.browser_with(cookie) as replay:
        assert (await replay.get("/admin", follow_redirects=False)).status_code == 303
        assert (await replay.get("/admin/session")).json() == {"csrf": None}


async def test_unknown_and_forged_tokens_are_refused_never_adopted(
    world: World, redis: AnyRedis
) -> None:
    ctx, alice = world.ctx, world.alice
    revoked = await world.issue(alice)
    await ctx.tokens.revoke(revoked.access_token)
    last = alice.token[-1]
    forged = {
        "random": secrets.token_urlsafe(32),
        "tampered": alice.token[:-1] + ("A" if last != "A" else "B"),
        "revoked": revoked.access_token,
        "a refresh token": alice.refresh_token,
        "a cookie session": world.browser.cookies[COOKIE_NAME],
        "too long": alice.token + "x",
        "not ours": "A" * 43,
    }
    statuses = len((await world.api.get(f"/api/v1/accounts/{alice.id}/statuses")).json())
    for name, token in forged.items():
        for method, path in [("GET", VERIFY), ("POST", "/api/v1/statuses")]:
            r = await world.api.request(method, path, headers=bearer(token), json={"status": "x"})
            assert r.status_code == 401, (name, method)
            assert r.json() == {"error": "The access token is invalid"}
            assert "invalid_token" in r.headers["www-authenticate"]
        assert not await redis.exists(session_key(ctx.tokens, token)), name
    assert not await redis.exists(
        *(session_key(s, forged["random"]) for s in (ctx.refresh_tokens, ctx.cookies))
    )
    after = len((await world.api.get(f"/api/v1/accounts/{alice.id}/statuses")).json())
    assert after == statuses

    async with world.browser_with(secrets.token_urlsafe(32)) as browser:
        assert (await browser.get("/admin/session")).json() == {"csrf": None}
        tag_id, name = await world.new_tag()
        r = await browser.post(f"/admin/tags/{tag_id}/approve", headers={"X-CSRF-Token": "x"})
        assert r.status_code == 401  # an unknown cookie is nobody
        assert await ctx.trends.review_state(name) is Review.PENDING


async def test_the_session_cookie_flags(world: World) -> None:
    async with world.browser_with(None) as browser:
        form = {"login": "boss", "password": world.boss.password}
        r = await browser.post("/admin/login", data=form)
        (header,) = r.headers.get_list("set-cookie")
        cookie = SimpleCookie(header)[COOKIE_NAME]
        assert COOKIE_NAME.startswith("__Host-")
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"].lower() in ("lax", "strict")
        assert cookie["path"] == "/"
        assert cookie["domain"] == ""
        assert int(cookie["max-age"]) == world.ctx.settings.cookie_absolute_ttl_s
        random_bits(cookie.value)

        for page in ("/admin", "/admin/session"):
            assert (await browser.get(page)).headers["cache-control"] == "no-store", page
        csrf = (await browser.get("/admin/session")).json()["csrf"]
        r = await browser.post("/admin/logout", headers={"X-CSRF-Token": csrf})
        (header,) = r.headers.get_list("set-cookie")
        cleared = SimpleCookie(header)[COOKIE_NAME]
        assert cleared.value in ("", '""')
        assert cleared["max-age"] == "0"
        # Browsers only overwrite a __Host- cookie with one that is Secure with Path=/.
        assert (cleared["secure"], cleared["path"], cleared["domain"]) == (True, "/", "")


async def test_csrf_guards_every_unsafe_route_of_a_cookie_session(world: World) -> None:
    tag_id, name = await world.new_tag()
    another = await world.dashboard_session()  # a live session's token, not this one's
    wrong_tokens = [{}, {"X-CSRF-Token": ""}, {"X-CSRF-Token": world.csrf[:-1]}]
    wrong_tokens.append({"X-CSRF-Token": another.session.data["csrf"]})
    dashboard = [
        key for key in write_routes(world.app.routes).routes if key[1].startswith("/admin")
    ]
    assert len(dashboard) >= 4
    for method, template in sorted(dashboard):
        path = re.sub(r"\{[^}]+\}", str(tag_id), template)
        for headers in wrong_tokens:
            r = await world.browser.request(method, path, headers=headers)
            assert r.status_code == 403, (method, path, headers)
            assert r.json() == {"error": "CSRF token missing or invalid"}
    # Outside the dashboard its cookie is no credential at all, CSRF token or not.
    for headers in [{}, {"X-CSRF-Token": world.csrf}]:
        r = await world.browser.get("/api/v1/accounts/verify_credentials", headers=headers)
        assert r.status_code == 401
        r = await world.browser.post(f"/api/v1/admin/trends/tags/{tag_id}/approve", headers=headers)
        assert r.status_code == 401
    assert await world.ctx.trends.review_state(name) is Review.PENDING
    assert (await world.browser.get("/admin")).status_code == 200  # still signed in

    r = await world.browser.post(
        f"/admin/tags/{tag_id}/approve", headers={"X-CSRF-Token": world.csrf}
    )
    assert r.status_code == 200
    assert await world.ctx.trends.review_state(name) is Review.APPROVED


def flatten(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, dict):
        return b" ".join(flatten(k) + b"=" + flatten(v) for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return b" ".join(flatten(v) for v in value)
    return str(value).encode()


async def redis_contents(redis: AnyRedis) -> list[bytes]:
    """Every key of the keyspace (every primary of a cluster), each with its value."""
    read: dict[bytes, Callable[[bytes], Awaitable[Any]]] = {
        b"string": redis.get,
        b"hash": redis.hgetall,
        b"list": lambda k: redis.lrange(k, 0, -1),
        b"set": redis.smembers,
        b"zset": lambda k: redis.zrange(k, 0, -1, withscores=True),
        b"stream": redis.xrange,
    }
    contents = []
    async for key in redis.scan_iter(count=1000):
        kind = await redis.type(key)
        assert isinstance(kind, bytes)
        if kind == b"none":
            continue  # expired meanwhile
        contents.append(key + b" " + flatten(await read[kind](key)))
    return contents


async def database_texts(world: World) -> list[str]:
    """Every value of every text column of every table."""
    texts = []
    async with world.ctx.db() as db:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String)]
            if columns:
                rows = await db.execute(select(*columns))
                texts += [v for row in rows for v in row if isinstance(v, str)]
    return texts


async def test_no_raw_token_or_password_at_rest(world: World, redis: AnyRedis) -> None:
    alice, bob = world.alice, world.bob
    rotated = (await refresh(world, alice.refresh_token)).json()
    assert alice.client is not None
    app_only = await app_token(world.api, alice.client)
    await world.api.post("/api/v1/statuses", headers=bob.auth, json={"status": "@alice hi"})
    await world.api.post(f"/api/v1/accounts/{alice.id}/follow", headers=bob.auth)
    await world.ctx.events.drain()
    people = (alice, bob, world.boss)
    secrets_ = {
        *(p.token for p in people),
        *(p.refresh_token for p in people),
        *(p.password for p in people),
        *(p.credentials["client_secret"] for p in people),
        rotated["access_token"],
        rotated["refresh_token"],
        app_only,
        world.browser.cookies[COOKIE_NAME],
    }

    in_redis = await redis_contents(redis)
    assert any(token_hash(rotated["access_token"]).encode() in k for k in in_redis)
    assert any(world.csrf.encode() in k for k in in_redis)  # values are read: the CSRF token
    for secret in secrets_:
        assert not any(secret.encode() in k for k in in_redis), secret[:6]

    in_database = await database_texts(world)
    assert hash_secret(bob.credentials["client_secret"]) in in_database
    assert any(t.startswith("$argon2id$") for t in in_database)
    assert any("@alice hi" in t for t in in_database)
    for secret in secrets_:
        assert not any(secret in t for t in in_database), secret[:6]
