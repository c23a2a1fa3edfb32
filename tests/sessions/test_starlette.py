"""The Starlette backend in a tiny app: bearer tokens, the session cookie, CSRF."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sessions import (
    COOKIE_NAME,
    AnyRedis,
    SessionAuthBackend,
    SessionStore,
    SessionStoreError,
    SessionUser,
    auth_error_response,
    clear_session_cookie,
    new_csrf_token,
    set_session_cookie,
)


def make_app(api: SessionStore, web: SessionStore) -> Starlette:
    async def me(request: Request) -> JSONResponse:
        user = request.user
        if not isinstance(user, SessionUser):
            return JSONResponse({"user": None})
        return JSONResponse({"user": user.user_id, "via": user.via, "scopes": request.auth.scopes})

    async def login(request: Request) -> JSONResponse:
        issued = await web.create("42", {"csrf": new_csrf_token(), "scopes": "admin"})
        response = JSONResponse({"csrf": issued.session.data["csrf"]})
        set_session_cookie(response, issued.token, max_age_s=3600)
        return response

    async def logout(request: Request) -> JSONResponse:
        assert isinstance(request.user, SessionUser)
        await web.revoke(request.user.token)
        response = JSONResponse({})
        clear_session_cookie(response)
        return response

    backend = SessionAuthBackend(api, cookie_store=web)
    return Starlette(
        routes=[
            Route("/me", me, methods=["GET", "POST", "DELETE"]),
            Route("/login", login, methods=["POST"]),
            Route("/logout", logout, methods=["POST"]),
        ],
        middleware=[
            Middleware(AuthenticationMiddleware, backend=backend, on_error=auth_error_response)
        ],
    )


@pytest.fixture
def api(redis: AnyRedis) -> SessionStore:
    return SessionStore(redis, namespace="tok")


@pytest.fixture
def web(redis: AnyRedis) -> SessionStore:
    return SessionStore(redis, namespace="web")


@pytest.fixture
async def http(api: SessionStore, web: SessionStore) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(make_app(api, web))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_bearer_token_authenticates(http: httpx.AsyncClient, api: SessionStore) -> None:
    issued = await api.create("42", {"scopes": "read write"})
    response = await http.get("/me", headers=bearer(issued.token))
    assert response.status_code == 200
    assert response.json() == {
        "user": "42",
        "via": "bearer",
        "scopes": ["read", "write", "authenticated"],
    }


async def test_no_credentials_is_anonymous(http: httpx.AsyncClient) -> None:
    response = await http.get("/me")
    assert response.status_code == 200
    assert response.json() == {"user": None}


@pytest.mark.parametrize(
    "authorization", ["Bearer " + "A" * 43, "bearer x", "Bearer", "Bearer ", "garbage", ""]
)
async def test_a_bad_authorization_header_is_a_401(
    http: httpx.AsyncClient, authorization: str
) -> None:
    response = await http.get("/me", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.json() == {"error": "The access token is invalid"}
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


async def test_other_schemes_are_left_to_the_route(http: httpx.AsyncClient) -> None:
    await http.post("/login")
    response = await http.get("/me", headers={"Authorization": "Basic Y2xpZW50OnNlY3JldA=="})
    assert response.status_code == 200
    assert response.json()["via"] == "cookie"
    http.cookies.clear()
    response = await http.get("/me", headers={"Authorization": "Basic Y2xpZW50OnNlY3JldA=="})
    assert response.json() == {"user": None}


async def test_a_cookie_session_token_is_not_a_bearer_token(
    http: httpx.AsyncClient, web: SessionStore
) -> None:
    issued = await web.create("42")
    assert (await http.get("/me", headers=bearer(issued.token))).status_code == 401


async def test_login_sets_a_host_only_secure_cookie(http: httpx.AsyncClient) -> None:
    response = await http.post("/login")
    cookie = response.headers["set-cookie"]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert COOKIE_NAME.startswith("__Host-")
    assert {"secure", "httponly", "path", "samesite", "max-age"} <= attributes
    assert "domain" not in attributes
    assert "Path=/;" in cookie + ";"
    assert "samesite=lax" in cookie.lower()


async def test_the_cookie_authenticates_safe_requests(http: httpx.AsyncClient) -> None:
    await http.post("/login")
    response = await http.get("/me")
    assert response.json() == {"user": "42", "via": "cookie", "scopes": ["admin", "authenticated"]}


async def test_cookie_writes_need_the_csrf_token(http: httpx.AsyncClient) -> None:
    csrf = (await http.post("/login")).json()["csrf"]
    for headers in ({}, {"X-CSRF-Token": "wrong"}, {"X-CSRF-Token": csrf[:-1]}):
        response = await http.post("/me", headers=headers)
        assert response.status_code == 403
        assert response.json() == {"error": "CSRF token missing or invalid"}
    assert (await http.delete("/me")).status_code == 403
    response = await http.post("/me", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200
    assert response.json()["via"] == "cookie"


async def test_bearer_writes_need_no_csrf_token(http: httpx.AsyncClient, api: SessionStore) -> None:
    issued = await api.create("42")
    await http.post("/login")
    response = await http.post("/me", headers=bearer(issued.token))
    assert response.status_code == 200
    assert response.json()["via"] == "bearer"


async def test_an_invalid_cookie_is_anonymous(http: httpx.AsyncClient) -> None:
    http.cookies.set(COOKIE_NAME, "A" * 43)
    assert (await http.get("/me")).json() == {"user": None}
    assert (await http.post("/me")).json() == {"user": None}


async def test_logout_revokes_and_clears_the_cookie(http: httpx.AsyncClient) -> None:
    csrf = (await http.post("/login")).json()["csrf"]
    token = http.cookies[COOKIE_NAME]
    response = await http.post("/logout", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200
    assert "max-age=0" in response.headers["set-cookie"].lower()
    assert COOKIE_NAME not in http.cookies
    http.cookies.set(COOKIE_NAME, token)
    assert (await http.get("/me")).json() == {"user": None}


async def test_websocket_connections_authenticate_without_csrf(web: SessionStore) -> None:
    issued = await web.create("42", {"csrf": new_csrf_token()})
    scope = {
        "type": "websocket",
        "path": "/api/v1/streaming",
        "headers": [(b"cookie", f"{COOKIE_NAME}={issued.token}".encode())],
    }
    result = await SessionAuthBackend(web, cookie_store=web).authenticate(HTTPConnection(scope))
    assert result is not None
    assert isinstance(result[1], SessionUser)
    assert (result[1].user_id, result[1].via) == ("42", "cookie")


async def test_a_store_error_propagates_out_of_the_app() -> None:
    dead = Redis(host="127.0.0.1", port=1, socket_timeout=0.2, retry=Retry(NoBackoff(), 0))
    store = SessionStore(dead)
    transport = httpx.ASGITransport(make_app(store, store))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        assert (await client.get("/me")).json() == {"user": None}
        with pytest.raises(SessionStoreError):
            await client.get("/me", headers=bearer("A" * 43))
    await dead.aclose()
