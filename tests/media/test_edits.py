"""Editing a status's media, as Mastodon's edits do: the media listed now, in that order
(others detached), new descriptions through `media_attributes[]`, each version's media in the
history as described then; someone else's or unprocessed uploads refused, nothing changed."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from tests.helpers import User, make_user, register_app
from tests.media.conftest import upload
from tests.media.images import jpeg


async def _ready(app: Starlette, client: httpx.AsyncClient, user: User, text: str) -> str:
    r = await upload(client, user, jpeg(64, 48), description=text)
    assert r.status_code in (200, 202), r.text
    await app.state.ctx.events.drain()
    media_id: str = r.json()["id"]
    assert (await client.get(f"/api/v1/media/{media_id}", headers=user.auth)).status_code == 200
    return media_id


async def _edit(
    client: httpx.AsyncClient, user: User, status_id: str, **body: Any
) -> httpx.Response:
    return await client.put(f"/api/v1/statuses/{status_id}", headers=user.auth, json=body)


async def test_an_edit_changes_the_media_and_the_history_keeps_each_set(
    media_app: Starlette, media_client: httpx.AsyncClient, alice: User
) -> None:
    client = media_client
    first, second = [await _ready(media_app, client, alice, t) for t in ("a cat", "a dog")]
    r = await client.post(
        "/api/v1/statuses", headers=alice.auth, json={"status": "pets", "media_ids": [first]}
    )
    assert r.status_code == 200, r.text
    status_id = r.json()["id"]

    r = await _edit(
        client,
        alice,
        status_id,
        status="pets",
        media_ids=[second, first],
        media_attributes=[{"id": first, "description": "a sleeping cat"}],
    )
    assert r.status_code == 200, r.text
    shown = r.json()["media_attachments"]
    assert [m["id"] for m in shown] == [second, first]
    assert [m["description"] for m in shown] == ["a dog", "a sleeping cat"]
    assert r.json()["edited_at"] is not None

    r = await _edit(client, alice, status_id, status="just the dog", media_ids=[second])
    assert [m["id"] for m in r.json()["media_attachments"]] == [second]
    # the cat is detached: the author may attach it again, or delete it
    assert (await client.get(f"/api/v1/media/{first}", headers=alice.auth)).status_code == 200

    history = (await client.get(f"/api/v1/statuses/{status_id}/history")).json()
    assert [[m["id"] for m in v["media_attachments"]] for v in history] == [
        [first],
        [second, first],
        [second],
    ]
    assert history[0]["media_attachments"][0]["description"] == "a cat"
    assert history[1]["media_attachments"][1]["description"] == "a sleeping cat"

    r = await _edit(client, alice, status_id, status="", media_ids=[])
    assert r.status_code == 422  # neither text nor media
    r = await _edit(client, alice, status_id, status="", media_ids=[second])
    assert r.status_code == 200, r.text  # media alone make a status


async def test_an_edit_cannot_take_someone_elses_or_unprocessed_media(
    media_app: Starlette, media_client: httpx.AsyncClient, alice: User
) -> None:
    client = media_client
    bob = await make_user(client, await register_app(client), "bob")
    bobs = await _ready(media_app, client, bob, "bob's")
    r = await client.post("/api/v1/statuses", headers=alice.auth, json={"status": "mine"})
    status_id = r.json()["id"]
    pending = (await upload(client, alice, jpeg(64, 48))).json()["id"]  # not processed yet
    for media_ids in ([bobs], [pending], ["x"], [str(i) for i in range(5)]):
        r = await _edit(client, alice, status_id, status="mine, with media", media_ids=media_ids)
        assert r.status_code == 422, (media_ids, r.text)
    shown = (await client.get(f"/api/v1/statuses/{status_id}")).json()
    assert shown["content"] == "<p>mine</p>"
    assert shown["media_attachments"] == []
    assert shown["edited_at"] is None
    history = (await client.get(f"/api/v1/statuses/{status_id}/history")).json()
    assert len(history) == 1  # no version was kept by the refused edits
    r = await _edit(
        client,
        alice,
        status_id,
        status="mine",
        media_attributes=[{"id": bobs, "focus": "2,0"}],
    )
    assert r.status_code == 422
