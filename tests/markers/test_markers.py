"""Markers: where a person stopped reading, the same in each of their apps; versions that every
save raises, also when saves race; bad input refused with nothing saved; kept across a Redis
flush; a warm read in one round trip."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from starlette.applications import Starlette

from social.markers import service
from tests.conftest import single_server
from tests.helpers import PASSWORD, User, make_user, password_login, register_app
from tests.web.test_round_trips import count_sends

BOTH = {"timeline[]": ["home", "notifications"]}


async def markers(client: httpx.AsyncClient, user: User, **params: Any) -> dict[str, Any]:
    r = await client.get("/api/v1/markers", headers=user.auth, params=params or BOTH)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def save(client: httpx.AsyncClient, user: User, **form: Any) -> dict[str, Any]:
    r = await client.post("/api/v1/markers", headers=user.auth, data=form)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_saved_positions_are_read_back(client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    bob = await make_user(client, client_app, "bob")
    assert await markers(client, alice) == {}
    r = await client.get("/api/v1/markers", headers=alice.auth)
    assert r.json() == {}  # no timeline asked: none answered, as Mastodon

    home = await save(client, alice, **{"home[last_read_id]": "103206604258487607"})
    assert list(home) == ["home"]
    assert home["home"]["last_read_id"] == "103206604258487607"
    assert home["home"]["version"] == 1
    assert home["home"]["updated_at"].endswith("Z")
    r = await client.post(
        "/api/v1/markers", headers=alice.auth, json={"notifications": {"last_read_id": "35098814"}}
    )
    assert r.status_code == 200
    assert r.json()["notifications"] == {**r.json()["notifications"], "version": 1}
    again = await save(client, alice, **{"home[last_read_id]": "103206604258487700"})
    assert again["home"]["version"] == 2

    both = await markers(client, alice)
    assert both["home"] == again["home"]
    assert both["notifications"]["last_read_id"] == "35098814"
    assert both["notifications"]["version"] == 1
    only_home = await markers(client, alice, timeline="home")
    assert only_home == {"home": again["home"]}
    assert await markers(client, alice, **{"timeline[]": ["lists", "home"]}) == only_home
    assert await markers(client, bob) == {}  # each person their own

    # Another app of alice's (another token) reads the same positions.
    other_app = await register_app(client)
    login = await client.post(
        "/oauth/token",
        data={
            "grant_type": "password",
            "client_id": other_app.client_id,
            "client_secret": other_app.client_secret,
            "username": "alice",
            "password": PASSWORD,
            "scope": "read:statuses",
        },
    )
    phone = User(alice.id, login.json()["access_token"], "alice")
    assert await markers(client, phone) == both
    r = await client.post("/api/v1/markers", headers=phone.auth, data={"home[last_read_id]": "1"})
    assert r.status_code == 403  # read:statuses reads; saving takes write:statuses
    assert (await client.get("/api/v1/markers", params=BOTH)).status_code == 401


async def test_racing_saves_each_get_their_own_version(client: httpx.AsyncClient) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    await save(client, alice, **{"notifications[last_read_id]": "1"})

    async def one(n: int) -> dict[str, Any]:
        return await save(client, alice, **{"home[last_read_id]": str(1000 + n)})

    for first in (1, 13):  # racing to create the marker, then to move it
        saved = await asyncio.gather(*(one(n) for n in range(12)))
        versions = sorted(s["home"]["version"] for s in saved)
        assert versions == list(range(first, first + 12))
        last = next(s["home"] for s in saved if s["home"]["version"] == first + 11)
        found = await markers(client, alice)
        assert found["home"] == last
        assert found["notifications"]["version"] == 1


@pytest.mark.parametrize(
    "body",
    [
        {"data": {"notifications[last_read_id]": "7", "home[last_read_id]": "abc"}},
        {"data": {"notifications[last_read_id]": "7", "home[last_read_id]": "-1"}},
        {"data": {"notifications[last_read_id]": "7", "home[last_read_id]": "9" * 19}},
        {"data": {"notifications[last_read_id]": "7", "home[since_id]": "5"}},
        {"data": {"notifications[last_read_id]": "7", "home": "5"}},
        {"json": {"notifications": {"last_read_id": "7"}, "home": {"last_read_id": True}}},
        {"json": {"notifications": {"last_read_id": "7"}, "home": {"last_read_id": 1.5}}},
        {"json": {"notifications": {"last_read_id": "7"}, "home": [1]}},
        {"json": [{"home": {"last_read_id": "7"}}]},
        {
            "content": b'{"home": {"last_read_id": "7"',
            "headers": {"content-type": "application/json"},
        },
    ],
)
async def test_bad_input_is_refused_and_nothing_is_saved(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    before = await save(client, alice, **{"notifications[last_read_id]": "5"})
    headers = {**alice.auth, **body.pop("headers", {})}
    r = await client.post("/api/v1/markers", headers=headers, **body)
    assert r.status_code in (400, 422), r.text
    assert "error" in r.json()
    assert await markers(client, alice) == before  # neither timeline moved


async def test_an_empty_save_saves_nothing(client: httpx.AsyncClient) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    assert await save(client, alice) == {}
    assert await markers(client, alice) == {}


async def test_markers_outlive_a_redis_flush(app: Starlette, client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    saved = await save(client, alice, **{"home[last_read_id]": "42"})
    await app.state.ctx.redis.flushdb()  # the cache gone, and every token with it
    login = await password_login(client, client_app, "alice")
    alice = User(alice.id, login.json()["access_token"], "alice")
    assert await markers(client, alice) == saved


async def test_a_fill_from_rows_read_before_a_save_never_brings_them_back(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    await save(client, alice, **{"home[last_read_id]": "10"})
    ctx = app.state.ctx
    await ctx.redis.delete(ctx.keys.markers(int(alice.id)))
    stale = await service._load(ctx, int(alice.id))  # a reader, before the save below
    newer = await save(client, alice, **{"home[last_read_id]": "20"})
    await service._store(ctx, ctx.keys.markers(int(alice.id)), stale, complete=True)
    assert await markers(client, alice) == newer


@single_server
async def test_a_warm_read_is_one_round_trip(
    app: Starlette, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    saved = await save(client, alice, **{"home[last_read_id]": "10"})
    await markers(client, alice)  # fills the cache (after the response)
    await app.state.ctx.settle()
    assert await markers(client, alice) == saved
    counter = count_sends(app, monkeypatch)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    engine = app.state.ctx.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        r = await client.get("/api/v1/markers", headers=alice.auth, params=BOTH)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert r.json() == saved
    # the markers hash, the rate-limit check riding on it; the token from the near cache
    assert counter.sends == 1
    assert statements == []  # and not a word to the database


async def test_a_name_both_an_object_and_a_list_is_no_server_error(
    client: httpx.AsyncClient,
) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    form_type = {**alice.auth, "content-type": "application/x-www-form-urlencoded"}
    for form, status in (
        (b"home=5&home[]=6", 422),
        (b"home[]=6&home[last_read_id]=5", 422),
        (b"home[last_read_id]=5&home[]=6", 200),  # the list after the object: left out
    ):
        r = await client.post("/api/v1/markers", headers=form_type, content=form)
        assert r.status_code == status, (form, r.text)
    assert (await markers(client, alice))["home"]["last_read_id"] == "5"
