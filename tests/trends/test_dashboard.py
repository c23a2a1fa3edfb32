"""The admin dashboard as a browser uses it: sign in, cookie, CSRF, live updates, sign out."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.types import Message

from social.accounts.service import create_account
from social.platform.db.models import Tag
from tests.helpers import PASSWORD
from tests.trends.helpers import everyone_posts, https_client, make_users


@pytest.fixture
async def browser(app: Starlette) -> Any:
    async with app.state.ctx.db() as db:
        await create_account(
            db, username="boss", email="boss@example.com", password=PASSWORD, role="admin"
        )
    async with https_client(app) as c:
        yield c


async def sign_in(browser: httpx.AsyncClient, login: str = "boss") -> httpx.Response:
    return await browser.post("/admin/login", data={"login": login, "password": PASSWORD})


async def csrf_of(browser: httpx.AsyncClient) -> str:
    token: str = (await browser.get("/admin/session")).json()["csrf"]
    return token


async def test_sign_in_page_and_refusals(app: Starlette, browser: httpx.AsyncClient) -> None:
    r = await browser.get("/admin", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/admin/login"
    r = await browser.get("/admin/login")
    assert r.status_code == 200
    assert 'name="password"' in r.text
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]

    r = await browser.post("/admin/login", data={"login": "boss", "password": "wrong password"})
    assert r.status_code == 401
    assert "Wrong e-mail, username or password" in r.text
    assert "set-cookie" not in r.headers
    await make_users(browser, 1, "alice")
    r = await sign_in(browser, "alice0")
    assert r.status_code == 403
    assert "not an administrator" in r.text
    r = await browser.post("/admin/login", data={"login": "<script>"})
    assert r.status_code == 422
    assert "<script>" not in r.text
    assert (await browser.get("/admin/live")).status_code == 401


async def test_cookie_csrf_and_sign_out(
    app: Starlette, browser: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    r = await sign_in(browser, "boss@example.com")
    assert r.status_code == 303
    assert r.headers["location"] == "/admin"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("__Host-session=")
    for flag in ("Secure", "HttpOnly", "SameSite=lax", "Path=/"):
        assert flag.lower() in cookie.lower(), flag
    assert "domain" not in cookie.lower()
    page = await browser.get("/admin")
    assert page.status_code == 200
    assert "Trending tags" in page.text
    assert "@boss" in page.text

    (alice,) = await make_users(client, 1, "alice")
    await everyone_posts(client, [alice], "#hello")
    await app.state.ctx.events.drain()
    await app.state.ctx.trends.settle()  # the settler would, a moment later
    async with app.state.ctx.db() as db:
        tag_id = (await db.execute(select(Tag.id).where(Tag.name == "hello"))).scalar_one()
    r = await browser.post(f"/admin/tags/{tag_id}/approve")
    assert r.status_code == 403
    csrf = await csrf_of(browser)
    r = await browser.post(f"/admin/tags/{tag_id}/approve", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200
    assert r.json()["review"] == "approved"
    r = await browser.post("/admin/tags/nope/approve", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 404

    assert (await browser.post("/admin/logout")).status_code == 403
    token = browser.cookies["__Host-session"]

    async def replayed(cookie: str) -> int:
        """The cookie sent by hand, as a stolen one would be (not from the client's jar)."""
        browser.cookies.clear()
        headers = {"Cookie": f"__Host-session={cookie}"}
        return (await browser.get("/admin", headers=headers, follow_redirects=False)).status_code

    assert await replayed(token) == 200  # control: the live session lets it in
    browser.cookies.set("__Host-session", token)
    r = await browser.post("/admin/logout", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 303
    assert r.headers["location"] == "/admin/login"
    assert await app.state.ctx.cookies.resolve(token) is None
    assert await replayed(token) == 303  # to the sign-in page: the session is gone


async def test_sign_in_again_over_a_live_cookie(app: Starlette, browser: httpx.AsyncClient) -> None:
    await sign_in(browser)
    old = browser.cookies["__Host-session"]
    csrf = await csrf_of(browser)
    assert (await sign_in(browser)).status_code == 403  # the old session's CSRF is required
    r = await browser.post(
        "/admin/login",
        data={"login": "boss", "password": PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 303
    assert browser.cookies["__Host-session"] != old
    assert await app.state.ctx.cookies.resolve(old) is None
    assert (await browser.get("/admin")).status_code == 200


async def first_event(app: Starlette, cookie: str) -> dict[str, Any]:
    """Reads `/admin/live` until its first snapshot, then disconnects."""
    disconnected = asyncio.Event()
    body = b""
    done = asyncio.Event()

    async def receive() -> Message:
        if not done.is_set():
            done.set()
            return {"type": "http.request", "body": b"", "more_body": False}
        await disconnected.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal body
        if message["type"] == "http.response.start":
            assert message["status"] == 200
        elif message["type"] == "http.response.body":
            body += message.get("body", b"")
            if b"data:" in body:
                disconnected.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "https",
        "path": "/admin/live",
        "raw_path": b"/admin/live",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost"), (b"cookie", f"__Host-session={cookie}".encode())],
        "client": ("127.0.0.1", 1234),
        "server": ("localhost", 443),
    }
    await asyncio.wait_for(app(scope, receive, send), timeout=10)
    data = next(line for line in body.split(b"\n") if line.startswith(b"data:"))
    parsed: dict[str, Any] = orjson.loads(data[5:])
    return parsed


async def test_live_streams_snapshots(app: Starlette, browser: httpx.AsyncClient) -> None:
    users = await make_users(browser, 5)
    await everyone_posts(browser, users, "#livetag")
    await app.state.ctx.events.drain()
    await app.state.ctx.trends.settle()  # the settler would, a moment later
    await sign_in(browser)
    snapshot = await first_event(app, browser.cookies["__Host-session"])
    (trend,) = snapshot["trends"]
    assert trend["name"] == "livetag"
    assert trend["accounts"] == 5
    assert trend["sparkline"][-1] == 5
    assert len(trend["sparkline"]) == 12
    assert set(snapshot["pipeline"]["groups"]) >= {"trending", "timelines"}
    assert snapshot["scheduler"]["kinds"]["scheduled.publish"] == {
        "pending": 0,
        "due": 0,
        "dead": 0,
    }
    assert snapshot["cache"]["hits"] + snapshot["cache"]["misses"] > 0
