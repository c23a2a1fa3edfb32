"""Announcements live, as Mastodon sends them on the `user` stream: `announcement` when one is
published or changed, `announcement.reaction` with a reaction's count, `announcement.delete`
when one is taken back, ended or deleted."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.conftest import fresh_with_admin, serving
from tests.helpers import PASSWORD, bearer, make_user, register_app
from tests.streaming.frames import next_frame
from tests.trends.helpers import ADMIN_SCOPES


@pytest.fixture
def live_url(database_url: str, redis_url: str, tmp_path: Path) -> Iterator[str]:
    """uvicorn with its lifespan: the relay and the `streaming` consumer run in-process."""
    asyncio.run(fresh_with_admin(database_url, redis_url, "boss"))
    with serving(database_url, redis_url, tmp_path, ratelimit_scale=1000.0) as url:
        yield url


async def _boss(http: httpx.AsyncClient) -> dict[str, str]:
    client_app = await register_app(http, ADMIN_SCOPES)
    form = {
        "grant_type": "password",
        "client_id": client_app.client_id,
        "client_secret": client_app.client_secret,
        "username": "boss",
        "password": PASSWORD,
        "scope": ADMIN_SCOPES,
    }
    r = await http.post("/oauth/token", data=form)
    assert r.status_code == 200, r.text
    return bearer(r.json()["access_token"])


async def _event(ws: ClientConnection, event: str) -> Any:
    """The next frame's payload: JSON, but for a deletion (the announcement's id)."""
    frame = await next_frame(ws)
    assert frame["event"] == event, frame
    assert frame["stream"] == ["user"]
    return frame["payload"] if event == "announcement.delete" else orjson.loads(frame["payload"])


async def test_the_user_stream_hears_of_announcements(live_url: str) -> None:
    async with httpx.AsyncClient(base_url=live_url, timeout=10) as http:
        boss = await _boss(http)
        alice = await make_user(http, await register_app(http), "alice")
        ws_url = f"{live_url.replace('http', 'ws', 1)}/api/v1/streaming?stream=user"
        async with connect(ws_url, additional_headers=alice.auth) as ws:
            r = await http.post(
                "/api/v1/admin/announcements", headers=boss, json={"text": "Hello #all"}
            )
            assert r.status_code == 200, r.text
            announcement_id = r.json()["id"]
            payload = await _event(ws, "announcement")
            (listed,) = (await http.get("/api/v1/announcements", headers=alice.auth)).json()
            # as Mastodon renders it for nobody in particular: no `read`
            assert payload == {k: v for k, v in listed.items() if k != "read"}

            put = f"/api/v1/announcements/{announcement_id}/reactions/{quote('🎉')}"
            assert (await http.put(put, headers=alice.auth)).status_code == 200
            reaction = {"name": "🎉", "count": 1, "announcement_id": announcement_id}
            assert await _event(ws, "announcement.reaction") == reaction
            assert (await http.delete(put, headers=alice.auth)).status_code == 200
            assert await _event(ws, "announcement.reaction") == reaction | {"count": 0}

            edit = f"/api/v1/admin/announcements/{announcement_id}"
            r = await http.put(edit, headers=boss, json={"text": "Hello again"})
            assert r.status_code == 200
            assert (await _event(ws, "announcement"))["content"] == "<p>Hello again</p>"

            # Each heard before the next: the stream says what an announcement is when its
            # event is handled (a publish already ended by then is heard as a deletion).
            for action, event in (
                ("unpublish", "announcement.delete"),
                ("publish", "announcement"),
                ("end", "announcement.delete"),
            ):
                r = await http.post(f"{edit}/{action}", headers=boss)
                assert r.status_code == 200, r.text
                heard = await _event(ws, event)
                if event == "announcement":
                    assert heard["content"] == "<p>Hello again</p>"
                else:
                    assert heard == announcement_id

            draft = await http.post(
                "/api/v1/admin/announcements",
                headers=boss,
                json={"text": "not yet", "published": False},
            )
            r = await http.delete(f"/api/v1/admin/announcements/{draft.json()['id']}", headers=boss)
            assert r.status_code == 200
            assert (await http.delete(edit, headers=boss)).status_code == 200
            # nothing of the draft (never published): the next frame is the deletion
            assert await _event(ws, "announcement.delete") == announcement_id
