"""A scheduled status's media: checked when it is scheduled, held for it (no other post takes
them, the cleanup leaves them), shown in the ScheduledStatus, attached when it is published,
let go when it is cancelled."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from social.media import cleanup
from tests.helpers import User
from tests.media.conftest import upload
from tests.media.images import jpeg
from tests.scheduled.test_scheduled import ahead, make_due


async def _processed(app: Starlette, client: httpx.AsyncClient, user: User) -> str:
    r = await upload(client, user, jpeg(64, 48), description="a view")
    await app.state.ctx.events.drain()
    media_id: str = r.json()["id"]
    return media_id


async def test_a_scheduled_status_holds_its_media_until_it_is_posted(
    media_app: Starlette, media_client: httpx.AsyncClient, alice: User
) -> None:
    ctx, client = media_app.state.ctx, media_client
    media_id = await _processed(media_app, client, alice)
    pending = (await upload(client, alice, jpeg(64, 48))).json()["id"]  # not processed yet
    body = {"status": "later", "scheduled_at": ahead(hours=1)}
    r = await client.post(
        "/api/v1/statuses", headers=alice.auth, json={**body, "media_ids": [pending]}
    )
    assert r.status_code == 422  # checked when scheduled, as Mastodon
    r = await client.post(
        "/api/v1/statuses", headers=alice.auth, json={**body, "media_ids": [media_id]}
    )
    assert r.status_code == 200, r.text
    scheduled = r.json()
    assert [m["id"] for m in scheduled["media_attachments"]] == [media_id]
    assert scheduled["params"]["media_ids"] == [media_id]
    listed = (await client.get("/api/v1/scheduled_statuses", headers=alice.auth)).json()
    assert [m["description"] for m in listed[0]["media_attachments"]] == ["a view"]

    r = await client.post(
        "/api/v1/statuses", headers=alice.auth, json={"status": "now", "media_ids": [media_id]}
    )
    assert r.status_code == 422  # held for the scheduled one
    await cleanup.run(ctx, media_id)  # its day is up: still held, so kept
    assert (await client.get(f"/api/v1/media/{media_id}", headers=alice.auth)).status_code == 200

    await make_due(ctx, scheduled["id"])
    assert await ctx.scheduler.run_once(ctx) >= 1
    r = await client.get(f"/api/v1/accounts/{alice.id}/statuses", headers=alice.auth)
    [posted] = r.json()
    assert posted["content"] == "<p>later</p>"
    assert [m["id"] for m in posted["media_attachments"]] == [media_id]


async def test_cancelling_a_scheduled_status_lets_its_media_go(
    media_app: Starlette, media_client: httpx.AsyncClient, alice: User
) -> None:
    ctx, client = media_app.state.ctx, media_client
    media_id = await _processed(media_app, client, alice)
    r = await client.post(
        "/api/v1/statuses",
        headers=alice.auth,
        json={"status": "later", "scheduled_at": ahead(hours=1), "media_ids": [media_id]},
    )
    scheduled_id = r.json()["id"]
    r = await client.delete(f"/api/v1/scheduled_statuses/{scheduled_id}", headers=alice.auth)
    assert r.status_code == 200, r.text
    assert await ctx.scheduler.due_at(cleanup.KIND, media_id) is not None
    r = await client.post(
        "/api/v1/statuses", headers=alice.auth, json={"status": "now", "media_ids": [media_id]}
    )
    assert r.status_code == 200, r.text  # free to post again
